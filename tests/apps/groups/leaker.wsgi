# Writes to os.environ at import, as Django sites do with os.environ.setdefault: the value
# reaches the process environment (putenv) but must not appear in interpreters created later.
import os

os.environ.setdefault('GROUPS_TEST_LEAK', 'from-leaker')


def application(environ, start_response):
    body = os.environ.get('GROUPS_TEST_LEAK', '').encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
