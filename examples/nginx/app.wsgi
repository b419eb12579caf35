"""Says which instance answered and whom it saw as the client (behind nginx: the real one)."""
import json
import os
import time


def application(environ, start_response):
    # A POST body is read whole (nginx never sends a POST twice: it must not be lost).
    length = int(environ.get('CONTENT_LENGTH') or 0)
    received = len(environ['wsgi.input'].read(length)) if length else 0
    if environ['PATH_INFO'] == '/slow':
        # A request still running when its instance is told to stop: it must finish.
        time.sleep(0.3)
    body = json.dumps({
        'instance': environ.get('INSTANCE'),
        'pid': os.getpid(),
        'client': environ['REMOTE_ADDR'],
        'scheme': environ['wsgi.url_scheme'],
        'path': environ['PATH_INFO'],
        'received': received,
    }).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
