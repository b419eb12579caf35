#!/usr/bin/python3
"""Soak test driver (bench/soak.sh runs it): mixed traffic against a running `wsgihost run`
of bench/soak/soak.conf for a while, checking every answer, while the server's and its
workers' memory and open files are sampled from /proc. Standard library only.

usage: driver.py --port P --server-pid PID --error-log FILE --minutes M --report FILE
Exit status 0 when every check passed, 1 otherwise.
"""
import argparse
import collections
import hashlib
import http.client
import os
import random
import re
import socket
import threading
import time

MOUNTS = ['/g1', '/g2', '/embedded']
KINDS = ['hello', 'flask', 'upload', 'download', 'file', 'abort']
WEIGHTS = [40, 20, 15, 10, 5, 10]


def pattern(seed):
    """The same 64 KiB the app streams for a seed (soak_app.wsgi)."""
    return bytes((i + seed) % 256 for i in range(256)) * 256


def expected_download(size, seed):
    block = pattern(seed)
    digest = hashlib.sha256()
    left = size
    while left > 0:
        n = min(left, len(block))
        digest.update(block[:n])
        left -= n
    return digest.hexdigest()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = collections.Counter()      # kind -> answered requests
        self.wrong_bodies = collections.Counter()  # kind -> answers with a wrong body
        self.statuses = collections.Counter()      # (kind, status) -> count, unexpected only
        self.errors = collections.Counter()        # (kind, exception type) -> count
        self.examples = []                         # a few failures, for the report
        self.worker_pids = set()                   # pids seen through /pid
        self.retried = collections.Counter()       # path -> requests sent again after a kept-alive connection closed

    def fail(self, counter, key, text):
        with self.lock:
            counter[key] += 1
            if len(self.examples) < 10:
                self.examples.append(text)


