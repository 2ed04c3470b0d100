# loupe — the two commands: `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# The explorer opens samples/faq.txt when no corpus is given; `make run CORPUS=path` picks another.
CORPUS ?=
export LOUPE_HOME ?= $(HOME)/.cache/loupe

# The real HTTP clients the serve tests drive (openai, schemathesis), pinned in a virtualenv.
VENV := .build/venv

.PHONY: run test setup system model fixtures venv build build-debug bench clean fuzz fuzz-build sanitize

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

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every parser, FUZZ_SECONDS per harness, one
# after another on one core. New inputs go to .build-fuzz/corpus/NAME, crashes to .build-fuzz/crashes/NAME
# (copy a fixed crash's input to Tests/FuzzCorpus/NAME/ so `make test` replays it). See docs/CODEBASE.md.
# Leak detection is off: Swift keeps enum tags in pointers' spare bits, which LeakSanitizer cannot follow,
# so everything a loaded tokenizer holds would be reported as leaked.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= safetensors model-config tokenizer-json tokenize-unigram tokenize-wordpiece corpus server-request
FUZZ_FLAGS ?=

fuzz-build:
	$(SWIFT) build -c debug --scratch-path .build-fuzz --product loupe-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING

fuzz: fixtures fuzz-build
	@rc=0; for h in $(FUZZ_HARNESSES); do \
		mkdir -p .build-fuzz/corpus/$$h .build-fuzz/crashes/$$h; \
		echo "== fuzzing $$h for $(FUZZ_SECONDS) s (log: .build-fuzz/$$h.log)"; \
		ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no LOUPE_FUZZ_HARNESS=$$h .build-fuzz/debug/loupe-fuzz \
			-max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=4096 -detect_leaks=0 -print_final_stats=1 -artifact_prefix=.build-fuzz/crashes/$$h/ $(FUZZ_FLAGS) \
			.build-fuzz/corpus/$$h Tests/FuzzCorpus/$$h > .build-fuzz/$$h.log 2>&1 \
			|| { rc=1; echo "   CRASH: see .build-fuzz/$$h.log and .build-fuzz/crashes/$$h/"; }; \
		grep -E "DONE|^stat::peak_rss" .build-fuzz/$$h.log | sed 's/^/   /'; \
	done; exit $$rc

# The test suite under AddressSanitizer, then the concurrency tests (encoder service, indexer, cache, the
# processes sharing a cache, the explorer runtime) under ThreadSanitizer; each in its own scratch path, and
# the end-to-end tests run the sanitized loupe binary built beside them. Leak detection is off (see fuzz).
# The full-disk test is left out: under `ulimit -f` a ThreadSanitizer binary dies at start (SIGBUS in the
# runtime, even for `loupe --help`), so it runs in the plain and ASan suites only.
TSAN_TESTS ?= EncoderServiceTests|ServerTests|RemoteEncodersTests|CacheAndIndexerTests|StreamingTests|SessionTests|ExplorerRuntimeTests|IndexEndToEndTests|CacheUnavailableTests/testA(CacheFile|FileWhere)|ExplorerMonkeyTests

sanitize: setup fixtures venv
	ASAN_OPTIONS=detect_leaks=0 LOUPE_TEST_TIMEOUT_SCALE=6 $(SWIFT) test --sanitize=address --scratch-path .build-asan \
		--parallel --num-workers 2
	TSAN_OPTIONS=halt_on_error=1 LOUPE_TEST_TIMEOUT_SCALE=10 $(SWIFT) test --sanitize=thread --scratch-path .build-tsan \
		--filter '$(TSAN_TESTS)'

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan .fixtures
