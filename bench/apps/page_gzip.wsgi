# bench/apps/page.wsgi behind the gzip middleware a Python app adds when its server does not
# compress (gunicorn, uWSGI, waitress without a proxy in front): what Django's GZipMiddleware
# does for each response (gzip level 6, mtime 0, Vary: Accept-Encoding, the length replaced).
import gzip
import os
import re

_page = {'__file__': os.path.join(os.path.dirname(os.path.abspath(__file__)), 'page.wsgi')}
with open(_page['__file__'], 'rb') as _f:
    exec(compile(_f.read(), _page['__file__'], 'exec'), _page)
_inner = _page['application']
_ACCEPTS_GZIP = re.compile(r'\bgzip\b')


def application(environ, start_response):
    captured = {}

    def capture(status, headers, exc_info=None):
        captured['status'], captured['headers'] = status, headers
        return lambda data: None

    body = b''.join(_inner(environ, capture))
    headers = [(k, v) for k, v in captured['headers'] if k.lower() not in ('content-length', 'vary')]
    headers.append(('Vary', 'Accept-Encoding'))
    if _ACCEPTS_GZIP.search(environ.get('HTTP_ACCEPT_ENCODING', '')) and len(body) >= 200:
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers.append(('Content-Encoding', 'gzip'))
    headers.append(('Content-Length', str(len(body))))
    start_response(captured['status'], headers)
    return [body]
