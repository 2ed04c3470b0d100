# loupe — the two commands: `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# The explorer opens samples/faq.txt when no corpus is given; `make run CORPUS=path` picks another.
CORPUS ?=
export LOUPE_HOME ?= $(HOME)/.cache/loupe

.PHONY: run test setup system model fixtures build build-debug bench clean

run: setup build
	.build/release/loupe explore $(CORPUS)

test: setup fixtures
	$(SWIFT) build -c release --product loupe
	$(SWIFT) test --parallel --num-workers 2

setup: system model

system:
	@scripts/setup-system.sh

model:
	@scripts/fetch-model.sh

fixtures:
	@scripts/unpack-fixtures.sh

build:
	$(SWIFT) build -c release --product loupe

build-debug:
	$(SWIFT) build

bench: setup build
	.build/release/loupe bench --synthetic jina-v3

clean:
	rm -rf .build .fixtures
