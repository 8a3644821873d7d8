"""Tests of the benchmark's own measuring parts: `python3 -m unittest discover -s bench/startup` (from the repo root).

The pure parts run anywhere. The launch tests start a real private Xvfb and a real X program
(xlogo / xclock from x11-apps) through the same `launch_once` the benchmark uses; without
Xvfb or x11-apps they print "skipped: ..." and pass, except under CI or as root, where they
fail (the same rule as test-support/ for the Rust tests).
"""

import os
import shutil
import stat
import struct
import tempfile
import unittest
import zlib
from pathlib import Path

import measure


def skip(why: str) -> None:
    """The workspace's one rule (test-support/src/lib.rs), for the Python tests: under CI,
    as root or with TEBIKI_REQUIRE_ALL_TESTS=1 a missing prerequisite fails; elsewhere the
    test prints "skipped: <why>" and the skip is counted in $TEBIKI_SKIP_LOG."""
    strict = (
        os.environ.get("CI") == "true"
        or os.geteuid() == 0
        or os.environ.get("TEBIKI_REQUIRE_ALL_TESTS") == "1"
    )
    if strict:
        raise AssertionError(
            f"a prerequisite is missing: {why}. Under CI or as root every test must run; "
            "scripts/setup.sh --test installs everything the suite needs."
        )
    print(f"skipped: {why}")
    log = os.environ.get("TEBIKI_SKIP_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"bench/startup\t{why}\n")


def require(*tools: str) -> bool:
    """True when every tool is installed; otherwise `skip` (a failure under CI or as root)."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return True
    skip(f"{', '.join(missing)} not installed (apt-get install xvfb dbus x11-apps)")
    return False


def script(directory: Path, body: str) -> Path:
    path = directory / "app.sh"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


class PureParts(unittest.TestCase):
    def test_window_of_one_colour_is_not_painted_yet(self):
        white = b"\xff\xff\xff\x00" * (8 * 4)
        self.assertTrue(measure.region_uniform(white, 8, (0, 0, 8, 4)))

    def test_one_drawn_pixel_inside_the_window_counts_as_paint(self):
        frame = bytearray(b"\xff\xff\xff\x00" * (8 * 4))
        frame[(2 * 8 + 5) * 4] = 0  # pixel (5, 2) is no longer white
        self.assertFalse(measure.region_uniform(bytes(frame), 8, (4, 1, 3, 2)))
        # ...but a window that does not cover that pixel is still blank
        self.assertTrue(measure.region_uniform(bytes(frame), 8, (0, 0, 4, 4)))

    def test_saved_frame_is_a_png_with_the_right_size_and_colours(self):
        # 2x1 frame: a red pixel then a blue one, in the server's BGRX order
        frame = bytes([0, 0, 255, 0, 255, 0, 0, 0])
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "f.png"
            measure.write_png(out, frame, 2, 1)
            data = out.read_bytes()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", data[16:24])
        self.assertEqual((width, height), (2, 1))
        idat = data.index(b"IDAT")
        length = struct.unpack(">I", data[idat - 4 : idat])[0]
        raw = zlib.decompress(data[idat + 4 : idat + 4 + length])
        self.assertEqual(raw, b"\x00" + bytes([255, 0, 0, 0, 0, 255]))

    def test_descendants_include_the_process_itself(self):
        self.assertIn(os.getpid(), measure.descendants(os.getpid()))

    def test_this_process_has_memory_and_own_pages(self):
        mem = measure.memory_kib(os.getpid())
        self.assertIsNotNone(mem)
        self.assertGreater(mem["pss"], 0)
        self.assertGreaterEqual(mem["rss"], mem["pss"])
        own = measure.own_pages_kib([os.getpid()])
        if own is None:
            skip("page frame numbers are hidden (run as root to read /proc/PID/pagemap)")
            return
        # Counted once, this process's own pages are at least its PSS and at most its RSS.
        self.assertGreaterEqual(own, mem["pss"] * 0.9)
        self.assertLessEqual(own, mem["rss"] * 1.1)


class Launches(unittest.TestCase):
    def test_a_static_x_program_is_timed_and_measured(self):
        if not require("Xvfb", "dbus-daemon", "xlogo"):
            return
        with tempfile.TemporaryDirectory() as tmp:
            app = script(Path(tmp), "exec xlogo -geometry 600x500")
            shots = Path(tmp) / "shots"
            shots.mkdir()
            r = measure.launch_once("xlogo", app, {}, 0, 0.5, 20, shots)
            self.assertIsNotNone(r.mapped_ms)
            self.assertIsNotNone(r.first_paint_ms)
            self.assertLessEqual(r.mapped_ms, r.first_paint_ms)
            self.assertLessEqual(r.first_paint_ms, r.painted_ms)
            self.assertGreater(r.pss_kib, 0)
            self.assertEqual([p["comm"] for p in r.processes], ["xlogo"])
            self.assertTrue((shots / "xlogo-run0.png").is_file())

    def test_a_screen_that_never_settles_times_out_and_is_cleaned_up(self):
        if not require("Xvfb", "dbus-daemon", "xclock"):
            return
        with tempfile.TemporaryDirectory() as tmp:
            # A clock with a second hand changes the screen every second: never "painted".
            app = script(Path(tmp), "exec xclock -geometry 400x400 -update 1")
            with self.assertRaises(measure.BenchError) as caught:
                measure.launch_once("clock", app, {}, 0, 1.5, 4, None)
            self.assertIn("did not paint and settle", str(caught.exception))
        # Everything it started is gone (the clock, its Xvfb, its D-Bus daemon).
        leftovers = [p for p in measure.descendants(os.getpid())
                     if measure.comm(p) in ("xclock", "Xvfb", "dbus-daemon")]
        self.assertEqual(leftovers, [])


if __name__ == "__main__":
    unittest.main()
