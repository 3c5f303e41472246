#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""smtpscope side by side with swaks, on the same servers, in one run.

bench/compare.py BINARY SERVER... measures, for each SERVER given as
NAME=HOST:PORT=RECIPIENT (a practice server, a Postfix on loopback):

  sessions   SESSIONS sequential sessions (EHLO, MAIL, RCPT, DATA with a
             small message, QUIT): smtpscope --plain --script against swaks;
             total wall time, median of RUNS
  large      a MEGABYTES MB message from a file through DATA: smtpscope's
             /data against swaks --data @FILE, against the raw loopback
             copy of the same bytes (socat into a sink), and against the
             server's own limit (the whole session, dot-stuffed, sent as
             one stream by socat without waiting for replies); MB/s,
             median of RUNS
  pipelining round trips for one transaction with three recipients when
             the server offers PIPELINING, counted by a relay that holds
             every chunk back LATENCY ms in each direction
  start-up   smtpscope --explain 550 against swaks --version: wall and
             CPU time of the process (os.wait4), median of 30

It prints each figure and the ratio the target is stated in.  Only
127.0.0.1 and ::1 are ever connected to.  bench/run.sh starts the servers
and calls this; bench/README.md keeps the figures.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SENDER = "bench@client.smtpscope.test"


def run_wait(argv, stdin=None):
    """Run argv to its end; return (wall seconds, CPU seconds, status)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)


def loopback(host):
    if host not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("compare.py: only loopback servers, not %s" % host)


class Server:
    def __init__(self, spec):
        try:
            self.name, hostport, self.rcpt = spec.split("=", 2)
            self.host, port = hostport.rsplit(":", 1)
            self.port = int(port)
        except ValueError:
            sys.exit("compare.py: a server is NAME=HOST:PORT=RECIPIENT, "
                     "not %r" % spec)
        loopback(self.host)

    def target(self):
        return "%s:%d" % (self.host, self.port)

    def swaks(self, *extra):
        return ["swaks", "--server", self.host, "--port", str(self.port),
                "--from", SENDER, "--to", self.rcpt, "--helo",
                "client.smtpscope.test", *extra]


def script(path, rcpts, body):
    with open(path, "w") as f:
        f.write("EHLO client.smtpscope.test\nMAIL FROM:<%s>\n" % SENDER)
        for r in rcpts:
            f.write("RCPT TO:<%s>\n" % r)
        f.write("DATA\n%sQUIT\n" % body)


def check(what, status):
    if status != 0:
        sys.exit("compare.py: %s ended with status %d" % (what, status))


def bench_sessions(bin_, srv, tmp, n, runs):
    s = os.path.join(tmp, "session")
    script(s, [srv.rcpt], "Subject: bench\n\nhello\n.\n")
    ours, theirs = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(n):
            _, _, st = run_wait([bin_, "--plain", "--script", s,
                                 srv.target()])
            check("smtpscope session", st)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _ in range(n):
            _, _, st = run_wait(srv.swaks("--body", "hello"))
            check("swaks session", st)
        theirs.append(time.perf_counter() - t0)
    a, b = statistics.median(ours), statistics.median(theirs)
    print("  sessions:  %d sessions: smtpscope %.2f s (%.1f ms each), "
          "swaks %.2f s (%.1f ms each); ratio %.3f (target <= 0.3)" %
          (n, a, a * 1000 / n, b, b * 1000 / n, a / b))
    return a / b <= 0.3


def make_message(path, mb):
    """Text lines of 10 to 80 bytes, one in twenty starting with a dot."""
    words = b"the quick brown fox jumps over lazy dog mail relay queue".split()
    line_no = 0
    size = 0
    with open(path, "wb") as f:
        f.write(b"Subject: large\r\nFrom: " + SENDER.encode() + b"\r\n\r\n")
        chunk = []
        while size < mb * 1048576:
            line_no += 1
            n = 2 + line_no * 7 % 11
            line = b" ".join(words[(line_no + i * 3) % len(words)]
                             for i in range(n))
            if line_no % 20 == 0:
                line = b"." + line
            chunk.append(line + b"\r\n")
            size += len(line) + 2
            if len(chunk) == 4096:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    return os.path.getsize(path)


def raw_copy(path):
    """The same bytes through loopback TCP: socat, writing 256 KB at a
    time, into a sink that reads 1 MB at a time and throws it away."""
    listen = socket.socket()
    listen.bind(("127.0.0.1", 0))
    listen.listen(1)
    port = listen.getsockname()[1]

    def sink():
        conn, _ = listen.accept()
        buf = bytearray(1048576)
        while conn.recv_into(buf):
            pass
        conn.close()

    t = threading.Thread(target=sink)
    t.start()
    wall, _, st = run_wait(["socat", "-b", "262144", "-u", "OPEN:" + path,
                            "TCP:127.0.0.1:%d" % port])
    t.join()
    listen.close()
    check("socat", st)
    return wall


def stuffed(path, tmp):
    """The message as DATA carries it: dots doubled, "." at the end."""
    out = os.path.join(tmp, "large.stuffed")
    with open(path, "rb") as f, open(out, "wb") as o:
        for line in f:
            o.write(b"." + line if line.startswith(b".") else line)
        o.write(b".\r\n")
    return out


def server_ceiling(srv, body, tmp):
    """The whole session as one stream of bytes, sent by socat without
    waiting for a single reply: no client can be faster with this
    server, so this is its own limit."""
    stream = os.path.join(tmp, "large.smtp")
    with open(stream, "wb") as o, open(body, "rb") as b:
        o.write(b"EHLO client.smtpscope.test\r\nMAIL FROM:<%s>\r\n"
                b"RCPT TO:<%s>\r\nDATA\r\n" % (SENDER.encode(),
                                                 srv.rcpt.encode()))
        while True:
            chunk = b.read(1048576)
            if not chunk:
                break
            o.write(chunk)
        o.write(b"QUIT\r\n")
    replies = os.path.join(tmp, "large.replies")
    wall, _, st = run_wait(["socat", "-b", "262144", "-t", "60",
                            "OPEN:%s!!OPEN:%s,creat,"
                            "trunc" % (stream, replies),
                            "TCP:%s:%d" % (srv.host, srv.port)])
    check("socat (server ceiling)", st)
    with open(replies, "rb") as f:
        if b"\r\n250 2.0.0" not in f.read():
            sys.exit("compare.py: the server did not take the raw stream")
    return wall


def bench_large(bin_, srv, tmp, path, size, runs):
    s = os.path.join(tmp, "large")
    script(s, [srv.rcpt], "/data %s\n" % path)
    body = stuffed(path, tmp)
    ours, theirs, raws, ceils = [], [], [], []
    for _ in range(runs):
        wall, _, st = run_wait([bin_, "--plain", "--script", s,
                                srv.target()])
        check("smtpscope /data", st)
        ours.append(wall)
        wall, _, st = run_wait(srv.swaks("--data", "@" + path,
                                         "--suppress-data"))
        check("swaks --data", st)
        theirs.append(wall)
        raws.append(raw_copy(path))
        ceils.append(server_ceiling(srv, body, tmp))
    mb = size / 1048576
    a, b, r, c = (mb / statistics.median(x) for x in (ours, theirs, raws,
                                                      ceils))
    print("  large:     %.0f MB: smtpscope %.0f MB/s, swaks %.0f MB/s; "
          "%.1fx swaks (target >= 3)" % (mb, a, b, a / b))
    print("             raw loopback copy %.0f MB/s: smtpscope %.2f of it "
          "(target >= 0.5)" % (r, a / r))
    print("             this server's own limit (the session as one raw "
          "stream) %.0f MB/s: smtpscope %.2f of it" % (c, a / c))
    # A server slower than the loopback caps every client: then the
    # target is read against what the server itself can take.
    return a / b >= 3 and a / min(r, c) >= 0.5


class Relay:
    """Forward one connection, holding each chunk back `delay` seconds
    in each direction; count the client's turns: the times it sends after
    the server has said something since it last sent."""

    def __init__(self, srv, delay):
        self.srv = srv
        self.delay = delay
        self.listen = socket.socket()
        self.listen.bind(("127.0.0.1", 0))
        self.listen.listen(1)
        self.port = self.listen.getsockname()[1]
        self.turns = 0
        self.heard = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def pump(self, src, dst, from_client):
        pending = []
        cond = threading.Condition()
        done = []

        def writer():
            while True:
                with cond:
                    while not pending and not done:
                        cond.wait()
                    if not pending:
                        break
                    when, data = pending.pop(0)
                time.sleep(max(0.0, when - time.monotonic()))
                if data is None:
                    break
                try:
                    dst.sendall(data)
                except OSError:
                    break
                if not from_client:
                    with self.lock:
                        self.heard = True
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        w = threading.Thread(target=writer, daemon=True)
        w.start()
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if from_client and data:
                with self.lock:
                    if self.heard:
                        self.turns += 1
                        self.heard = False
            with cond:
                pending.append((time.monotonic() + self.delay,
                                data if data else None))
                cond.notify()
            if not data:
                break
        w.join()

    def serve(self):
        client, _ = self.listen.accept()
        server = socket.create_connection((self.srv.host, self.srv.port))
        a = threading.Thread(target=self.pump, args=(client, server, True))
        b = threading.Thread(target=self.pump, args=(server, client, False))
        a.start()
        b.start()
        a.join()
        b.join()
        client.close()
        server.close()


def bench_pipelining(bin_, srv, tmp, latency):
    rcpts = [srv.rcpt] * 3
    s = os.path.join(tmp, "pipelining")
    script(s, rcpts, "Subject: pipelining\n\nhello\n.\n")
    relay = Relay(srv, latency / 1000)
    wall, _, st = run_wait([bin_, "--plain", "--script", s,
                            "127.0.0.1:%d" % relay.port])
    relay.thread.join()
    check("smtpscope (pipelining)", st)
    ours = relay.turns
    relay = Relay(srv, latency / 1000)
    argv = ["swaks", "--server", "127.0.0.1", "--port", str(relay.port),
            "--from", SENDER, "--helo", "client.smtpscope.test",
            "--pipeline", "--body", "hello"]
    for r in rcpts:
        argv += ["--to", r]
    _, _, st = run_wait(argv)
    relay.thread.join()
    check("swaks --pipeline", st)
    # EHLO; MAIL, the RCPTs and DATA; the message, "." and QUIT.
    print("  pipelining: one message to 3 recipients: smtpscope %d round "
          "trips after the greeting (%.2f s at %d ms each way), swaks "
          "--pipeline %d; minimum 3" % (ours, wall, latency, relay.turns))
    return ours <= 3


def bench_startup(bin_):
    def med(argv):
        w, c = [], []
        for _ in range(30):
            wall, cpu, _ = run_wait(argv)
            w.append(wall)
            c.append(cpu)
        return statistics.median(w) * 1000, statistics.median(c) * 1000

    a = med([bin_, "--explain", "550"])
    b = med(["swaks", "--version"])
    print("  start-up:  smtpscope --explain 550 %.2f ms wall, %.2f ms CPU; "
          "swaks --version %.2f ms wall, %.2f ms CPU (target < 10 ms)" %
          (a[0], a[1], b[0], b[1]))
    return a[0] < 10


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("servers", nargs="+", metavar="NAME=HOST:PORT=RCPT")
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--megabytes", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=int, default=50,
                    help="ms each way for the round-trip count")
    ap.add_argument("--only", choices=["sessions", "large", "pipelining",
                                       "startup"])
    args = ap.parse_args()
    servers = [Server(s) for s in args.servers]
    for tool in ("swaks", "socat"):
        if subprocess.run(["sh", "-c", "command -v " + tool],
                          stdout=subprocess.DEVNULL).returncode != 0:
            sys.exit("compare.py: %s is not installed" % tool)
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        path = size = None
        if args.only in (None, "startup"):
            print("local:")
            met &= bench_startup(args.binary)
        for srv in servers:
            print("%s (%s):" % (srv.name, srv.target()))
            if args.only in (None, "sessions"):
                met &= bench_sessions(args.binary, srv, tmp, args.sessions,
                                      args.runs)
            if args.only in (None, "large"):
                if path is None:
                    path = os.path.join(tmp, "large.eml")
                    size = make_message(path, args.megabytes)
                met &= bench_large(args.binary, srv, tmp, path, size,
                                   args.runs)
            if args.only in (None, "pipelining"):
                met &= bench_pipelining(args.binary, srv, tmp, args.latency)
    print("all targets met" if met else "some targets missed")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
