#!/usr/bin/env python3
"""Start-up and memory benchmark: a bare Tauri window against Tebiki, measured the same way.

Each launch gets its own Xvfb (1024x768, the size of both apps' window, so the window covers
the whole screen when there is no window manager), its own session D-Bus, and its own HOME and
XDG directories. The measurement knows nothing about either app:

* Time: the X screen is read straight from the X server (a GetImage request over the X
  socket, in this file: no xwd or ImageMagick process per sample) every ~20 ms from the
  moment the app is started. We note when a large top-level window is first viewable
  ("window mapped", from QueryTree/GetWindowAttributes), when that window's area first
  shows more than one colour ("first paint": something was drawn into it; an empty
  GTK/WebKit window is one flat colour), and the last time the screen changed before
  staying still for SETTLE seconds ("home screen painted": the page, including what its
  script fills in, is on screen). The last one is the headline figure: for Tebiki the home
  screen is drawn by its script after the static page, so the first non-blank frame is not
  yet the home screen. Any change counts, so a page that overflows the window (an overlay
  scrollbar fades out seconds later) looks slow; Tebiki's home screen fits.
* Memory: once the screen has been still for SETTLE seconds, the sum of `Pss` from
  /proc/<pid>/smaps_rollup over the app process and all its descendants (WebKitWebProcess,
  WebKitNetworkProcess, ...). PSS shares the pages of shared libraries fairly between the
  processes that map them, so the sum is what this app costs the machine. Xvfb and the
  D-Bus daemon are not counted (they are not the app's). PSS also divides pages shared with
  *other* programs: another WebKit app running at the same time lowers it, so such launches
  are flagged, and "own pages" is reported alongside: every physical page the tree maps,
  counted once (from /proc/<pid>/pagemap, as root), which other programs do not change.

Launches alternate between the apps (bare, Tebiki, Tebiki, bare, ...; the order rotates
every run) so a slow spell on this shared machine hits all of them. With --bare-ja the bare
window is also launched showing a Japanese heading: WebKit then loads a CJK font as it must
for Tebiki's Japanese screens, which tells what Japanese text costs from what Tebiki adds.
With --bare-nocomp the bare window is also launched the way Tebiki draws on Linux, without
WebKit's GPU compositing (WEBKIT_DISABLE_COMPOSITING_MODE=1, which Tebiki sets for itself):
the like-for-like comparison, telling what Tebiki's own code costs from what the renderer
choice saves. The targets stay against the plain bare window, WebKit's default.
Medians over N launches are reported, with the ratio of times (Tebiki / bare) and the
difference in PSS, against the targets of issue 6: time <= 1.15x, PSS <= bare + 25 MiB.

Standard library only. Run through ../startup/run.sh, which builds both apps first.
"""

from __future__ import annotations

import argparse
from array import array
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

WIDTH, HEIGHT = 1024, 768
POLL_S = 0.020
TIME_TARGET_RATIO = 1.15
PSS_TARGET_MIB = 25.0


# Variables that would change how WebKit draws (and so what is measured) if inherited.
RENDERER_VARS = ("WAYLAND_DISPLAY", "WEBKIT_DISABLE_COMPOSITING_MODE",
                 "WEBKIT_FORCE_COMPOSITING_MODE", "WEBKIT_DISABLE_DMABUF_RENDERER",
                 "WEBKIT_SKIA_ENABLE_CPU_RENDERING", "TEBIKI_GPU_COMPOSITING", "LIBGL_ALWAYS_SOFTWARE")


class BenchError(Exception):
    """Something the benchmark could not do; the message says what and what to check."""


# --- a minimal X11 client: connection setup and GetImage, nothing else -------------------


