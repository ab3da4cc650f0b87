# gatehouse — the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PORT       ?= 8080
ADMIN_PORT ?= 9090
# The blog demo's client secret (a demo value: change it for anything but a local try-out).
export BLOG_DEMO_CLIENT_SECRET ?= blog-demo-secret
JOBS       ?= $(shell nproc)
export CCACHE_DIR ?= $(HOME)/.cache/gatehouse-ccache

.PHONY: all deps build run run-mock run-lambda test test-fuzz test-asan bench format check-deps clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) -j $(JOBS)

# The blog demo (examples/blog): prints the scenario's curl commands, then serves until Ctrl-C.
run: build
	@scripts/run-demo.sh $(BUILD) $(PORT) $(ADMIN_PORT)

# The mock demo (examples/mock): routes answered by mock integrations, tokens from mint-token.sh.
run-mock: build
	@$(BUILD)/gatehouse serve -c examples/mock/gatehouse.yaml --port $(PORT) --admin-port $(ADMIN_PORT)

# The blog demo with Lambda functions (examples/lambda-blog): the same scenario, with the seed's
# Node.js authorizer and a Node.js users service. Installs their npm packages on first use.
run-lambda: build
	@[ -d examples/lambda-blog/node_modules/@aws-sdk/lib-dynamodb ] || \
	  (cd examples/lambda-blog && npm ci --no-audit --no-fund --loglevel=error)
	@echo "gatehouse: the Lambda blog demo on http://127.0.0.1:$(PORT); the scenario: examples/lambda-blog/README.md"
	@$(BUILD)/gatehouse serve -c examples/lambda-blog/gatehouse.yaml --port $(PORT) --admin-port $(ADMIN_PORT)

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
