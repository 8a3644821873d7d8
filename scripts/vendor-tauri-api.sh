#!/usr/bin/env bash
# Copies @tauri-apps/api's core.js (and the tslib helper it imports) into ui/vendor/tauri/.
#   scripts/vendor-tauri-api.sh 2.12.5
# Then update the version and sha256 table in ui/vendor/tauri/README.md.
set -euo pipefail
version="${1:?usage: $0 <@tauri-apps/api version, e.g. 2.12.5>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@tauri-apps/api@$version" >/dev/null && tar xzf ./*.tgz)
dest="$root/ui/vendor/tauri"
mkdir -p "$dest/external/tslib"
cp "$tmp/package/core.js" "$dest/core.js"
cp "$tmp/package/external/tslib/tslib.es6.js" "$dest/external/tslib/tslib.es6.js"
sha256sum "$dest/core.js" "$dest/external/tslib/tslib.es6.js"
