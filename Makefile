# Heft: two commands do everything.
#   make run   - install what is missing, build the desktop app (release), launch it
#   make test  - install what is missing, check formatting and lints, run every test
#   make package - build the release .deb and .rpm (target/release/bundle/)
#   make windows - Heft for Windows from Linux: build, tests under Wine, installer (see README)
SHELL := /bin/bash
.DEFAULT_GOAL := run
CARGO ?= cargo
# A hung test fails its step after a bound instead of running CI out of time (tests are
# compiled before the clock starts).
LIMIT := timeout --kill-after=30s

.PHONY: run test deps test-deps ui ui-test bindings ipc-check lint core-is-tauri-free unit desktop-smoke e2e package package-test sim bench fuzz windows

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

# The npm packages (pinned in package-lock.json), again only when the lock file changed.
node_modules: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch node_modules

# The window's front end: ui/src (TypeScript) built by Vite into ui/dist, which the desktop
# app's build embeds, so every target that builds heft-desktop (clippy too) builds this first.
ui: node_modules
	npm run build
	@if grep -nE '<script([^>]*)>[^<]|<style|[[:space:]]style=' ui/dist/index.html; then \
	  echo "heft: ui/dist/index.html has inline script or style, which the CSP refuses" >&2; exit 1; fi

# The front end's type check (strict) and its tests (vitest in jsdom, the shell mocked).
ui-test: node_modules
	npm run check
	npm test

# The window's interface in TypeScript (ui/src/bindings/), written from src-tauri/src/ipc.rs.
bindings: ui
	HEFT_WRITE_BINDINGS=1 $(CARGO) test -p heft-desktop --bin heft-desktop ipc::tests::bindings_are_current

# The two sides agree: the bindings are what ipc.rs says, its list is what commands.rs
# implements and what the capability grants (then `npm run check` types the window by them).
ipc-check: ui
	$(CARGO) test -p heft-desktop --bin heft-desktop

run: deps ui
	$(CARGO) build --release -p heft-desktop
	./target/release/heft-desktop

test: test-deps lint core-is-tauri-free unit ipc-check ui-test desktop-smoke e2e package-test
	@echo "heft: all checks passed"

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	node scripts/lint-workflows.cjs

# The core must build and test without Tauri (DESIGN §2).
core-is-tauri-free:
	@if $(CARGO) tree -p heft -e normal --prefix none | grep -qi '^tauri'; then \
	  echo "heft: the core package depends on tauri; keep Tauri in src-tauri only" >&2; exit 1; \
	else echo "heft: core is Tauri-free"; fi

unit:
	$(CARGO) test --workspace --exclude heft-desktop --no-run
	$(LIMIT) 20m scripts/with-test-session.sh $(CARGO) test --workspace --exclude heft-desktop -- --include-ignored

desktop-smoke: ui
	$(CARGO) build -p heft-desktop
	$(LIMIT) 5m scripts/with-test-session.sh tests/desktop-smoke.sh target/debug/heft-desktop

# The desktop app in a real window under Xvfb, driven through WebDriver (debug build).
e2e: ui
	$(CARGO) build -p heft-desktop -p heft
	$(CARGO) test -p heft-desktop --test e2e --test reminders --no-run
	$(LIMIT) 20m scripts/with-test-session.sh $(CARGO) test -p heft-desktop --test e2e --test reminders -- --include-ignored --test-threads=1 --nocapture

# The Linux packages, release build, with the Tauri CLI from npm (pinned in package.json).
package: deps ui
	scripts/package.sh

# The .deb of the debug build installed, launched, checked and removed again.
package-test: ui
	$(CARGO) build -p heft --bin heft-test-browser
	$(CARGO) test -p heft-desktop --test installed --no-run
	$(LIMIT) 15m scripts/with-test-session.sh tests/package.sh

# Benchmarks against baselines measured in the same run; writes docs/benchmarks.md.
bench: test-deps ui
	scripts/with-test-session.sh bench/run

sim:
	$(CARGO) run -p withings-sim -- --port 0 --years 10

# Fuzzing (not part of `make test`): each target runs FUZZ_SECONDS (default 180), starting
# from the committed seeds in fuzz/seeds/ and keeping what libFuzzer finds in fuzz/corpus/. cargo-fuzz wants
# nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
FUZZ_SECONDS ?= 180
FUZZ_TARGETS ?= getmeas callback import withings_zip withings_csv
fuzz: deps
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	@for t in $(FUZZ_TARGETS); do \
	  echo "heft: fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  mkdir -p fuzz/corpus/$$t; \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t fuzz/corpus/$$t fuzz/seeds/$$t -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 || exit 1; \
	done

# Heft for Windows from Linux: MinGW, Wine, NSIS and the Rust target when missing; the CLI,
# the desktop app, the core's tests and heft.exe end to end under Wine, the installer.
windows: ui
	@scripts/windows.sh
