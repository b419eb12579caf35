# The soak test's application (bench/soak.sh): answers the client can check byte for byte.
import hashlib
import os
import tempfile


def pattern(seed):
    """64 KiB of bytes that depend on seed; the client builds the same to check a download."""
    return bytes((i + seed) % 256 for i in range(256)) * 256


def hello(environ, start_response):
    body = b'hello'
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]


def upload(environ, start_response):
    # Reads the body in pieces, answers its length and sha256.
    digest = hashlib.sha256()
    stream = environ['wsgi.input']
    total = 0
    while True:
        piece = stream.read(65536)
        if not piece:
            break
        total += len(piece)
        digest.update(piece)
    body = ('%d %s' % (total, digest.hexdigest())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]


def download(environ, start_response):
    # Streams size bytes of pattern(seed), without Content-Length (chunked).
    query = dict(p.split('=', 1) for p in environ['QUERY_STRING'].split('&') if '=' in p)
    size, seed = int(query['size']), int(query['seed'])
    block = pattern(seed)
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])

    def body():
        left = size
        while left > 0:
            n = min(left, len(block))
            yield block[:n]
            left -= n
    return body()


def file(environ, start_response):
    # The same bytes as download, from a file through wsgi.file_wrapper (sendfile in a daemon
    # worker), with Content-Length.
    query = dict(p.split('=', 1) for p in environ['QUERY_STRING'].split('&') if '=' in p)
    size, seed = int(query['size']), int(query['seed'])
    path = os.path.join(tempfile.gettempdir(), 'wsgihost-soak-file-%d-%d.bin' % (size, seed))
    if not os.path.exists(path):
        part = '%s.%d.%d' % (path, os.getpid(), id(environ))
        block = pattern(seed)
        with open(part, 'wb') as f:
            left = size
            while left > 0:
                n = min(left, len(block))
                f.write(block[:n])
                left -= n
        os.replace(part, path)
    f = open(path, 'rb')
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    return environ['wsgi.file_wrapper'](f, 65536)


def pid(environ, start_response):
    body = str(os.getpid()).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]


ROUTES = {'/hello': hello, '/upload': upload, '/download': download, '/file': file, '/pid': pid}


def application(environ, start_response):
    route = ROUTES.get(environ.get('PATH_INFO', ''))
    if route is None:
        start_response('404 Not Found', [('Content-Type', 'text/plain'), ('Content-Length', '0')])
        return [b'']
    return route(environ, start_response)
