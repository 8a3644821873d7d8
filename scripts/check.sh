#!/usr/bin/env bash
# The quick local loop: formatting, clippy and the unit tests. Installs nothing (no apt), runs
# no e2e, no browser, no namespaces: for those, scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy (all targets, -D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings
step "unit tests (libraries and binaries)"
cargo test --locked --workspace --lib --bins
step "one zbus (D-Bus) version in the build (docs/VAULT.md)"
dups=$(cargo tree --locked --workspace -e normal --target all -d --depth 0 --prefix none)
if printf '%s\n' "$dups" | grep -q '^zbus '; then
  printf '%s\n' "$dups" | grep '^zbus ' >&2
  echo "two zbus versions are compiled: keep one (docs/VAULT.md)" >&2
  exit 1
fi
