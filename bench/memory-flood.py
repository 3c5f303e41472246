#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Peak memory and time of smtpscope under a flood of long reply lines.

bench/memory-flood.py [BINARY] [LINES] [BYTES] [ARGS...]

A process on the other end of --pipe writes a greeting and then LINES
reply lines of BYTES bytes each, in replies of 100 lines, and a last
"250 end-of-flood".  smtpscope takes it once in line mode (output thrown
away; peak resident memory from wait4()) and once in the full screen in a
140x40 pseudo-terminal (VmHWM from /proc once the last line is on the
screen).  ARGS go to smtpscope, say --scrollback 64M.  Issue 11: the
dialogue is bounded in bytes, 256 MiB by default.
"""
import os
import pty
import fcntl
import resource
import select
import signal
import struct
import sys
import tempfile
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "src", "smtpscope")
LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 2000000
BYTES = int(sys.argv[3]) if len(sys.argv) > 3 else 512
ARGS = sys.argv[4:]
REPLY = 100


def make_flood(path):
    pad = b"x" * max(0, BYTES - 19)
    with open(path, "wb") as f:
        f.write(b"220 flood.test ESMTP flood\r\n")
        n = 0
        while n < LINES:
            chunk = []
            for i in range(REPLY):
                sep = b" " if i == REPLY - 1 or n == LINES - 1 else b"-"
                chunk.append(b"250%s%09d %s\r\n" % (sep, n, pad))
                n += 1
                if n == LINES:
                    break
            f.write(b"".join(chunk))
        f.write(b"250 end-of-flood\r\n")


def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def line_mode(flood):
    # Input stays open and empty: nothing is sent, not even QUIT, and the
    # session ends when the other end closes.
    rd, wr = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(wr)
        fd = os.open(os.devnull, os.O_RDWR)
        os.dup2(rd, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(BIN, [BIN, "--plain", "--timeout", "60"] + ARGS +
                 ["--pipe", "cat %s; sleep 1" % flood])
    os.close(rd)
    _, status, ru = os.wait4(pid, 0)
    os.close(wr)
    return time.monotonic() - start, ru.ru_maxrss, status


def full_screen(flood):
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ["LC_ALL"] = "C.UTF-8"
        os.environ["HOME"] = tempfile.mkdtemp()
        os.execv(BIN, [BIN, "--timeout", "60"] + ARGS +
                 ["--pipe", "cat %s; sleep 600" % flood])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    tail = b""
    done = None
    while time.monotonic() - start < 900:
        r, _, _ = select.select([fd], [], [], 1)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        tail = (tail + data)[-4096:]
        if b"end-of-flood" in tail:
            done = time.monotonic() - start
            break
    time.sleep(0.5)
    peak = hwm_kib(pid)
    os.kill(pid, signal.SIGTERM)
    end = time.monotonic() + 2
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
    os.waitpid(pid, 0)
    return done, peak


def main():
    tmp = tempfile.mkdtemp()
    flood = os.path.join(tmp, "flood.txt")
    make_flood(flood)
    size = os.path.getsize(flood)
    print("flood: %d lines of %d bytes, %.0f MB; smtpscope %s"
          % (LINES, BYTES, size / 1e6, " ".join(ARGS) or "(defaults)"))
    secs, kib, status = line_mode(flood)
    print("line mode: %.1f s, peak %d KiB (%.0f MB), exit status %d"
          % (secs, kib, kib * 1024 / 1e6, os.waitstatus_to_exitcode(status)))
    secs, kib = full_screen(flood)
    if secs is None:
        print("full screen: the last line never showed; peak %d KiB" % kib)
    else:
        print("full screen: %.1f s, peak %d KiB (%.0f MB)"
              % (secs, kib, kib * 1024 / 1e6))
    os.remove(flood)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
