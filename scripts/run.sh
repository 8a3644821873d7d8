#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine and launches Tebiki with its bundled defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No desktop display was found (DISPLAY/WAYLAND_DISPLAY are empty)." >&2
  echo "Run this from the desktop session, or under Xvfb: xvfb-run -a scripts/run.sh" >&2
  exit 1
fi
exec cargo run --release --locked -p tebiki --features custom-protocol