class XScreen:
    """Reads the root window's pixels from an X server over its Unix socket."""

    def __init__(self, display: int, timeout_s: float = 10.0):
        path = f"/tmp/.X11-unix/X{display}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout_s)
        try:
            self.sock.connect(path)
        except OSError as err:
            raise BenchError(f"cannot connect to the X server at {path}: {err}") from err
        # Little-endian, protocol 11.0, no authorisation (our private Xvfb has none).
        self.sock.sendall(struct.pack("<BxHHHHxx", ord("l"), 11, 0, 0, 0))
        head = self._read(8)
        if head[0] != 1:
            reason = self._read(struct.unpack_from("<H", head, 6)[0] * 4)[: head[1]]
            raise BenchError(f"the X server refused the connection: {reason!r}")
        body = self._read(struct.unpack_from("<H", head, 6)[0] * 4)
        vendor_len = struct.unpack_from("<H", body, 16)[0]
        n_formats = body[21]
        if body[22] != 0:
            raise BenchError("the X server sends big-endian images; this reader expects little")
        screen = 32 + ((vendor_len + 3) & ~3) + 8 * n_formats
        self.root = struct.unpack_from("<I", body, screen)[0]
        self.width, self.height = struct.unpack_from("<HH", body, screen + 20)
        depth = body[screen + 38]
        if depth != 24:
            raise BenchError(f"expected a 24-bit screen, got depth {depth}")

    def _read(self, n: int) -> bytes:
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = self.sock.recv_into(view[got:], n - got)
            if k == 0:
                raise BenchError("the X server closed the connection")
            got += k
        return bytes(buf)

    def grab(self) -> bytes:
        """The whole screen as 32-bit BGRX pixels (ZPixmap on a little-endian 24-bit screen)."""
        # GetImage (opcode 73), format ZPixmap (2), request length 5 words, all planes.
        req = struct.pack(
            "<BBHIhhHHI", 73, 2, 5, self.root, 0, 0, self.width, self.height, 0xFFFFFFFF
        )
        self.sock.sendall(req)
        while True:
            head = self._read(32)
            if head[0] == 1:
                return self._read(struct.unpack_from("<I", head, 4)[0] * 4)
            if head[0] == 0:
                raise BenchError(f"X error {head[1]} on GetImage")
            # An event (we select none, but be safe): 32 bytes, skip it.

    def _request(self, req: bytes) -> bytes:
        """Sends one request and returns its whole reply (header and extra data)."""
        self.sock.sendall(req)
        while True:
            head = self._read(32)
            if head[0] == 1:
                return head + self._read(struct.unpack_from("<I", head, 4)[0] * 4)
            if head[0] == 0:
                raise BenchError(f"X error {head[1]} on request {req[0]}")

    def app_windows(self, min_side: int = 200) -> list[tuple[int, int, int, int]]:
        """Rectangles (x, y, w, h), clipped to the screen, of the viewable top-level windows
        at least `min_side` wide and high (toolkits also map tiny helper windows)."""
        tree = self._request(struct.pack("<BxHI", 15, 2, self.root))  # QueryTree
        n = struct.unpack_from("<H", tree, 16)[0]
        rects = []
        for (win,) in struct.iter_unpack("<I", tree[32 : 32 + 4 * n]):
            try:
                attrs = self._request(struct.pack("<BxHI", 3, 2, win))  # GetWindowAttributes
                if attrs[26] != 2:  # map-state: IsViewable
                    continue
                geo = self._request(struct.pack("<BxHI", 14, 2, win))  # GetGeometry
            except BenchError:
                continue  # destroyed between the two requests
            x, y, w, h = struct.unpack_from("<hhHH", geo, 12)
            x0, y0 = max(x, 0), max(y, 0)
            x1, y1 = min(x + w, self.width), min(y + h, self.height)
            if x1 - x0 >= min_side and y1 - y0 >= min_side:
                rects.append((x0, y0, x1 - x0, y1 - y0))
        return rects

    def close(self) -> None:
        self.sock.close()


def region_uniform(frame: bytes, width: int, rect: tuple[int, int, int, int]) -> bool:
    """Whether every pixel of `rect` in a BGRX frame has one colour (nothing drawn yet)."""
    x, y, w, h = rect
    first = frame[(y * width + x) * 4 : (y * width + x) * 4 + 4]
    row = first * w
    for yy in range(y, y + h):
        at = (yy * width + x) * 4
        if frame[at : at + 4 * w] != row:
            return False
    return True


def write_png(path: Path, frame: bytes, width: int, height: int) -> None:
    """Saves a BGRX frame as an RGB PNG (to look at what was measured)."""
    rgb = bytearray(width * height * 3)
    rgb[0::3] = frame[2::4]
    rgb[1::3] = frame[1::4]
    rgb[2::3] = frame[0::4]
    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride : (y + 1) * stride] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 6))
    png += chunk(b"IEND", b"")
    path.write_bytes(png)


# --- processes ------------------------------------------------------------------------


