# SPDX-License-Identifier: Apache-2.0
# The two commands a newcomer needs: `make demo` and `make test`. Everything else is here too.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
# Let ccache share objects between clones of the project (CI builds a fresh clone each time).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: demo test bench fuzz deps deps-fuzz web build-dev build-release clean help

help:
	@echo "make demo    install what is missing, build, start meterd + a simulated fleet (Ctrl-C stops)"
	@echo "make test    install what is missing, build with ASan/UBSan, run every test"
	@echo "make bench   build release and run the benchmarks"
	@echo "make fuzz    build with clang-19/libFuzzer and fuzz each decoder for FUZZ_SECONDS"

deps:
	@scripts/install-deps.sh test

deps-fuzz:
	@scripts/install-deps.sh fuzz

web: deps
	@scripts/build-web.sh

build-dev: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

build-release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

test: web build-dev
	cd web && npm test --silent
	ctest --test-dir build/dev --output-on-failure -j $(JOBS) --timeout 900

demo: web build-release
	scripts/demo.sh

bench: web build-release
	scripts/bench.sh

fuzz: deps-fuzz
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target fuzz_all
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build web/dist
