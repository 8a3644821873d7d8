#!/usr/bin/env bash
# The phone check's network-side presence, measured on real parts: Chromium as the phone in a
# network namespace behind a bridge, its Wi-Fi link switched off, the PC probing it by unicast
# ARP. Prints, for N runs each: seconds from Wi-Fi off to the PC's "left" with the page visible,
# and with the page hidden and suspended; then false "left" claims during a long suspension
# with the Wi-Fi on (a sleeping phone). Needs root (namespaces) and chromium + chromium-driver.
#
#   bench/presence/run.sh [--runs N] [--sleep-secs S]     (defaults: 5 runs, 600 s)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=5
sleep_secs=600
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --sleep-secs) sleep_secs="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --runs N, --sleep-secs S)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export TEBIKI_REQUIRE_ALL_TESTS=1
for i in $(seq "$runs"); do
  cargo test -q --locked -p tebiki-core --test phone_netns -- --nocapture --test-threads 1 \
    turning_the_phones_wifi_off a_suspended_page_whose_phone >>"$log" 2>&1
  echo "run $i/$runs done" >&2
done
TEBIKI_SUSPENDED_SECS="$sleep_secs" cargo test -q --locked -p tebiki-core --test phone_netns -- \
  --nocapture a_page_suspended_for_a_long_while >>"$log" 2>&1
python3 - "$log" <<'PY'
import re, statistics, sys
text = open(sys.argv[1]).read()
def series(name):
    return [int(v) for v in re.findall(rf"BENCH {name}=(\d+)", text)]
for name, target in (("visible_wifi_off_to_left_ms", 5000), ("hidden_wifi_off_to_left_ms", 10000)):
    xs = series(name)
    if not xs:
        print(f"{name}: no samples"); continue
    print(f"{name}: n={len(xs)} median={statistics.median(xs)/1000:.2f} s "
          f"max={max(xs)/1000:.2f} s (target <= {target/1000:.0f} s: "
          f"{'met' if max(xs) <= target else 'MISSED'})")
for secs, k in re.findall(r"BENCH suspended_secs=(\d+) false_left_claims=(\d+)", text):
    print(f"suspended {secs} s on the Wi-Fi: {k} false 'left' claims (target 0: {'met' if k == '0' else 'MISSED'})")
PY
