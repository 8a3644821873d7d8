#!/usr/bin/env bash
# Installs what Tebiki needs on Debian 12 / Ubuntu 22.04+, and nothing that is already there.
# Usage: scripts/setup.sh [--test]   (--test adds what the test suite needs)
# Idempotent: a second run installs nothing and takes a second or two.
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# Build and runtime packages for a Tauri v2 app (webkit2gtk-4.1), per the Tauri prerequisites.
pkgs=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libxdo-dev
      libayatana-appindicator3-dev librsvg2-dev fonts-noto-cjk)
if [ "$want_test" = 1 ]; then
  # e2e: Xvfb + WebKitWebDriver; the phone: Chromium + ChromeDriver; the vault: gnome-keyring's
  # Secret Service on a private D-Bus; network namespaces: iproute2; PDF checks: poppler-utils;
  # the start-up benchmark's own tests draw with xlogo/xclock: x11-apps; the X clipboard: xclip.
  pkgs+=(xvfb xauth chromium chromium-driver gnome-keyring dbus dbus-x11 libsecret-tools
         iproute2 poppler-utils x11-apps xclip)
  # Windows: cross-build with mingw, run the Windows tests under Wine (8.0 on Debian 12),
  # makensis for the installer script.
  pkgs+=(gcc-mingw-w64-x86-64 wine64 nsis)
  # macOS type check: clang (and llvm-ar) compile ring's C for aarch64-apple-darwin.
  pkgs+=(clang llvm)
  # Ubuntu 24.10+ renamed webkit2gtk-driver to webkitgtk-webdriver.
  if apt-cache show webkit2gtk-driver >/dev/null 2>&1 || ! apt-cache show webkitgtk-webdriver >/dev/null 2>&1; then
    pkgs+=(webkit2gtk-driver)
  else
    pkgs+=(webkitgtk-webdriver)
  fi
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "System packages: all present"
fi

# Rust: Tauri 2.12 needs 1.90 or newer. Debian's own cargo is too old, so use rustup.
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
rust_ok() {
  command -v cargo >/dev/null 2>&1 || return 1
  local v; v=$(rustc --version | awk '{print $2}')
  [ "$(printf '%s\n1.90.0\n' "$v" | sort -V | head -1)" = "1.90.0" ]
}
if ! rust_ok; then
  say "Installing Rust (rustup, stable)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
    --component rustfmt --component clippy
  . "$HOME/.cargo/env"
fi
say "Rust: $(rustc --version)"

if [ "$want_test" = 1 ]; then
  for c in rustfmt clippy; do
    if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
      rustup component add "$c"
    fi
  done
  # The Windows and macOS standard libraries for the cross-checks (scripts/test.sh).
  for t in x86_64-pc-windows-gnu aarch64-apple-darwin; do
    if ! rustup target list --installed | grep -qx "$t"; then
      say "Adding the Rust target $t"
      rustup target add "$t"
    fi
  done
  if ! command -v tauri-driver >/dev/null 2>&1; then
    say "Installing tauri-driver"
    cargo install tauri-driver --locked --version 2.1.0
  fi
  # axe-core (the accessibility engine the e2e tests inject), pinned in tests/axe/package.json.
  if ! command -v npm >/dev/null 2>&1; then
    say "Installing Node.js and npm (for axe-core in the tests)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  axe_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/axe"
  want_axe=$(sed -n 's/.*"axe-core": *"\([^"]*\)".*/\1/p' "$axe_dir/package.json")
  have_axe=""
  if [ -f "$axe_dir/node_modules/axe-core/package.json" ]; then
    have_axe=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$axe_dir/node_modules/axe-core/package.json" | head -1)
  fi
  if [ "$have_axe" != "$want_axe" ]; then
    say "Installing axe-core $want_axe (npm ci in tests/axe)"
    (cd "$axe_dir" && npm ci --no-audit --no-fund --silent)
  fi
fi
