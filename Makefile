# Heft: two commands do everything.
#   make run   - install what is missing, build the desktop app (release), launch it
#   make test  - install what is missing, check formatting and lints, run every test
SHELL := /bin/bash
.DEFAULT_GOAL := run
CARGO ?= cargo
# A hung test fails its step after a bound instead of running CI out of time.
LIMIT := timeout --kill-after=30s

.PHONY: run test deps test-deps lint core-is-tauri-free unit desktop-smoke e2e sim bench

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

run: deps
	$(CARGO) build --release -p heft-desktop
	./target/release/heft-desktop

test: test-deps lint core-is-tauri-free unit desktop-smoke e2e
	@echo "heft: all checks passed"

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The core must build and test without Tauri (DESIGN §2).
core-is-tauri-free:
	@if $(CARGO) tree -p heft -e normal --prefix none | grep -qi '^tauri'; then \
	  echo "heft: the core package depends on tauri; keep Tauri in src-tauri only" >&2; exit 1; \
	else echo "heft: core is Tauri-free"; fi

unit:
	$(LIMIT) 30m scripts/with-test-session.sh $(CARGO) test --workspace --exclude heft-desktop

desktop-smoke:
	$(CARGO) build -p heft-desktop
	$(LIMIT) 5m scripts/with-test-session.sh tests/desktop-smoke.sh target/debug/heft-desktop

# The desktop app in a real window under Xvfb, driven through WebDriver (debug build).
e2e:
	$(CARGO) build -p heft-desktop
	$(LIMIT) 20m scripts/with-test-session.sh $(CARGO) test -p heft-desktop --test e2e -- --test-threads=1 --nocapture

# Benchmarks against baselines measured in the same run; writes docs/benchmarks.md.
bench: test-deps
	scripts/with-test-session.sh bench/run

sim:
	$(CARGO) run -p withings-sim -- --port 0 --years 10
