# loupe — the two commands: `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# The explorer opens samples/faq.txt when no corpus is given; `make run CORPUS=path` picks another.
CORPUS ?=
export LOUPE_HOME ?= $(HOME)/.cache/loupe

# The real HTTP clients the serve tests drive (openai, schemathesis), pinned in a virtualenv.
VENV := .build/venv

.PHONY: run test setup system model fixtures venv build build-debug bench clean

run: setup build
	.build/release/loupe explore $(CORPUS)

# The tests run the debug loupe that `swift test` builds (no release build: it would double CI time).
test: setup fixtures venv
	@# --parallel prints no XCTest summary, so the closing 'N passed, N failed' line comes from
	@# the xUnit report; the exit code is swift test's (or the summary's when tests failed).
	@rm -f .build/xunit.xml; rc=0; \
	$(SWIFT) test --parallel --num-workers 2 --disable-swift-testing --xunit-output .build/xunit.xml || rc=$$?; \
	scripts/test-summary.py .build/xunit.xml || { [ $$rc -ne 0 ] || rc=1; }; \
	exit $$rc

setup: system model

system:
	@scripts/setup-system.sh

model:
	@scripts/fetch-model.sh

fixtures:
	@scripts/unpack-fixtures.sh

venv: $(VENV)/.stamp

$(VENV)/.stamp: scripts/serve-test-requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/serve-test-requirements.txt
	touch $@

build:
	$(SWIFT) build -c release --product loupe

build-debug:
	$(SWIFT) build

bench: setup build
	.build/release/loupe bench --synthetic jina-v3

clean:
	rm -rf .build .fixtures