def read_line_from(proc: subprocess.Popen, what: str, timeout_s: float = 10.0) -> str:
    """First line a helper prints on stdout (display number, bus address), bounded in time."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    deadline = time.monotonic() + timeout_s
    buf = b""
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            chunk = None
        if chunk:
            buf += chunk
            if b"\n" in buf:
                return buf.split(b"\n", 1)[0].decode().strip()
        elif chunk == b"" or proc.poll() is not None:
            break
        time.sleep(0.01)
    raise BenchError(f"{what} did not start (no line on stdout within {timeout_s:.0f} s)")


def descendants(root_pid: int) -> list[int]:
    """The pid and every descendant of it, from /proc (ppid links)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # exited while we looked
        # The command name may contain spaces and parentheses: split after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def memory_kib(pid: int) -> dict[str, int] | None:
    """Pss, Rss and Uss (private pages: Private_Clean + Private_Dirty) of one process."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss", "Private_Clean", "Private_Dirty"):
                fields[key] = int(rest.split()[0])
    except OSError:
        return None  # exited, or a kernel thread
    if "Pss" not in fields:
        return None
    return {
        "pss": fields["Pss"],
        "rss": fields.get("Rss", 0),
        "uss": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
    }


def other_webkit_processes(ours: list[int]) -> int:
    """WebKit web processes on this machine that are not ours. They share WebKit's library
    pages with ours, which lowers our PSS (PSS divides a shared page among all its users):
    launches measured while another WebKit app runs are flagged."""
    mine = set(ours)
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in mine and comm(int(entry)) == "WebKitWebProces":
            count += 1
    return count


PAGE = os.sysconf("SC_PAGE_SIZE")
CHUNK_PAGES = 1 << 16


def own_pages_kib(pids: list[int]) -> int | None:
    """Every physical page mapped by any of `pids`, counted once (from /proc/<pid>/pagemap;
    needs root for the page frame numbers). On a quiet machine this is about the sum of PSS
    over the tree (plus the few pages it shares with Xvfb and D-Bus); unlike PSS it does not
    drop when another program maps the same libraries. None when frame numbers are hidden."""
    frames: set[int] = set()
    pfn_mask = (1 << 55) - 1
    zero = bytes(CHUNK_PAGES * 8)
    for pid in pids:
        try:
            ranges = []
            for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
                lo, hi = (int(x, 16) for x in line.split(None, 1)[0].split("-"))
                if lo < 1 << 47:  # skips [vsyscall], which pagemap does not cover
                    ranges.append((lo, hi))
            with open(f"/proc/{pid}/pagemap", "rb", buffering=0) as pm:
                for lo, hi in ranges:
                    for start in range(lo, hi, CHUNK_PAGES * PAGE):
                        n = (min(hi, start + CHUNK_PAGES * PAGE) - start) // PAGE
                        pm.seek(start // PAGE * 8)
                        data = pm.read(n * 8)
                        if data == zero[: len(data)]:
                            continue  # nothing present: most of JSC's reserved space
                        for entry in array("Q", data):
                            if entry >> 63:  # present in RAM
                                frames.add(entry & pfn_mask)
        except OSError:
            continue  # exited while we looked
    if frames and frames == {0}:
        return None
    return len(frames) * PAGE // 1024


def pss_by_mapping(pid: int, top: int = 8) -> list[tuple[str, int]]:
    """Where a process's PSS is, by mapped file (or [heap], [anon], ...), largest first:
    tells which libraries, fonts or heaps make the difference between two apps."""
    totals: dict[str, int] = {}
    name = "?"
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return []
    for line in text.splitlines():
        first = line.split(maxsplit=5)
        if first and "-" in first[0] and len(first) >= 5 and ":" in first[3]:
            # A mapping header: address perms offset dev inode [pathname]
            name = first[5].strip() if len(first) == 6 else "[anon]"
            if name.startswith("/memfd:") or name.startswith("/dev/shm/"):
                name = name.split(" ", 1)[0]
        elif line.startswith("Pss:"):
            totals[name] = totals.get(name, 0) + int(line.split()[1])
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def start_time(pid: int) -> int | None:
    """The process's start time (clock ticks since boot): with the pid, names one process
    even if the pid is reused later."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def stop(proc: subprocess.Popen | None) -> None:
    """Stops a process we started and everything under it: SIGTERM to its descendants and its
    process group, then SIGKILL to whichever of those same processes is still there (same pid
    *and* start time, so a reused pid is never hit)."""
    if proc is None:
        return
    tree = []
    if proc.poll() is None:
        tree = [(pid, start_time(pid)) for pid in descendants(proc.pid) if pid != proc.pid]
        for pid, _ in tree:  # children that left the group (setsid) get it too
            try:
                os.kill(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)
    if proc.stdout is not None:
        proc.stdout.close()
    for pid, started in tree:
        if started is not None and start_time(pid) == started:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


