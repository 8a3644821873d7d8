#!/usr/bin/env bash
# Sets up everything the test suite needs and runs all of it: formatting, clippy, unit and
# integration tests, the real-browser phone tests, network-namespace tests and the e2e tests
# of the real app (tauri-driver + WebKitWebDriver under Xvfb). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# As root or under CI every test must really run: a missing prerequisite is a failure, not a
# skip (the rule is in test-support/). Elsewhere a test that cannot run says "skipped: …",
# appends a line to $TEBIKI_SKIP_LOG, and the count is printed at the very end.
export TEBIKI_SKIP_LOG="$(mktemp)"
skipped_summary() {
  local n
  n=$(wc -l <"$TEBIKI_SKIP_LOG")
  if [ "$n" -eq 0 ]; then
    printf '\n0 skipped\n'
  else
    printf '\n\033[1m%s skipped\033[0m (a prerequisite is missing; as root or under CI they fail):\n' "$n"
    cut -f2- "$TEBIKI_SKIP_LOG" | sort | uniq -c | sort -rn | sed -E 's/^ *([0-9]+) /\1 skipped: /'
  fi
  rm -f "$TEBIKI_SKIP_LOG"
}
trap skipped_summary EXIT

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings

# One build for every test target and the app binary the e2e tests launch (target/debug/tebiki):
# building it separately would compile the Tauri stack twice with different feature sets.
step "build the tests and the app"
cargo test --locked --workspace --no-run

step "the start-up benchmark's own tests (python3 unittest)"
python3 -m unittest discover -s bench/startup

step "tests (inside a private D-Bus session with an unlocked gnome-keyring)"
export XDG_DATA_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_DATA_HOME"; skipped_summary' EXIT
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "tebiki-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --locked --workspace --no-fail-fast
'

# Windows (most families' PC): the Windows-only code is type-checked, the app and the doctor
# are cross-built with mingw, and the core's unit tests plus the Windows tests
# (core/tests/windows_*.rs: adapter table, network category, Credential Manager, rename
# semantics, the phone server on loopback, the doctor as processes) run under Wine through
# the cargo runner in .cargo/config.toml. Costs: docs/BENCHMARKS.md.
# (tebiki-e2e drives WebKitWebDriver under Xvfb: Linux only, not built for Windows.)
step "Windows: clippy for x86_64-pc-windows-gnu (all targets, -D warnings)"
cargo clippy --locked --target x86_64-pc-windows-gnu --workspace --exclude tebiki-e2e \
  --all-targets -- -D warnings

step "Windows: build tebiki.exe and tebiki-doctor.exe (x86_64-pc-windows-gnu)"
cargo build --locked --target x86_64-pc-windows-gnu -p tebiki -p tebiki-core --bins

step "Windows: core unit tests and the Windows tests, under Wine"
cargo test --locked --target x86_64-pc-windows-gnu -p tebiki-core --lib \
  --test windows_net --test windows_platform --test windows_pc
# tebiki.exe itself: without a usable window (Wine has no WebView2) it must exit, not hang.
cargo test --locked --target x86_64-pc-windows-gnu -p tebiki --test windows_start

# macOS: type-check and lint the core for Apple silicon (no Apple SDK here: ring's C files are
# compiled freestanding by Debian's clang with the stand-in headers in
# scripts/macos-check-include/; nothing is linked). The Tauri shell is not checked: its
# notification crate needs the SDK's Cocoa headers. See docs/NETWORK.md.
step "macOS: clippy for aarch64-apple-darwin (tebiki-core, all targets, -D warnings)"
CC_aarch64_apple_darwin=clang AR_aarch64_apple_darwin=llvm-ar \
CFLAGS_aarch64_apple_darwin="--target=arm64-apple-macos11 -ffreestanding -nostdlibinc -I$PWD/scripts/macos-check-include" \
  cargo clippy --locked --target aarch64-apple-darwin -p tebiki-core --all-targets -- -D warnings
