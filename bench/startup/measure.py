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
  GTK/WebKit window is one flat colour), and the last time the screen changed before staying still for SETTLE
  seconds ("home screen painted": the page, including what its script fills in, is on
  screen). The last one is the headline figure: for Tebiki the home screen is drawn by
  its script after the static page, so the first non-blank frame is not yet the home screen.
* Memory: once the screen has been still for SETTLE seconds, the sum of `Pss` from
  /proc/<pid>/smaps_rollup over the app process and all its descendants (WebKitWebProcess,
  WebKitNetworkProcess, ...). PSS shares the pages of shared libraries fairly between the
  processes that map them, so the sum is what this app costs the machine. Xvfb and the
  D-Bus daemon are not counted (they are not the app's).

Launches alternate between the two apps (bare, Tebiki, Tebiki, bare, ...) so a slow spell
on this shared machine hits both. Medians over N launches are reported, with the ratio of
times (Tebiki / bare) and the difference in PSS, against the targets of issue 6:
time <= 1.15x, PSS <= bare + 25 MiB.

Standard library only. Run through ../startup/run.sh, which builds both apps first.
"""

from __future__ import annotations

import argparse
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


def pss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None  # exited, or a kernel thread
    return None


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def stop(proc: subprocess.Popen | None, extra_pids: list[int] = ()) -> None:
    """Terminates a process group we started (and any stragglers we saw), then kills it."""
    if proc is None:
        return
    pids = [p for p in extra_pids if p != proc.pid]
    if proc.poll() is None:
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
    for pid in pids:  # descendants that left the group (e.g. via setsid)
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
    processes: list[dict] = field(default_factory=list)
    samples: int = 0
    grab_ms_median: float = 0.0


def launch_once(
    app: str, binary: Path, run: int, settle_s: float, timeout_s: float, shots: Path | None
) -> Launch:
    home = Path(tempfile.mkdtemp(prefix=f"tebiki-startup-{app}-"))
    xvfb = dbus = proc = None
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

        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
        env.update({
            "DISPLAY": f":{display}",
            "DBUS_SESSION_BUS_ADDRESS": bus,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(runtime),
            "LANG": "C.UTF-8",
        })
        log = open(home / "app.log", "wb")
        result = Launch(app=app, run=run)
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [str(binary)], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=home,
        )
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
            kib = pss_kib(pid)
            if kib is not None:
                result.pss_kib += kib
                result.processes.append({"pid": pid, "comm": comm(pid), "pss_kib": kib})
        if shots is not None:
            write_png(shots / f"{app}-run{run}.png", prev, WIDTH, HEIGHT)
        screen.close()
        log.close()
        return result
    finally:
        stop(proc, seen or (descendants(proc.pid) if proc and proc.poll() is None else []))
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
    apps = {"bare": args.bare, "tebiki": args.tebiki}
    for name, path in apps.items():
        if not os.access(path, os.X_OK):
            print(f"the {name} binary {path} is missing: build it first (run.sh does)",
                  file=sys.stderr)
            return 2
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)

    # Ctrl-C or a kill of the script still runs the `finally` clean-up of the launch.
    signal.signal(signal.SIGTERM, _interrupt)

    launches: list[Launch] = []
    for run in range(args.runs):
        order = ("bare", "tebiki") if run % 2 == 0 else ("tebiki", "bare")
        for name in order:
            try:
                r = launch_once(name, apps[name], run, args.settle, args.timeout,
                                args.screenshots)
            except BenchError as err:
                print(f"launch {run} of {name} failed: {err}", file=sys.stderr)
                return 1
            launches.append(r)
            print(f"  run {run} {name:6s} mapped {r.mapped_ms:7.0f} ms  first paint "
                  f"{r.first_paint_ms:7.0f} ms  painted {r.painted_ms:7.0f} ms  PSS "
                  f"{r.pss_kib / 1024:6.1f} MiB in {len(r.processes)} processes "
                  f"({r.samples} samples, grab {r.grab_ms_median:.1f} ms)", flush=True)

    def med(app: str, key: str) -> float:
        return median([getattr(r, key) for r in launches if r.app == app])

    summary = {}
    for key in ("mapped_ms", "first_paint_ms", "painted_ms", "pss_kib"):
        summary[key] = {app: med(app, key) for app in apps}
    time_ratio = summary["painted_ms"]["tebiki"] / summary["painted_ms"]["bare"]
    first_ratio = summary["first_paint_ms"]["tebiki"] / summary["first_paint_ms"]["bare"]
    pss_diff_mib = (summary["pss_kib"]["tebiki"] - summary["pss_kib"]["bare"]) / 1024
    time_ok = time_ratio <= TIME_TARGET_RATIO
    pss_ok = pss_diff_mib <= PSS_TARGET_MIB

    print()
    print(f"Medians over {args.runs} launches each (Xvfb {WIDTH}x{HEIGHT}, poll {POLL_S*1000:.0f} ms,"
          f" settle {args.settle:g} s):")
    print(f"  {'':28s} {'bare':>10s} {'Tebiki':>10s} {'Tebiki vs bare':>16s}")
    for label, key, fmt in (("window mapped (ms)", "mapped_ms", "{:.0f}"),
                            ("first paint (ms)", "first_paint_ms", "{:.0f}"),
                            ("home screen painted (ms)", "painted_ms", "{:.0f}")):
        b, t = summary[key]["bare"], summary[key]["tebiki"]
        print(f"  {label:28s} {fmt.format(b):>10s} {fmt.format(t):>10s} {t / b:>15.2f}x")
    b, t = summary["pss_kib"]["bare"] / 1024, summary["pss_kib"]["tebiki"] / 1024
    print(f"  {'total PSS (MiB)':28s} {b:>10.1f} {t:>10.1f} {t - b:>+12.1f} MiB")
    print(f"  target: painted <= {TIME_TARGET_RATIO}x bare: {'met' if time_ok else 'MISSED'}"
          f" ({time_ratio:.2f}x);  PSS <= bare + {PSS_TARGET_MIB:g} MiB: "
          f"{'met' if pss_ok else 'MISSED'} ({pss_diff_mib:+.1f} MiB)")

    line = {
        "bench": "startup", "runs": args.runs, "settle_s": args.settle, "poll_ms": POLL_S * 1000,
        **{key: {k: round(v, 1) for k, v in summary[key].items()}
           for key in ("painted_ms", "first_paint_ms", "mapped_ms")},
        "pss_mib": {k: round(v / 1024, 1) for k, v in summary["pss_kib"].items()},
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
