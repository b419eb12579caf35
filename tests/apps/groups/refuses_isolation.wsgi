# Imports an extension module that refuses isolated sub-interpreters: CPython's own test
# module _testsinglephase (single-phase init), which imports in the main interpreter and fails
# in an own-GIL one with "module _testsinglephase does not support loading in subinterpreters".
# Where a Python build has no test modules, the same ImportError is raised outside the main
# interpreter, as the module would.
import json
import time
import uuid
from urllib.parse import parse_qs

try:
    import _testsinglephase  # noqa: F401
except ModuleNotFoundError:
    import _interpreters
    if _interpreters.get_current()[0] != _interpreters.get_main()[0]:
        raise ImportError('module _testsinglephase does not support loading in subinterpreters')

TOKEN = uuid.uuid4().hex


def application(environ, start_response):
    query = parse_qs(environ.get('QUERY_STRING', ''))
    if 'sleep' in query:
        time.sleep(float(query['sleep'][0]))
    body = json.dumps({'token': TOKEN}).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
