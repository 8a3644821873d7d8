#!/usr/bin/env bash
# Runs the README's two commands on a fresh Debian 12 as a new user would, to check that the
# suite is green "from nothing" (not only on the machine the work was done on).
#
#   sudo scripts/fresh-root.sh [COMMIT]        (default: HEAD; needs root and debootstrap)
#
# 1. debootstrap builds a Debian 12 (bookworm) root from the Debian archive (the mirror this
#    machine's apt uses), standard variant plus ca-certificates, like a cloud image;
# 2. a clean `git clone` of COMMIT is put in it (nothing of this work tree: no target/, no
#    untracked files);
# 3. the machine's Rust toolchain is lent to it (the rustup installer's host is not reachable
#    from these machines): ~/.rustup's settings and the default toolchain, bind-mounted
#    read-only, and the rustup proxies from ~/.cargo/bin. Nothing else of ~/.cargo: crates are
#    downloaded, tauri-driver is built, exactly as on a new machine;
# 4. inside it, as root: `scripts/run.sh` without a display (installs what the app needs and
#    stops where the window would open, saying how to run it), then `scripts/test.sh` in
#    full. FRESH_ROOT_WINDOW=1 also runs `xvfb-run scripts/run.sh` (a release build) and
#    checks that the app is still running after 20 s.
#
# Everything runs in a private mount namespace: /proc, /sys, /dev and the toolchain mounts
# (and the /run/netns mounts the tests make) vanish with it, and are also unmounted by a
# trap. The root is deleted at the end unless FRESH_ROOT_KEEP=1. Log: $work/fresh-root.log.
# Timings: docs/FRESH-ROOT.md.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "fresh-root.sh needs root (debootstrap, chroot, mounts)" >&2; exit 1; }

# Re-run inside a private mount namespace, so no mount can outlive this script.
if [ -z "${FRESH_ROOT_IN_NS:-}" ]; then
  export FRESH_ROOT_IN_NS=1
  exec unshare --mount --propagation private -- "$0" "$@"
fi

commit=$(git -C "$repo" rev-parse --verify "${1:-HEAD}^{commit}")
work=${FRESH_ROOT_DIR:-/var/tmp/tebiki-fresh-${commit:0:10}}
root=$work/root
mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
mirror=${mirror:-http://deb.debian.org/debian}
# The machine's default toolchain, by its real directory (an alias such as 1.95.0 may be a
# symbolic link to it).
toolchain_dir=$(cd / && readlink -f "$(rustc --print sysroot)")
command -v debootstrap >/dev/null || {
  echo "debootstrap is missing: apt-get install debootstrap" >&2
  exit 1
}

mkdir -p "$work"
log=$work/fresh-root.log
exec > >(tee -a "$log") 2>&1
t0=$(date +%s)
stamp() { printf '\n\033[1m[fresh-root %4ds] %s\033[0m\n' $(($(date +%s) - t0)) "$*"; }

cleanup() {
  local rc=$?
  set +e
  # Anything still running inside the root (daemons a failed test left behind).
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  # Unmount everything under the root, deepest first.
  awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts |
    sort -r | while read -r m; do umount -l "$m"; done
  if awk -v r="$root" 'index($2, r) == 1' /proc/self/mounts | grep -q .; then
    echo "fresh-root: mounts are left under $root" >&2
  elif [ "${FRESH_ROOT_KEEP:-0}" != 1 ]; then
    rm -rf --one-file-system "$root"
  fi
  stamp "done (exit $rc); log: $log"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stamp "debootstrap bookworm from $mirror into $root"
rm -rf --one-file-system "$root"
debootstrap --include=ca-certificates bookworm "$root" "$mirror" >"$work/debootstrap.log"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# A machine behind a TLS-inspecting proxy trusts its CA; a new machine there would too
# (without it, cargo cannot reach crates.io). Public certificates only.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
# Like an installed system: updates and security too (Chromium comes from bookworm-security).
security=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -m1 security || true)
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${security:-http://deb.debian.org/debian-security} bookworm-security main
EOF
stamp "root ready ($(du -sh --one-file-system "$root" | cut -f1))"

stamp "clean clone of $commit"
git clone -q --no-local --no-checkout "$repo" "$root/root/tebiki"
git -C "$root/root/tebiki" checkout -q --detach "$commit"

# The root becomes a mount point of its own, as / is on a real machine: `ip netns exec` and
# `unshare --mount-proc` (the namespace and phone tests) re-mount "/" as a slave or private
# mount, which fails with "Invalid argument" when "/" is a plain directory under a chroot.
mount --bind "$root" "$root"

stamp "lend the Rust toolchain ($toolchain_dir, read-only)"
mkdir -p "$root/root/.cargo/bin" "$root/root/.rustup/toolchains"
cp "$HOME/.rustup/settings.toml" "$root/root/.rustup/"
# The toolchain under its own name, plus any alias (e.g. 1.95.0 -> stable) pointing at it.
name=$(basename "$toolchain_dir")
mkdir -p "$root/root/.rustup/toolchains/$name"
mount --bind "$toolchain_dir" "$root/root/.rustup/toolchains/$name"
mount -o remount,bind,ro "$root/root/.rustup/toolchains/$name"
for l in "$HOME"/.rustup/toolchains/*; do
  [ -L "$l" ] && [ "$(readlink -f "$l")" = "$(readlink -f "$toolchain_dir")" ] &&
    ln -s "/root/.rustup/toolchains/$name" "$root/root/.rustup/toolchains/$(basename "$l")"
done
for b in rustup cargo rustc rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  cp "$HOME/.cargo/bin/$b" "$root/root/.cargo/bin/" 2>/dev/null || true
done
cat >"$root/root/.cargo/env" <<'EOF'
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac
EOF

stamp "mount /proc, /sys, /dev"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mount -t tmpfs tmpfs "$root/run"

inside() {
  chroot "$root" /usr/bin/env -i HOME=/root USER=root LANG=C.UTF-8 TERM=dumb CI=true \
    PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "set -euo pipefail; cd /root/tebiki && $1"
}

stamp "README command 1: scripts/run.sh (no display: set up, then stop where the window opens)"
set +e
inside 'scripts/run.sh' >"$work/run.out" 2>&1
rc=$?
set -e
cat "$work/run.out"
if [ "$rc" -ne 1 ] || ! grep -q "No desktop display" "$work/run.out"; then
  echo "fresh-root: run.sh did not stop at the window as expected (exit $rc)" >&2
  exit 1
fi
stamp "run.sh: setup done, stopped at the window"

if [ "${FRESH_ROOT_WINDOW:-0}" = 1 ]; then
  stamp "run.sh under Xvfb (release build), the app must still run after 20 s"
  # Build first (run.sh would, but the 20 s are for the window, not the build); `timeout`
  # exits 124 when it had to stop the app, i.e. the app was still running.
  inside 'apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null
    . ~/.cargo/env
    cargo build --release --locked -p tebiki --features custom-protocol
    rc=0; timeout 20 xvfb-run -a scripts/run.sh || rc=$?
    [ "$rc" -eq 124 ]'
  stamp "the app ran for 20 s under Xvfb"
fi

stamp "README command 2: scripts/test.sh (as root, CI=true)"
inside 'scripts/test.sh'
stamp "test.sh passed"
