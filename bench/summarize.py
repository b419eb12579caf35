#!/usr/bin/python3
"""Summarize run-peers.sh / peers.sh results: every server as a ratio to WsgiHost, and
WsgiHost as a ratio to raw Kestrel, the best peer and uWSGI.

usage: summarize.py [--max-other S] results.csv [more.csv ...]
  --max-other S  ignore runs during which other tenants used more than S CPU seconds
                 (column other_cpu_s); default: keep all.

For every app and server: median req/s, p99 latency and RSS (sum over the server's
processes, after the run), each also as a ratio to
  Kestrel    raw-kestrel on the same app; Flask and Django have no C# twin, so there the
             raw-kestrel hello run is the ceiling (marked †; hello_close for the *_close apps); file_1mib (a file through
             wsgi.file_wrapper) and xsendfile_1mib (a file named in X-Sendfile) are measured against
             raw-kestrel's stream run, the same 1 MiB from memory (marked ‡)
  best peer  the Python peer (not raw-kestrel, not wsgihost*, not *-static) with the
             highest median req/s on that app; on the static apps, the static file
             server (apache-static, uwsgi-static) with the highest
  uWSGI      the uwsgi server (req/s only in the main table); on the *_close apps (every
             request on a new connection) uwsgi-http10, since uwsgi's keep-alive socket
             ignores Connection: close
Ratios are computed per repetition (same app and rep number: the runs were interleaved, so
this cancels slow drifts of a noisy machine), then the median is taken; where the reference
has no run with the same rep number, the ratio of the medians is used.
For req/s a ratio > 1 is better; for p99 and RSS a ratio < 1 is better.
The shared ../shared/bench/summarize.py prints further tables (spread, p50, PSS, CPU per
request, noise); run.sh writes them to details.md.
"""
import csv
import statistics
import sys
from collections import defaultdict

KESTREL = 'raw-kestrel'
UWSGI = 'uwsgi'
# uwsgi's keep-alive socket ignores a request's Connection: close; on the *_close apps uWSGI
# runs as uwsgi-http10, which closes after every response (bench/peers.sh).
UWSGI_CLOSE = 'uwsgi-http10'
SERVER_ORDER = ['raw-kestrel', 'wsgihost-embedded', 'wsgihost-multi', 'wsgihost-interp', 'wsgihost-daemon', 'wsgihost', 'uwsgi',
                'uwsgi-http10', 'apache-embedded', 'apache-daemon', 'gunicorn-sync2',
                'gunicorn-sync4', 'gunicorn-gthread', 'waitress', 'wsgihost-static', 'apache-static', 'uwsgi-static']
APP_ORDER = ['hello', 'flask', 'flask_page', 'django', 'echo', 'post_1kib', 'stream', 'file_1mib', 'xsendfile_1mib',
             'hello_close', 'flask_close', 'django_close', 'static', 'static_1mib']
# An app with no raw-Kestrel run of its own, measured against another that moves the same bytes.
KESTREL_TWIN = {'file_1mib': 'stream', 'xsendfile_1mib': 'stream'}
FAILED = ('START_FAILED', 'NOT_READY', 'WRK_FAILED')


def order(seq, ref):
    return sorted(seq, key=lambda x: (ref.index(x) if x in ref else len(ref), x))


def is_peer(server, app):
    # A static file server is a peer on the static apps only, and only there.
    if server == KESTREL or server.startswith('wsgihost'):
        return False
    return server.endswith('-static') == app.startswith('static')


def med(xs):
    return statistics.median(xs) if xs else float('nan')