# --- one launch ----------------------------------------------------------------------


@dataclass
class Launch:
    app: str
    run: int
    mapped_ms: float | None = None
    first_paint_ms: float | None = None
    painted_ms: float | None = None
    pss_kib: int = 0
    uss_kib: int = 0
    rss_kib: int = 0
    own_kib: int | None = None
    other_webkit: int = 0
    processes: list[dict] = field(default_factory=list)
    samples: int = 0
    grab_ms_median: float = 0.0


def launch_once(
    app: str, binary: Path, extra_env: dict[str, str], run: int, settle_s: float,
    timeout_s: float, shots: Path | None,
) -> Launch:
    home = Path(tempfile.mkdtemp(prefix=f"tebiki-startup-{app}-"))
    xvfb = dbus = proc = screen = log = None
    seen: list[int] = []
    try:
        for sub in (".config", ".local/share", ".cache"):
            (home / sub).mkdir(parents=True)
        runtime = home / "runtime"
        runtime.mkdir(mode=0o700)
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-screen", "0", f"{WIDTH}x{HEIGHT}x24",
             "-nolisten", "tcp"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        display = int(read_line_from(xvfb, "Xvfb"))
        dbus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        bus = read_line_from(dbus, "dbus-daemon")
        screen = XScreen(display)
        if (screen.width, screen.height) != (WIDTH, HEIGHT):
            raise BenchError(f"Xvfb screen is {screen.width}x{screen.height}")
        empty = screen.grab()

        # Nothing from the caller's environment may choose a renderer for an app: each
        # variant sets what it measures in `extra_env`.
        env = {k: v for k, v in os.environ.items() if k not in RENDERER_VARS}
        env.update({
            "DISPLAY": f":{display}",
            "DBUS_SESSION_BUS_ADDRESS": bus,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(runtime),
            "LANG": "C.UTF-8",
            # Tebiki would otherwise check the internet at start; a benchmark sends nothing out
            # (and a DNS time-out must not be part of what is measured).
            "TEBIKI_PROBE": "off",
            **extra_env,
        })
        log = open(home / "app.log", "wb")
        result = Launch(app=app, run=run)
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(
                [str(binary)], env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=home,
            )
        except OSError as err:
            raise BenchError(f"cannot start {binary}: {err}") from err
        prev = empty
        last_change = None
        grab_times = []
        next_at = t0
        while True:
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += POLL_S
            g0 = time.monotonic()
            frame = screen.grab()
            g1 = time.monotonic()
            grab_times.append(g1 - g0)
            # A frame shows what was on screen when the server answered: date it by the
            # middle of the request, relative to the exec.
            t = (g0 + g1) / 2 - t0
            result.samples += 1
            if result.first_paint_ms is None:
                # Until something is drawn, also ask the server which windows are up: the
                # first paint is the first frame where the app's window is not one colour.
                rects = screen.app_windows()
                if rects and result.mapped_ms is None:
                    result.mapped_ms = t * 1000
                if any(not region_uniform(frame, WIDTH, r) for r in rects):
                    result.first_paint_ms = t * 1000
            if frame != prev:
                last_change = t
                prev = frame
            if result.first_paint_ms is not None and t - last_change >= settle_s:
                result.painted_ms = last_change * 1000
                break
            if proc.poll() is not None:
                tail = (home / "app.log").read_bytes()[-2000:].decode(errors="replace")
                raise BenchError(f"{app} exited with {proc.returncode} before painting:\n{tail}")
            if t > timeout_s:
                raise BenchError(f"{app} did not paint and settle within {timeout_s:.0f} s")
        result.grab_ms_median = statistics.median(grab_times) * 1000

        seen = descendants(proc.pid)
        for pid in seen:
            mem = memory_kib(pid)
            if mem is not None:
                result.pss_kib += mem["pss"]
                result.uss_kib += mem["uss"]
                result.rss_kib += mem["rss"]
                result.processes.append({"pid": pid, "comm": comm(pid), "pss_kib": mem["pss"],
                                         "uss_kib": mem["uss"], "rss_kib": mem["rss"],
                                         "top_mappings_kib": pss_by_mapping(pid)})
        result.other_webkit = other_webkit_processes(seen)
        result.own_kib = own_pages_kib(seen)
        if shots is not None:
            write_png(shots / f"{app}-run{run}.png", prev, WIDTH, HEIGHT)
        return result
    finally:
        if screen is not None:
            screen.close()
        if log is not None:
            log.close()
        stop(proc)
        stop(dbus)
        stop(xvfb)
        shutil.rmtree(home, ignore_errors=True)


