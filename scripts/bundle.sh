#!/usr/bin/env bash
# Builds the release binary and the Debian package (target/release/bundle/deb/*.deb) with the
# prebuilt Tauri CLI from npm (pinned in package.json / package-lock.json). Needs Node 18+.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
# `npm install` (not `npm ci`): this npm records only this platform's optional CLI binary in
# the lock file, which `npm ci` rejects; `install` still honours the pinned versions.
npm install --no-audit --no-fund
npx tauri build --bundles deb
ls -l target/release/tebiki target/release/bundle/deb/*.deb
