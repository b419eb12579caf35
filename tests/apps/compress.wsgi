# Fixture for the compression tests (CompressionTests): responses of each kind mod_deflate
# compresses or leaves alone. Routes by PATH_INFO's last segment; the query string tunes them.
import os
import time
from urllib.parse import parse_qs

# A page that compresses well and is not trivial: about 24 KB of varied HTML.
PAGE = ''.join('<tr><td>row %d</td><td>%s</td><td>%x</td></tr>\n' % (i, 'value-%d' % (i * 7919 % 1000), i * 2654435761 % 2 ** 32)
               for i in range(600)).encode('ascii')


def application(environ, start_response):
    route = environ['PATH_INFO'].rstrip('/').rsplit('/', 1)[-1]
    query = parse_qs(environ.get('QUERY_STRING', ''))
    seen = [('X-Seen-Method', environ['REQUEST_METHOD'])]

    if route == 'stream':
        # Streams two pieces; the second waits until the test has read the first (it creates
        # the file named by ?gate=), so the test sees whether the first left before the end.
        gate = query['gate'][0]
        start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8')] + seen)

        def pieces():
            yield b'<p>first piece</p>\n' * 50
            deadline = time.time() + 20
            while not os.path.exists(gate) and time.time() < deadline:
                time.sleep(0.01)
            yield b'<p>second piece</p>\n' * 50
        return pieces()

    if route == 'file':
        # wsgi.file_wrapper over a stylesheet: sent from the descriptor (sendfile frames in
        # daemon mode), compressed on its way out.
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'compress-static', 'site.css')
        start_response('200 OK', [('Content-Type', 'text/css')] + seen)
        return environ['wsgi.file_wrapper'](open(path, 'rb'), 65536)

    if route == 'big':
        # 3 MiB in 300 pieces of 10 KiB, each a little different: more than the writer gathers
        # before it encodes without a flush, and many flushes.
        start_response('200 OK', [('Content-Type', 'text/plain')] + seen)
        return (('%06d ' % i).encode('ascii') * 1463 for i in range(300))

    headers = [('Content-Type', query.get('type', ['text/html; charset=utf-8'])[0])] + seen
    for spec in query.get('header', []):
        name, _, value = spec.partition(':')
        headers.append((name, value))
    status = query.get('status', ['200 OK'])[0]
    if status.startswith(('204', '304')):
        start_response(status, headers)
        return []
    body = b'<p>short</p>\n' if 'short' in query else PAGE
    if 'length' not in query or query['length'][0] != 'none':
        headers.append(('Content-Length', str(len(body))))
    start_response(status, headers)
    return [body]