def main(argv):
    max_other = None
    if argv[:1] == ['--max-other']:
        max_other = float(argv[1])
        argv = argv[2:]
    if not argv:
        print(__doc__)
        return 2
    runs = defaultdict(list)
    failed = []
    dropped = 0
    for path in argv:
        with open(path) as f:
            for row in csv.DictReader(f):
                if row.get('rps') in FAILED or not row.get('p50_ms'):
                    failed.append((row['server'], row['app'], row['rep'], row.get('rps')))
                    continue
                if max_other is not None and float(row.get('other_cpu_s') or 0) > max_other:
                    dropped += 1
                    continue
                runs[(row['server'], row['app'])].append(row)
    servers = order({s for s, _ in runs}, SERVER_ORDER)
    apps = order({a for _, a in runs}, APP_ORDER)

    def values(s, a, key):
        return {r['rep']: float(r[key]) for r in runs.get((s, a), [])}

    def error_count(s, a):
        return sum(int(r['errors']) + int(r['non2xx']) for r in runs[(s, a)])

    def stat(s, a, key):
        return med(list(values(s, a, key).values()))

    def ratio(s, a, key, ref):
        """median per-repetition ratio of s to ref=(server, app), or None."""
        if ref is None or ref not in runs or (s, a) not in runs:
            return None
        mine, theirs = values(s, a, key), values(*ref, key)
        paired = [mine[k] / theirs[k] for k in mine if k in theirs and theirs[k]]
        if paired:
            return med(paired)
        m, t = med(list(mine.values())), med(list(theirs.values()))
        return m / t if t else None

    def kestrel_ref(a):
        if (KESTREL, a) in runs:
            return (KESTREL, a), ''
        if (KESTREL, KESTREL_TWIN.get(a)) in runs:
            return (KESTREL, KESTREL_TWIN[a]), '‡'
        # Flask and Django have no C# twin: raw Kestrel's hello, on new connections for *_close
        hello = 'hello_close' if a.endswith('_close') else 'hello'
        if (KESTREL, hello) in runs:
            return (KESTREL, hello), '†'
        return None, ''

    def uwsgi_of(a):
        return UWSGI_CLOSE if a.endswith('_close') else UWSGI

    def best_peer(a):
        peers = [s for s in servers if is_peer(s, a) and (s, a) in runs]
        return max(peers, key=lambda s: stat(s, a, 'rps')) if peers else None

    def fmt_ratio(x, mark=''):
        return '' if x is None else '%.2f%s' % (x, mark)

    def app_rows(a, heading):
        """A table's rows for app a: (label, server, errors) of each server that ran it, the heading in the first row's label."""
        label = heading
        for s in servers:
            if (s, a) in runs:
                yield label, s, error_count(s, a)
                label = ''

    def best_wsgihost(a):
        mine = [s for s in servers if s.startswith('wsgihost') and (s, a) in runs]
        return max(mine, key=lambda s: stat(s, a, 'rps')) if mine else None

    n_reps = max((len(v) for v in runs.values()), default=0)
    if dropped:
        print(f'(dropped {dropped} runs with other_cpu_s > {max_other})\n')

    print(f'### Every server as a ratio to WsgiHost (medians of up to {n_reps} run(s))\n')
    print('÷WH = this server\'s figure divided by WsgiHost\'s best configuration on that app (named in the '
          'app row): for req/s below 1 means WsgiHost is faster; for p50, p99, RSS and server CPU per request '
          'above 1 means WsgiHost uses less.\n')
    print('| app | server | req/s | ÷WH | p50 ms | ÷WH | p99 ms | ÷WH | RSS MB | ÷WH | CPU µs/req | ÷WH | errors |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for a in apps:
        wh = best_wsgihost(a)
        wref = (wh, a) if wh else None
        for label, s, errors in app_rows(a, f'**{a}** (WsgiHost: {wh})'):
            cells = []
            for key, fmt in (('rps', '%.0f'), ('p50_ms', '%.2f'), ('p99_ms', '%.1f'), ('rss_mb', '%.0f'), ('srv_cpu_us_per_req', '%.1f')):
                cells += [fmt % stat(s, a, key), fmt_ratio(ratio(s, a, key, wref))]
            print('| %s | %s | %s | %d |' % (label, s, ' | '.join(cells), errors))
    print()
    print(f'### req/s, p99 latency, RSS: medians of up to {n_reps} run(s), with ratios\n')
    print('Ratios: ÷K = to raw Kestrel, ÷best = to the best Python peer on that app (the best static '
          'file server on the static apps; named in '
          'the app row), ÷uWSGI = to uwsgi. req/s: higher is better; p99 and RSS: lower is better. '
          '† = Flask/Django have no Kestrel twin: ratio to raw Kestrel\'s hello run. '
          '‡ = file_1mib, xsendfile_1mib: ratio to raw Kestrel\'s stream run (the same 1 MiB from memory).\n')
    print('| app | server | req/s | ÷K | ÷best | ÷uWSGI | p99 ms | ÷K | ÷best | RSS MB | ÷K | ÷best | errors |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for a in apps:
        kref, mark = kestrel_ref(a)
        best = best_peer(a)
        bref = (best, a) if best else None
        uref = (uwsgi_of(a), a) if (uwsgi_of(a), a) in runs else None
        for label, s, errors in app_rows(a, f'**{a}** (best peer: {best})'):
            print('| %s | %s | %.0f | %s | %s | %s | %.1f | %s | %s | %.0f | %s | %s | %d |' % (
                label, s, stat(s, a, 'rps'),
                fmt_ratio(ratio(s, a, 'rps', kref), mark), fmt_ratio(ratio(s, a, 'rps', bref)),
                fmt_ratio(ratio(s, a, 'rps', uref)),
                stat(s, a, 'p99_ms'),
                fmt_ratio(ratio(s, a, 'p99_ms', kref), mark), fmt_ratio(ratio(s, a, 'p99_ms', bref)),
                stat(s, a, 'rss_mb'),
                fmt_ratio(ratio(s, a, 'rss_mb', kref), mark), fmt_ratio(ratio(s, a, 'rss_mb', bref)),
                errors))
    print()

    for w in [s for s in servers if s.startswith('wsgihost')]:
        print(f'### {w} at a glance\n')
        print('| app | req/s | ÷ raw Kestrel | ÷ uWSGI | ÷ best peer | p99 ms (uWSGI, best peer) '
              '| RSS MB (uWSGI, best peer) | errors |')
        print('|---|---:|---:|---:|---:|---:|---:|---:|')
        for a in apps:
            if (w, a) not in runs:
                continue
            kref, mark = kestrel_ref(a)
            best = best_peer(a)
            bref = (best, a) if best else None
            uref = (uwsgi_of(a), a) if (uwsgi_of(a), a) in runs else None

            def other(s, key):
                return '%.1f' % stat(s, a, key) if s and (s, a) in runs else '-'
            errors = error_count(w, a)
            print('| %s | %.0f | %s | %s | %s (%s) | %.1f (%s, %s) | %.0f (%s, %s) | %d |' % (
                a, stat(w, a, 'rps'), fmt_ratio(ratio(w, a, 'rps', kref), mark),
                fmt_ratio(ratio(w, a, 'rps', uref)), fmt_ratio(ratio(w, a, 'rps', bref)), best,
                stat(w, a, 'p99_ms'), other(uwsgi_of(a), 'p99_ms'), other(best, 'p99_ms'),
                stat(w, a, 'rss_mb'), other(uwsgi_of(a), 'rss_mb'), other(best, 'rss_mb'), errors))
        print()

    print('Noise: CPU seconds used by other tenants during each measured run (other_cpu_s), '
          'median / max: %.1f / %.1f (a fully busy 2-core machine would be ~20 per 10 s run).\n' % (
              med([float(r['other_cpu_s']) for rows in runs.values() for r in rows]),
              max([float(r['other_cpu_s']) for rows in runs.values() for r in rows], default=0)))
    if failed:
        print('Failed runs: ' + ', '.join(f'{s}/{a} rep {r}: {why}' for s, a, r, why in failed) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
