#!/usr/bin/env bash
# Runs a Windows program (a test binary, tebiki-doctor.exe) under Wine: the cargo runner for
# x86_64-pc-windows-gnu (see .cargo/config.toml). Wine runs in a private prefix under
# target/wine-prefix (created once, no GUI: no Mono/Gecko installers, no desktop menus), with
# a small shim for bcryptprimitives.dll, which Rust's standard library needs and Wine 8 lacks
# (scripts/windows/bcryptprimitives-shim.c). Output of Wine itself is silenced (WINEDEBUG).
# Tests under Wine only ever use loopback.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WINEPREFIX="${TEBIKI_WINEPREFIX:-$root/target/wine-prefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono/Gecko download prompts, no .desktop files written into the host's menus.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=;winemenubuilder.exe=d}"
# No window may appear: Wine falls back to its null display driver.
unset DISPLAY WAYLAND_DISPLAY

wine="$(command -v wine64 || true)"
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
if [ ! -x "$wine" ]; then
  echo "wine-run: Wine is not installed (Debian package wine64; scripts/setup.sh --test installs it)" >&2
  exit 127
fi

ready="$WINEPREFIX/.tebiki-ready"
if [ ! -f "$ready" ]; then
  mkdir -p "$(dirname "$WINEPREFIX")"
  (
    flock 9
    if [ ! -f "$ready" ]; then
      echo "wine-run: creating the Wine prefix $WINEPREFIX (once)" >&2
      "$wine" wineboot -i >/dev/null 2>&1
      "$(dirname "$wine")/wineserver" -w 2>/dev/null || wineserver -w
      dll="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
      x86_64-w64-mingw32-gcc -shared -O2 -s -Wl,--kill-at -o "$dll" \
        "$root/scripts/windows/bcryptprimitives-shim.c" -ladvapi32
      touch "$ready"
    fi
  ) 9>"$WINEPREFIX.lock"
fi
# Lets the Windows tests say where Wine differs from Windows (WinRT), instead of guessing.
export TEBIKI_UNDER_WINE=1
exec "$wine" "$@"
