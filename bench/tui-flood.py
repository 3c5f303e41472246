#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Keystroke echo latency and memory per stored line in the full-screen
interface while a server floods it.

The "server" is a process behind --pipe that writes a greeting and then
LINES reply lines (in replies of REPLY lines each) as fast as the pipe
takes them.  smtpscope runs in a pseudo-terminal; while the flood
arrives, a key is typed every 20 ms and the time until it is echoed on
the screen is measured.  At the end, the resident memory of the process
is compared with the same program idle, and the difference is divided by
the number of stored lines after subtracting the text itself.

usage: bench/tui-flood.py [BINARY] [LINES] [REPLY] [REPEAT]

REPEAT sends the flood that many times, for a longer measurement; the
memory figure is only printed for a single pass (REPEAT 1).
"""
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import time
import fcntl
import termios

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "src", "smtpscope")
LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
REPLY = int(sys.argv[3]) if len(sys.argv) > 3 else 100
REPEAT = int(sys.argv[4]) if len(sys.argv) > 4 else 1
# Every line is stored in the dialogue (up to its bound, 256 MiB).
KEPT = REPLY
KEYS = b"@#%"


def make_flood(path):
    text = 0
    with open(path, "wb") as f:
        f.write(b"220 flood.test ESMTP flood\r\n")
        n = 0
        while n < LINES:
            chunk = []
            for i in range(REPLY - 1):
                chunk.append(b"250-line %08d of the flood, padding text\r\n" % n)
                n += 1
            chunk.append(b"250 line %08d ends this reply\r\n" % n)
            n += 1
            data = b"".join(chunk)
            text += len(data) - 2 * len(chunk)
            f.write(data)
        f.write(b"250 end-of-flood\r\n")
    return text


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def spawn(cmd):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ["LC_ALL"] = "C.UTF-8"
        os.environ["HOME"] = tempfile.mkdtemp()
        os.execv(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    return pid, fd


def drain(fd, until, want=None, seen=None):
    """Read output until the deadline or until want appears."""
    buf = b""
    while time.monotonic() < until:
        r, _, _ = select.select([fd], [], [], max(0, until - time.monotonic()))
        if not r:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        buf += data
        if seen is not None:
            seen.append((time.monotonic(), data))
        if want is not None and want in buf[-65536:]:
            return True
    return want is None


def main():
    tmp = tempfile.mkdtemp()
    flood = os.path.join(tmp, "flood.txt")
    text = make_flood(flood)

    # Idle baseline: the same program with a server that says nothing more.
    idle = os.path.join(tmp, "idle.txt")
    with open(idle, "wb") as f:
        f.write(b"220 flood.test ESMTP idle\r\n")
    pid, fd = spawn([BIN, "--pipe", "cat %s; sleep 60" % idle])
    drain(fd, time.monotonic() + 3, b"220")
    time.sleep(0.5)
    drain(fd, time.monotonic() + 0.3)
    base = rss_kib(pid)
    os.kill(pid, signal.SIGTERM)
    drain(fd, time.monotonic() + 1)
    os.waitpid(pid, 0)

    pid, fd = spawn([BIN, "--pipe", "for i in $(seq %d); do cat %s; done; "
                     "printf '250 flood-%%s\\r\\n' complete; sleep 600"
                     % (REPEAT, flood)])
    drain(fd, time.monotonic() + 5, b"220")
    lat = []
    start = time.monotonic()
    done = False
    k = 0
    while not done and time.monotonic() - start < 300:
        key = KEYS[k % len(KEYS):k % len(KEYS) + 1]
        k += 1
        t0 = time.monotonic()
        os.write(fd, key)
        got = []
        found = None
        deadline = t0 + 2.0
        while time.monotonic() < deadline and found is None:
            r, _, _ = select.select([fd], [], [], 0.05)
            if not r:
                continue
            data = os.read(fd, 65536)
            got.append(data)
            if key in data:
                found = time.monotonic() - t0
            if b"flood-complete" in data:
                done = True
        if found is not None:
            lat.append(found * 1000)
        if k % 40 == 0:
            # Keep the command line short: clear it (Ctrl-U).
            os.write(fd, b"\x15")
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    # Let the rest arrive, then measure memory.
    drain(fd, time.monotonic() + 3, b"flood-complete")
    time.sleep(1)
    drain(fd, time.monotonic() + 0.5)
    rss = rss_kib(pid)
    os.kill(pid, signal.SIGTERM)
    drain(fd, time.monotonic() + 1)
    os.waitpid(pid, 0)

    replies = (LINES + REPLY - 1) // REPLY
    stored = replies * KEPT + 2
    kept_text = text * KEPT // REPLY
    extra = (rss - base) * 1024 - kept_text
    print("flood: %d x %d lines in replies of %d, %.1f MB of text, taken "
          "in %.1f s" % (REPEAT, LINES, REPLY, REPEAT * text / 1e6, elapsed))
    if lat:
        lat.sort()
        print("echo latency while flooding: %d keys, median %.1f ms, "
              "p95 %.1f ms, max %.1f ms"
              % (len(lat), statistics.median(lat),
                 lat[int(len(lat) * 0.95) - 1 if len(lat) > 1 else 0], lat[-1]))
    else:
        print("echo latency: no key was echoed")
    if REPEAT == 1:
        print("memory: idle %d KiB, after the flood %d KiB, %d lines stored; "
              "%.1f bytes per stored line beyond the text"
              % (base, rss, stored, extra / stored))


if __name__ == "__main__":
    main()
