# Fixture for reloads: answers with the release named in release.py, a module it imports, so a
# test that edits release.py sees the new value only where the module was loaded anew.
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import release  # noqa: E402

# One mebibyte, made once: /big sends it N times.
MEBIBYTE = b'x' * (1024 * 1024)


def application(environ, start_response):
    path = environ.get('PATH_INFO', '/')
    if path == '/pid':
        body = str(os.getpid()).encode('ascii')
    elif path == '/big':
        count = int(environ.get('QUERY_STRING') or '4')
        start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                                  ('Content-Length', str(count * len(MEBIBYTE)))])
        return [MEBIBYTE] * count
    elif path == '/slow':
        time.sleep(float(environ.get('QUERY_STRING') or '1'))
        body = ('slow %s' % release.RELEASE).encode('ascii')
    else:
        body = ('release %s pid %d' % (release.RELEASE, os.getpid())).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
