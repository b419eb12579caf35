# Tells which interpreter answered: a token drawn when this module was executed (once per
# interpreter), the interpreter's id, and what the environ says about groups and processes.
# ?sleep=SECONDS keeps the request running, so concurrent requests overlap.
import json
import os
import time
import uuid
from urllib.parse import parse_qs

TOKEN = uuid.uuid4().hex

try:
    import _interpreters  # 3.13+

    def interpreter_id():
        return int(_interpreters.get_current()[0])
except ImportError:
    def interpreter_id():
        return None


def application(environ, start_response):
    query = parse_qs(environ.get('QUERY_STRING', ''))
    if 'sleep' in query:
        time.sleep(float(query['sleep'][0]))
    body = json.dumps({
        'token': TOKEN,
        'interpreter': interpreter_id(),
        'pid': os.getpid(),
        'application_group': environ['mod_wsgi.application_group'],
        'multiprocess': environ['wsgi.multiprocess'],
    }).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
