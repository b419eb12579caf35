# Reports the embedded Python, for the per-version tests.
import json
import sys

import _json  # an extension module: fails without RTLD_GLOBAL


def application(environ, start_response):
    length = int(environ.get('CONTENT_LENGTH') or 0)
    body = environ['wsgi.input'].read(length)
    data = json.dumps({
        'version': '%d.%d.%d' % sys.version_info[:3],
        'executable': sys.executable,
        'prefix': sys.prefix,
        'echo': body.decode('latin-1'),
        'path0': sys.path[0],
    }).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])
    return [data]