class Client(threading.Thread):
    def __init__(self, port, tally, deadline, seed):
        super().__init__(daemon=True)
        self.port, self.tally, self.deadline = port, tally, deadline
        self.random = random.Random(seed)
        self.conn = None

    def connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60)
        return self.conn

    def drop(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None):
        reused = self.conn is not None
        try:
            return self.exchange(method, path, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # A kept-alive connection the server closed (KeepAliveTimeout) just as this request
            # went out, with no byte of answer: RFC 9112 9.3.1 lets a client send it again on a
            # new connection, as browsers and urllib3 do. Counted in the report, never hidden.
            self.drop()
            if not reused or method != 'GET':
                raise
            with self.tally.lock:
                self.tally.retried[path.split('?')[0]] += 1
            return self.exchange(method, path, body)

    def exchange(self, method, path, body):
        conn = self.connection()
        conn.request(method, path, body=body)
        response = conn.getresponse()
        data = response.read()
        if response.getheader('Connection', '').lower() == 'close':
            self.drop()
        return response.status, data

    def run(self):
        while time.monotonic() < self.deadline:
            kind = self.random.choices(KINDS, WEIGHTS)[0]
            mount = self.random.choice(MOUNTS)
            try:
                getattr(self, kind)(mount)
                with self.tally.lock:
                    self.tally.requests[kind] += 1
            except (OSError, http.client.HTTPException) as e:
                self.drop()
                self.tally.fail(self.tally.errors, (kind, type(e).__name__), '%s %s: %r' % (kind, mount, e))

    def check(self, kind, path, status, ok):
        if status != 200:
            self.tally.fail(self.tally.statuses, (kind, status), '%s %s: status %d' % (kind, path, status))
        elif not ok:
            self.tally.fail(self.tally.wrong_bodies, kind, '%s %s: wrong body' % (kind, path))

    def hello(self, mount):
        status, data = self.request('GET', mount + '/hello')
        self.check('hello', mount + '/hello', status, data == b'hello')
        if self.random.random() < 0.05:
            status, data = self.request('GET', mount + '/pid')
            if status == 200:
                with self.tally.lock:
                    self.tally.worker_pids.add((mount, data.decode()))

    def flask(self, _mount):
        name = 'n%d' % self.random.randrange(1000000)
        path = '/flask/page?name=' + name
        status, data = self.request('GET', path)
        self.check('flask', path, status, ('<h1>Hello %s</h1>' % name).encode() in data and b'<li>item 19</li>' in data)

    def upload(self, mount):
        body = self.random.randbytes(self.random.choice([0, 1, 1000, 65536, 300000, 1048576]))
        status, data = self.request('POST', mount + '/upload', body=body)
        self.check('upload', mount + '/upload', status, data == ('%d %s' % (len(body), hashlib.sha256(body).hexdigest())).encode())

    def download(self, mount):
        size = self.random.choice([0, 10, 65536, 100000, 1048576, 4000000])
        seed = self.random.randrange(256)
        path = '%s/download?size=%d&seed=%d' % (mount, size, seed)
        status, data = self.request('GET', path)
        self.check('download', path, status, len(data) == size and hashlib.sha256(data).hexdigest() == expected_download(size, seed))

    def file(self, mount):
        size = self.random.choice([0, 10, 4096, 4097, 100000, 1048576, 4000000])
        seed = self.random.randrange(4)
        path = '%s/file?size=%d&seed=%d' % (mount, size, seed)
        status, data = self.request('GET', path)
        self.check('file', path, status, len(data) == size and hashlib.sha256(data).hexdigest() == expected_download(size, seed))

    def abort(self, mount):
        # A client that goes away in the middle of a long response, streamed or a file (reset or close).
        path = '%s/%s?size=50000000&seed=1' % (mount, self.random.choice(['download', 'file']))
        s = socket.create_connection(('127.0.0.1', self.port), timeout=60)
        try:
            s.sendall(('GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' % path).encode())
            head = s.recv(65536)
            if not head.startswith(b'HTTP/1.1 200'):
                self.tally.fail(self.tally.statuses, ('abort', head[:12].decode(errors='replace')), 'abort %s: %r' % (path, head[:40]))
            got = len(head)
            want = self.random.choice([1, 100000, 1000000])
            while got < want:
                piece = s.recv(65536)
                if not piece:
                    break
                got += len(piece)
            if self.random.random() < 0.5:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')  # RST
        finally:
            s.close()


def children(pid):
    """PIDs whose parent is pid (the daemon workers)."""
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except OSError:
                pass
    return found


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        return int(re.search(r'VmRSS:\s+(\d+)', f.read()).group(1))


def fds(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def sample(server):
    workers = []
    for pid in children(server):
        try:
            workers.append((pid, rss_kib(pid), fds(pid)))
        except (OSError, AttributeError):
            pass  # it just exited (recycled)
    return {
        'server_rss_kib': rss_kib(server), 'server_fds': fds(server),
        'workers': len(workers),
        'workers_rss_kib': sum(w[1] for w in workers), 'workers_fds': sum(w[2] for w in workers),
        'max_worker_rss_kib': max((w[1] for w in workers), default=0),
        'max_worker_fds': max((w[2] for w in workers), default=0),
        'pids': [w[0] for w in workers],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--server-pid', type=int, required=True)
    parser.add_argument('--error-log', required=True)
    parser.add_argument('--minutes', type=float, default=10)
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--report', required=True)
    args = parser.parse_args()

    tally = Tally()
    start = time.monotonic()
    deadline = start + args.minutes * 60
    clients = [Client(args.port, tally, deadline, seed) for seed in range(args.clients)]
    for c in clients:
        c.start()
    samples = []   # (seconds since start, sample)
    all_worker_pids = set()
    while True:
        now = time.monotonic()
        s = sample(args.server_pid)
        all_worker_pids.update(s['pids'])
        samples.append((now - start, s))
        print('%5.0f s  server %6.1f MiB %3d fds | %d workers %6.1f MiB %4d fds | %d requests' % (
            now - start, s['server_rss_kib'] / 1024, s['server_fds'], s['workers'], s['workers_rss_kib'] / 1024,
            s['workers_fds'], sum(tally.requests.values())), flush=True)
        if now >= deadline:
            break
        time.sleep(min(10, max(0.1, deadline - now)))
    for c in clients:
        c.join(120)
    elapsed = time.monotonic() - start
    final = sample(args.server_pid)
    samples.append((elapsed, final))

    with open(args.error_log, errors='replace') as f:
        log = f.read()
    recycles = len(re.findall(r'reached maximum-requests=\d+', log))
    crashes = re.findall(r'.*(?:was killed by signal|Unhandled exception|\[wsgi:crit\]).*', log)

    # Flat after warm-up: the sample nearest 2 minutes in (or a fifth of a short run) against the last.
    warm_at = min(120, args.minutes * 60 / 5)
    warm = min(samples, key=lambda p: abs(p[0] - warm_at))
    last = samples[-1]
    checks = []

    def flat(name, key, slack, ratio):
        a, b = warm[1][key], last[1][key]
        ok = b <= a * (1 + ratio) + slack
        checks.append((name, a, b, '+%d%% +%s' % (ratio * 100, slack), ok))

    flat('server RSS (KiB)', 'server_rss_kib', 16 * 1024, 0.15)
    flat('server open fds', 'server_fds', 16, 0)
    flat('largest worker RSS (KiB)', 'max_worker_rss_kib', 16 * 1024, 0.25)
    flat('largest worker open fds', 'max_worker_fds', 8, 0)

    unexpected = sum(tally.statuses.values()) + sum(tally.errors.values())
    wrong = sum(tally.wrong_bodies.values())
    passed = wrong == 0 and unexpected == 0 and not crashes and all(c[4] for c in checks) and recycles > 0

    lines = ['# Soak test: %s' % time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), '',
             'Command: `SOAK_MINUTES=%g bench/soak.sh` (%d client threads, bench/soak/soak.conf: daemon groups g1 (2 x 4 threads, '
             'maximum-requests=500), g2 (4 threads, maximum-requests=700), flask (4 threads, maximum-requests=300), and an embedded mount).'
             % (args.minutes, args.clients), '',
             '**Result: %s** after %.1f min, %d requests (%.0f/s).' % ('PASS' if passed else 'FAIL', elapsed / 60,
                                                                      sum(tally.requests.values()), sum(tally.requests.values()) / elapsed), '',
             '| Kind | Requests | Wrong bodies |', '|---|---:|---:|']
    for kind in KINDS:
        lines.append('| %s | %d | %d |' % (kind, tally.requests[kind], tally.wrong_bodies[kind]))
    lines += ['', 'Unexpected statuses: %s' % (dict(tally.statuses) or 'none') + '  ',
              'Client-side errors (connection reset, timeout...): %s' % (dict(tally.errors) or 'none') + '  ',
              'Requests sent again because a kept-alive connection closed before any answer (RFC 9112 9.3.1): %s' % (dict(tally.retried) or 'none') + '  ',
              'Worker recycles (maximum-requests, from the error log): %d; worker processes seen: %d  ' % (recycles, len(all_worker_pids)),
              'Crashes in the error log (signals, unhandled exceptions, critical): %d' % len(crashes), '']
    if tally.examples or crashes:
        lines += ['Examples:', ''] + ['    ' + e for e in tally.examples + crashes[:5]] + ['']
    lines += ['## Resources (sampled every 10 s from /proc)', '',
              '| t (s) | server RSS (MiB) | server fds | workers | workers RSS (MiB) | largest worker (MiB) | workers fds |',
              '|---:|---:|---:|---:|---:|---:|---:|']
    for t, s in samples:
        lines.append('| %.0f | %.1f | %d | %d | %.1f | %.1f | %d |' % (t, s['server_rss_kib'] / 1024, s['server_fds'], s['workers'],
                                                                     s['workers_rss_kib'] / 1024, s['max_worker_rss_kib'] / 1024, s['workers_fds']))
    lines += ['', '## Flat after warm-up (sample at %.0f s vs the last)' % warm[0], '',
              '| Measure | at warm-up | last | tolerance | OK |', '|---|---:|---:|---|---|']
    for name, a, b, tol, ok in checks:
        lines.append('| %s | %d | %d | %s | %s |' % (name, a, b, tol, 'yes' if ok else '**no**'))
    report = '\n'.join(lines) + '\n'
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    with open(args.report, 'w') as f:
        f.write(report)
    print(report)
    return 0 if passed else 1


if __name__ == '__main__':
    raise SystemExit(main())
