#!/usr/bin/env bash
# Draws docs/images/order-card-ja.png (the picture in the README): the Japanese order card
# for an iPhone with the real pictures from ui/pictures, printed by headless Chromium to one
# A4 page exactly as the card test prints it, then drawn at 60 dpi by poppler's pdftoppm.
# Needs what scripts/setup.sh installs (chromium, poppler-utils, fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run -q -p tebiki-core --bin tebiki-doctor -- report card \
  --playbook au-id --platform iphone --lang ja --profile 田中 >"$tmp/card.html"
cp -r ui/pictures "$tmp/pictures"
/usr/lib/chromium/chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --no-pdf-header-footer --user-data-dir="$tmp/profile" \
  --print-to-pdf="$tmp/card.pdf" "file://$tmp/card.html" 2>/dev/null
pdftoppm -png -r 60 -singlefile "$tmp/card.pdf" docs/images/order-card-ja
echo "wrote docs/images/order-card-ja.png"
