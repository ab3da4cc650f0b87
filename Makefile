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

.PHONY: all deps test-deps build run run-mock run-lambda test test-fuzz test-asan bench format \
	check-deps clean install package

all: build

# What building and running need (make run); what the tests need besides (make test).
deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

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

# The build again once the test dependencies are in: a build made by `make run` has no unit tests
# (GoogleTest was not installed), and configuring again finds it.
test: test-deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)
	@scripts/run-tests.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGH_SANITIZE=ON

test-asan: test-deps $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  scripts/run-tests.sh $(ASAN_BUILD)

bench: build
	@scripts/install-deps.sh --bench
	@bench/run.sh $(BUILD)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

# Installs under PREFIX (/usr/local by default; DESTDIR is honoured): bin/gatehouse stripped, its
# debug information in bin/.debug/, the runtimes in share/gatehouse/runtimes (found relative to the
# binary wherever the tree is moved), docs and examples in share/doc/gatehouse, the systemd unit in
# lib/systemd/system.
PREFIX ?= /usr/local
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)
	@scripts/split-debug.sh "$(DESTDIR)$(PREFIX)/bin/gatehouse"

# The Debian package: $(BUILD)/gatehouse_<version>_amd64.deb (stripped) and its -dbgsym .ddeb.
package: build
	@cd $(BUILD) && cpack -G DEB

check-deps:
	@scripts/check-includes.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

test-fuzz: test-deps
	@scripts/run-fuzz.sh $(FUZZ_BUILD) $${GH_FUZZ_SECONDS:-60}
