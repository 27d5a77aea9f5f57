# OrderFlow — two commands do everything on a fresh Debian 12 machine:
#   make run    set up, build (release), start broker + five services + demo data; Ctrl-C stops all
#   make test   set up, build once (release, testing enabled), run every test
SHELL := /bin/bash
ROOT := $(CURDIR)
# librdkafka >= 2.1 at run time (Debian's 2.0.2 is only used for its headers).
export LD_LIBRARY_PATH := $(ROOT)/.tools/lib$(if $(LD_LIBRARY_PATH),:$(LD_LIBRARY_PATH))
export ORDERFLOW_TANSU ?= $(ROOT)/.tools/bin/tansu
# One build configuration for everything: what users deploy (release), with testing
# enabled so the same build also runs the tests (@testable imports). Built once.
SWIFT_FLAGS ?= -c release -Xswiftc -enable-testing

.PHONY: setup build test run bench compose-check clean help

help:
	@echo "make run   - set up, build, start broker + services + demo orders (Ctrl-C stops everything)"
	@echo "make test  - set up, build, run all tests (unit, integration, crash, end to end)"
	@echo "make bench - throughput, latency, CPU and memory of the whole pipeline (release build)"

setup:
	@scripts/setup.sh

build: setup
	swift build --build-tests $(SWIFT_FLAGS)

test: build
	.tools/venv/bin/python docs/contract/validate.py
	ORDERFLOW_BIN_DIR="$$(swift build --show-bin-path $(SWIFT_FLAGS))" swift test --skip-build $(SWIFT_FLAGS)

run: build
	@ORDERFLOW_BIN_DIR="$$(swift build --show-bin-path $(SWIFT_FLAGS))" scripts/run.sh

bench: build
	@ORDERFLOW_BIN_DIR="$$(swift build --show-bin-path $(SWIFT_FLAGS))" scripts/bench.sh

compose-check:
	docker-compose -f docker-compose.yml config -q

clean:
	rm -rf .build .run
