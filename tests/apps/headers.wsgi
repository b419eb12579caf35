# Fixture for the mod_setenvif/mod_headers tests (HeaderTests): answers with the environ keys
# the config's SetEnvIf and RequestHeader lines touch, and sends headers Header lines edit.
import json

KEYS = ['HTTPS', 'wsgi.url_scheme', 'TENANT', 'is_bot', 'internal_client', 'dontlog',
        'HTTP_X_VIA_PROXY', 'HTTP_X_SECRET', 'SITE_ROLE', 'REMOTE_ADDR', 'HTTP_X_FORWARDED_FOR']

# A page of text that compresses (the mod_deflate documentation example's section).
PAGE = ''.join('<p>paragraph %d of the document</p>\n' % i for i in range(400)).encode('ascii')


def application(environ, start_response):
    path = environ['PATH_INFO']
    if path == '/crash':
        raise RuntimeError('the fixture fails on purpose')
    if path.startswith('/status/'):
        code = int(path.rsplit('/', 1)[-1])
        start_response('%d Custom' % code, [('Content-Type', 'text/plain'), ('X-Frame-Options', 'DENY')])
        return [b'the app chose this status\n']
    if path.startswith('/docs/'):
        kind = 'image/png' if path.endswith('.png') else 'text/plain' if path.endswith('.txt') else 'text/html'
        start_response('200 OK', [('Content-Type', kind), ('Content-Length', str(len(PAGE)))])
        return [PAGE]
    body = json.dumps({key: environ.get(key) for key in KEYS}).encode('utf-8')
    start_response('200 OK', [
        ('Content-Type', 'application/json'),
        ('Content-Length', str(len(body))),
        ('X-Powered-By', 'Python'),
        ('X-Frame-Options', 'DENY'),
        ('Set-Cookie', 'session=abc; Path=/'),
        ('X-Upstream', 'app-7'),
    ])
    return [body]