# --- the run -------------------------------------------------------------------------


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bare", type=Path, required=True, help="the bare Tauri window binary")
    ap.add_argument("--tebiki", type=Path, required=True, help="the Tebiki binary")
    ap.add_argument("--bare-ja", action="store_true",
                    help="also launch the bare window with its Japanese page (a CJK font), "
                         "to tell the cost of Japanese text from the cost of Tebiki's code")
    ap.add_argument("--bare-nocomp", action="store_true",
                    help="also launch the bare window without GPU compositing, as Tebiki draws "
                         "on Linux (the like-for-like comparison)")
    ap.add_argument("--runs", type=int, default=5, help="launches of each app (default 5)")
    ap.add_argument("--settle", type=float, default=2.0,
                    help="seconds the screen must stay still to count as painted (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0, help="per launch, seconds")
    ap.add_argument("--json", type=Path, help="also write all launches here as JSON")
    ap.add_argument("--screenshots", type=Path, help="save the last frame of each launch here")
    args = ap.parse_args()

    for tool in ("Xvfb", "dbus-daemon"):
        if shutil.which(tool) is None:
            pkg = {"Xvfb": "xvfb", "dbus-daemon": "dbus"}[tool]
            print(f"{tool} is missing: apt-get install {pkg}", file=sys.stderr)
            return 2
    # Absolute: each app is started in its own temporary working directory.
    apps: dict[str, tuple[Path, dict[str, str]]] = {
        "bare": (args.bare.resolve(), {}),
        "tebiki": (args.tebiki.resolve(), {}),
    }
    if args.bare_ja:
        apps["bare-ja"] = (args.bare.resolve(), {"TEBIKI_BENCH_BARE_PAGE": "ja.html"})
    if args.bare_nocomp:
        apps["bare-nocomp"] = (args.bare.resolve(), {"WEBKIT_DISABLE_COMPOSITING_MODE": "1"})
    for name, (path, _) in apps.items():
        if not os.access(path, os.X_OK):
            print(f"the {name} binary {path} is missing: build it first (run.sh does)",
                  file=sys.stderr)
            return 2
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)

    # Ctrl-C or a kill of the script still runs the `finally` clean-up of the launch.
    signal.signal(signal.SIGTERM, _interrupt)

    launches: list[Launch] = []
    names = list(apps)
    for run in range(args.runs):
        # Rotate the order every run (bare, Tebiki / Tebiki, bare / ...) so a slow spell on
        # this shared machine does not always hit the same app.
        k = run % len(names)
        for name in names[k:] + names[:k]:
            path, extra_env = apps[name]
            try:
                r = launch_once(name, path, extra_env, run, args.settle, args.timeout,
                                args.screenshots)
            except BenchError as err:
                print(f"launch {run} of {name} failed: {err}", file=sys.stderr)
                return 1
            launches.append(r)
            print(f"  run {run} {name:7s} mapped {r.mapped_ms:6.0f} ms  first paint "
                  f"{r.first_paint_ms:6.0f} ms  painted {r.painted_ms:6.0f} ms  PSS "
                  f"{r.pss_kib / 1024:6.1f} MiB (own pages {(r.own_kib or 0) / 1024:5.1f}) in "
                  f"{len(r.processes)} processes ({r.samples} samples, grab "
                  f"{r.grab_ms_median:.1f} ms)"
                  + (f"  [{r.other_webkit} other WebKit process(es) running]"
                     if r.other_webkit else ""), flush=True)

    def med(app: str, key: str) -> float:
        return median([getattr(r, key) for r in launches
                       if r.app == app and getattr(r, key) is not None])

    summary = {key: {app: med(app, key) for app in apps}
               for key in ("mapped_ms", "first_paint_ms", "painted_ms", "pss_kib", "own_kib")}
    time_ratio = summary["painted_ms"]["tebiki"] / summary["painted_ms"]["bare"]
    first_ratio = summary["first_paint_ms"]["tebiki"] / summary["first_paint_ms"]["bare"]
    pss_diff_mib = (summary["pss_kib"]["tebiki"] - summary["pss_kib"]["bare"]) / 1024
    time_ok = time_ratio <= TIME_TARGET_RATIO
    pss_ok = pss_diff_mib <= PSS_TARGET_MIB

    print()
    print(f"Medians over {args.runs} launches each (Xvfb {WIDTH}x{HEIGHT}, poll "
          f"{POLL_S * 1000:.0f} ms, settle {args.settle:g} s):")
    cols = [n for n in ("bare", "bare-ja", "bare-nocomp") if n in apps]
    header = "".join(f"{n:>10s}" for n in cols + ["Tebiki"])
    header += "".join(f"{'Tebiki vs ' + n:>19s}" for n in cols)
    print(f"  {'':26s}{header}")
    for label, key in (("window mapped (ms)", "mapped_ms"), ("first paint (ms)", "first_paint_ms"),
                       ("home screen painted (ms)", "painted_ms")):
        t = summary[key]["tebiki"]
        row = "".join(f"{summary[key][n]:>10.0f}" for n in cols) + f"{t:>10.0f}"
        row += "".join(f"{t / summary[key][n]:>18.2f}x" for n in cols)
        print(f"  {label:26s}{row}")
    t = summary["pss_kib"]["tebiki"] / 1024
    row = "".join(f"{summary['pss_kib'][n] / 1024:>10.1f}" for n in cols) + f"{t:>10.1f}"
    row += "".join(f"{t - summary['pss_kib'][n] / 1024:>+15.1f} MiB" for n in cols)
    print(f"  {'total PSS (MiB)':26s}{row}")
    if all(r.own_kib is not None for r in launches):
        t = summary["own_kib"]["tebiki"] / 1024
        row = "".join(f"{summary['own_kib'][n] / 1024:>10.1f}" for n in cols) + f"{t:>10.1f}"
        row += "".join(f"{t - summary['own_kib'][n] / 1024:>+15.1f} MiB" for n in cols)
        print(f"  {'own pages (MiB)':26s}{row}")
    contended = sum(1 for r in launches if r.other_webkit)
    if contended:
        print(f"  note: {contended} of {len(launches)} launches ran while another WebKit app was "
              "running on this machine; their PSS is lower than on a quiet machine (shared "
              "library pages are divided among more processes). 'Own pages' is not "
              "affected that way.")
    print(f"  target (against bare): painted <= {TIME_TARGET_RATIO}x: "
          f"{'met' if time_ok else 'MISSED'} ({time_ratio:.2f}x);  PSS <= bare + "
          f"{PSS_TARGET_MIB:g} MiB: {'met' if pss_ok else 'MISSED'} ({pss_diff_mib:+.1f} MiB)")

    line = {
        "bench": "startup", "runs": args.runs, "settle_s": args.settle, "poll_ms": POLL_S * 1000,
        **{key: {k: round(v, 1) for k, v in summary[key].items()}
           for key in ("painted_ms", "first_paint_ms", "mapped_ms")},
        "pss_mib": {k: round(v / 1024, 1) for k, v in summary["pss_kib"].items()},
        "own_pages_mib": {k: round(v / 1024, 1) for k, v in summary["own_kib"].items()
                          if all(r.own_kib is not None for r in launches)},
        "contended_launches": sum(1 for r in launches if r.other_webkit),
        "time_ratio": round(time_ratio, 3), "first_paint_ratio": round(first_ratio, 3),
        "pss_diff_mib": round(pss_diff_mib, 1), "time_target_met": time_ok,
        "pss_target_met": pss_ok,
    }
    print("STARTUP_BENCH " + json.dumps(line, sort_keys=True))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(
            {"summary": line, "launches": [r.__dict__ for r in launches]}, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; everything started was stopped", file=sys.stderr)
        sys.exit(130)
