#!/usr/bin/env bash
# Start-up and memory benchmark (issue 6): builds a bare Tauri window and Tebiki in release
# mode, launches each N times under a private Xvfb, and prints the medians of time to the
# painted home screen and total PSS, Tebiki against the bare window of the same run.
# Targets: time <= 1.15x bare, PSS <= bare + 25 MiB. How it measures: measure.py's docstring.
# The bare window is also launched with a Japanese heading ("bare-ja"), to tell the cost of
# Japanese text (a CJK font) from the cost of Tebiki's own code; the targets stay against
# the plain bare window. It is launched a third way, without GPU compositing ("bare-nocomp"),
# as Tebiki draws on Linux: the like-for-like figure for what Tebiki's own code costs.
#
#   bench/startup/run.sh [--runs N] [--no-build] [--settle S]
#
# Prints a table and one machine-readable line starting with "STARTUP_BENCH ", writes all
# launches to target/bench-startup/result.json and the last frame of each launch to
# target/bench-startup/shots/. Exit 0 when every launch was measured (a missed target is
# reported, not an error); non-zero when something could not be built or launched.
# Needs: Xvfb (xvfb), dbus-daemon (dbus), python3, the Tauri build packages (scripts/setup.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs=5
build=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --settle) extra+=(--settle "$2"); shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in Xvfb dbus-daemon python3 cargo; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is missing (Debian: xvfb, dbus, python3; cargo from rustup)" >&2
    exit 2
  fi
done

bare_target="$root/target/bench-bare"
bare_bin="$bare_target/release/tebiki-bench-bare"
tebiki_bin="$root/target/release/tebiki"
out="$root/target/bench-startup"

if [ "$build" = 1 ]; then
  # Both as production builds: `tauri build` turns on tauri's custom-protocol feature (assets
  # served from the binary, no dev server); a plain `cargo build` would make a dev-mode app.
  echo "building the bare window (release) into target/bench-bare ..." >&2
  CARGO_TARGET_DIR="$bare_target" cargo build --release --locked \
    --features tauri/custom-protocol --manifest-path "$here/bare/Cargo.toml"
  echo "building Tebiki (release) ..." >&2
  (cd "$root" && cargo build --release --locked -p tebiki --features tauri/custom-protocol)
fi

mkdir -p "$out"
# measure.py stops every process it started (its own finally blocks, also on SIGTERM/Ctrl-C);
# the trap forwards a signal to it so nothing outlives this script.
python3 "$here/measure.py" --bare "$bare_bin" --tebiki "$tebiki_bin" --runs "$runs" --bare-ja --bare-nocomp \
  --json "$out/result.json" --screenshots "$out/shots" "${extra[@]}" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 130' INT TERM
wait "$child"
