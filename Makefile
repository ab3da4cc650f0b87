# gatehouse — the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
CONFIG     ?= examples/mock/gatehouse.yaml
JOBS       ?= $(shell nproc)
export CCACHE_DIR ?= $(HOME)/.cache/gatehouse-ccache

.PHONY: all deps build run test test-fuzz test-asan bench format check-deps clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) -j $(JOBS)

run: build
	@echo "gatehouse: starting the demo API ($(CONFIG)); try, in another terminal:"
	@echo '  curl -i http://127.0.0.1:8080/resource                      # 401, no token'
	@echo '  TOKEN=$$(examples/mock/mint-token.sh)'
	@echo '  curl -i -H "Authorization: Bearer $$TOKEN" http://127.0.0.1:8080/resource/42'
	@echo '  curl -s http://127.0.0.1:9090/metrics | grep gatehouse_requests_total'
	@echo "Stop with Ctrl-C."
	@$(BUILD)/gatehouse serve -c $(CONFIG)

test: build
	@scripts/run-tests.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGH_SANITIZE=ON

test-asan: deps $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  scripts/run-tests.sh $(ASAN_BUILD)

bench: build
	@scripts/install-deps.sh --bench
	@bench/run.sh $(BUILD)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

check-deps:
	@scripts/check-includes.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

test-fuzz: deps
	@scripts/run-fuzz.sh $(FUZZ_BUILD) $${GH_FUZZ_SECONDS:-60}
