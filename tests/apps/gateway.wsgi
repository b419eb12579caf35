# Fixture for the WSGI gateway tests: one route per behaviour under test.
import hashlib
import json
import os
import socket
import struct
import sys
import tempfile
import threading
import time

# close() calls, per request tag, so tests can ask how often close() ran.
CLOSES = {}
CLOSE_LOCK = threading.Lock()


def record_close(tag):
    with CLOSE_LOCK:
        CLOSES[tag] = CLOSES.get(tag, 0) + 1


class Closing(object):
    """An iterable that records close() and can fail in the middle or in close()."""

    def __init__(self, tag, chunks, fail_at=None, fail_close=False, delay=0.0, close_delay=0.0):
        self.tag = tag
        self.close_delay = close_delay
        self.chunks = chunks
        self.fail_at = fail_at
        self.fail_close = fail_close
        self.delay = delay

    def __iter__(self):
        for i, chunk in enumerate(self.chunks):
            if self.fail_at is not None and i == self.fail_at:
                raise ValueError('failure in the middle of the body')
            if self.delay:
                time.sleep(self.delay)
            yield chunk

    def close(self):
        record_close(self.tag)
        if self.close_delay:
            # As Django's close() (request_finished: database connections closed).
            time.sleep(self.close_delay)
        if self.fail_close:
            raise RuntimeError('failure in close()')


def text(start_response, body, status='200 OK', headers=()):
    data = body.encode('utf-8')
    start_response(status, [('Content-Type', 'text/plain; charset=utf-8'),
                            ('Content-Length', str(len(data)))] + list(headers))
    return [data]


def jsonify(start_response, obj):
    data = json.dumps(obj, sort_keys=True).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(data)))])
    return [data]


def route_environ(environ, start_response):
    out = {}
    for key, value in environ.items():
        out[key] = {'type': type(value).__name__, 'repr': repr(value)}
        if isinstance(value, str):
            out[key]['value'] = value
    return jsonify(start_response, out)


def route_echo(environ, start_response):
    stream = environ['wsgi.input']
    digest = hashlib.sha256()
    total = 0
    while True:
        block = stream.read(65536)
        if not block:
            break
        digest.update(block)
        total += len(block)
    return jsonify(start_response, {'length': total, 'sha256': digest.hexdigest()})


def route_slow_echo(environ, start_response):
    # As /echo, reading 8 KiB at a time with a pause after every 128 KiB: a daemon front that
    # sends the body faster than this waits for room (in the socket, or its shared memory).
    stream = environ['wsgi.input']
    digest = hashlib.sha256()
    total = 0
    while True:
        block = stream.read(8192)
        if not block:
            break
        digest.update(block)
        total += len(block)
        if total % (128 * 1024) == 0:
            time.sleep(0.02)
    return jsonify(start_response, {'length': total, 'sha256': digest.hexdigest()})


def route_read_then_exit(environ, start_response):
    # Daemon mode only: the worker reads part of the body, then dies (the front was sending the rest).
    environ['wsgi.input'].read(int(environ['QUERY_STRING'] or '1'))
    os._exit(7)


def route_read_modes(environ, start_response):
    stream = environ['wsgi.input']
    mode = environ['QUERY_STRING']
    if mode == 'all':
        result = [stream.read().decode('latin-1')]
    elif mode == 'n':
        result = []
        while True:
            block = stream.read(3)
            if not block:
                break
            result.append(block.decode('latin-1'))
        result.append(repr(stream.read(0)))
    elif mode == 'readline':
        result = []
        while True:
            line = stream.readline()
            if not line:
                break
            result.append(line.decode('latin-1'))
    elif mode == 'readline-limit':
        result = [stream.readline(4).decode('latin-1'), stream.readline(100).decode('latin-1')]
    elif mode == 'readlines':
        result = [line.decode('latin-1') for line in stream.readlines()]
    elif mode == 'iter':
        result = [line.decode('latin-1') for line in stream]
    elif mode == 'eof':
        body = stream.read()
        result = [body.decode('latin-1'), repr(stream.read()), repr(stream.read(10)), repr(stream.readline())]
    elif mode == 'none':
        result = ['unread']
    elif mode == 'mixed':
        # a line first leaves the rest of a network read buffered; read(n) must take it first
        result = [stream.readline().decode('latin-1'), stream.read(5).decode('latin-1'), stream.read().decode('latin-1'), repr(stream.read(3))]
    elif mode == 'more-than-sent':
        # read(n) with n far past the body: the body, then empty bytes
        result = [stream.read(1000000).decode('latin-1'), repr(stream.read(1000000))]
    else:
        result = ['unknown mode']
    return jsonify(start_response, result)


def route_sha_download(environ, start_response):
    # 10 MiB of deterministic bytes streamed in 64 KiB pieces, without Content-Length;
    # ?list-N returns the N bytes as a list instead, which the server sends in one go;
    # ?whole-N streams them as one item (a generator of one bytes object).
    query = environ['QUERY_STRING']
    as_list = query.startswith('list-')
    whole = query.startswith('whole-')
    size = int(query[5:] if as_list else query[6:] if whole else query or str(10 * 1024 * 1024))

    def body():
        block = hashlib.sha256(b'seed').digest() * 2048  # 64 KiB
        sent = 0
        while sent < size:
            piece = block[:min(len(block), size - sent)]
            sent += len(piece)
            yield piece
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    if whole:
        return (piece for piece in [b''.join(body())])
    return list(body()) if as_list else body()


def route_counting(environ, start_response):
    # N bytes (a multiple of 4) in 64 KiB items, each 4-byte little-endian word its own index:
    # a byte lost, doubled or moved anywhere shows at its place, unlike a repeated block.
    size = int(environ['QUERY_STRING'])

    def body():
        for start in range(0, size // 4, 16384):
            count = min(16384, size // 4 - start)
            yield struct.pack('<%dI' % count, *range(start, start + count))
    start_response('200 OK', [('Content-Type', 'application/octet-stream'), ('Content-Length', str(size))])
    return body()


def route_socket_buffers(environ, start_response):
    # SO_SNDBUF and SO_RCVBUF of every connected Unix socket of this process (in a daemon
    # worker: its connections from the front), as the kernel reports them (twice what was set).
    found = []
    for name in os.listdir('/proc/self/fd'):
        try:
            if not os.readlink('/proc/self/fd/' + name).startswith('socket:'):
                continue
            sock = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        with sock:
            if sock.family != socket.AF_UNIX or sock.type != socket.SOCK_STREAM:
                continue
            try:
                sock.getpeername()
            except OSError:
                continue  # the listener
            if not sock.getsockname():
                continue  # a socket pair (the wake-up channel of a connection's shared memory)
            found.append([sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
                          sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)])
    return jsonify(start_response, found)


def route_bad_body(environ, start_response):
    kind = environ['QUERY_STRING']
    start_response('200 OK', [('Content-Type', 'text/plain')])
    if kind == 'str':
        return 'a str body'
    if kind == 'list-str':
        return ['a', 'list', 'of', 'str']
    if kind == 'none':
        return None
    if kind == 'bytearray':
        return [bytearray(b'bytes in a bytearray')]
    if kind == 'write-str':
        write = start_response('200 OK', [('Content-Type', 'text/plain')], sys.exc_info())
        write('a str to write()')
        return []
    return [b'?']


def route_bad_status(environ, start_response):
    kind = environ['QUERY_STRING']
    if kind == 'no-reason':
        start_response('200', [])
    elif kind == 'letters':
        start_response('OK 200', [])
    elif kind == 'bytes':
        start_response(b'200 OK', [])
    elif kind == 'crlf-header':
        start_response('200 OK', [('X-Evil', 'a\r\nSet-Cookie: x=1')])
    elif kind == 'bytes-header':
        start_response('200 OK', [(b'X-Bytes', b'value')])
    elif kind == 'tuple-headers':
        start_response('200 OK', (('X-A', 'b'),))
    elif kind == 'non-latin1':
        start_response('200 OK', [('X-Snowman', '\u2603')])
    elif kind == 'twice':
        # Before any body: mod_wsgi lets the second call replace the first (PEP 3333 would raise).
        start_response('200 OK', [('X-First', '1')])
        start_response('201 Created', [('X-Second', '2')])
        return [b'the second call wins']
    return [b'should not be seen']


def route_headers_back(environ, start_response):
    # ?STATUS|NAME|VALUE: answers with that status and header, the value percent-decoded as
    # latin-1, so tests can vary what start_response gets request after request.
    from urllib.parse import unquote
    status, name, value = unquote(environ['QUERY_STRING'], encoding='latin-1').split('|')
    start_response(status, [('Content-Type', 'text/plain'), (name, value)])
    return [b'headers back']


def route_content_length(environ, start_response):
    kind = environ['QUERY_STRING']
    if kind == 'longer':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '5')])
        return [b'12345', b'67890']
    if kind == 'shorter':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '100')])
        return Closing('shorter', [b'only', b' this'])
    if kind == 'empty-list':
        start_response('204 No Content' if False else '200 OK', [('Content-Type', 'text/plain')])
        return []
    if kind == 'empty-strings':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [b'', b'']
    if kind == 'generator':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return (piece for piece in [b'gen', b'erated'])
    if kind == 'no-content':
        start_response('204 No Content', [('Content-Type', 'text/plain'), ('Content-Length', '0')])
        return []
    if kind in ('head-empty', 'not-modified'):
        # As Werkzeug (Flask) answers: the length of the full body, and no body for HEAD or 304.
        status = '304 Not Modified' if kind == 'not-modified' else '200 OK'
        start_response(status, [('Content-Type', 'text/plain'), ('Content-Length', '11')])
        return [] if environ['REQUEST_METHOD'] == 'HEAD' or kind == 'not-modified' else [b'hello world']
    return [b'?']


def route_close(environ, start_response):
    kind, _, tag = environ['QUERY_STRING'].partition('&')
    if kind == 'normal':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return Closing(tag, [b'one', b'two'])
    if kind == 'fail-middle':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return Closing(tag, [b'one', b'two', b'three'], fail_at=1)
    if kind == 'fail-first':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return Closing(tag, [b'one'], fail_at=0)
    if kind == 'fail-close':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return Closing(tag, [b'kept'], fail_close=True)
    if kind == 'slow':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return Closing(tag, [b'x' * 65536] * 200, delay=0.02)
    if kind.startswith('paused-'):
        # A first piece, then a pause of N seconds before the second (socket-timeout tests).
        pause = float(kind[len('paused-'):])

        def pieces():
            yield b'first\n'
            time.sleep(pause)
            yield b'second\n'
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return Closing(tag, pieces())
    if kind == 'slow-close':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '586')])
        return Closing(tag, [b'x' * 586], close_delay=0.3)
    if kind == 'count':
        with CLOSE_LOCK:
            return text(start_response, str(CLOSES.get(tag, 0)))
    return [b'?']


def route_exc_info(environ, start_response):
    kind = environ['QUERY_STRING']
    if kind == 'before':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('X-First', '1')])
        try:
            raise KeyError('replaced')
        except KeyError:
            start_response('503 Busy Here', [('Content-Type', 'text/plain'), ('X-Second', '1')], sys.exc_info())
        return [b'replacement body']
    if kind == 'after':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        write(b'already sent')
        try:
            raise KeyError('too late')
        except KeyError:
            start_response('500 Oops', [('Content-Type', 'text/plain')], sys.exc_info())
        return [b'never']
    return [b'?']


def route_raise(environ, start_response):
    kind = environ['QUERY_STRING']
    if kind == 'before':
        raise ZeroDivisionError('raised before start_response')
    if kind == 'systemexit':
        raise SystemExit(3)
    if kind == 'keyboard':
        raise KeyboardInterrupt()
    if kind == 'no-start':
        return [b'body without start_response']
    if kind == 'after-headers':
        def body():
            yield b'first chunk'
            raise RuntimeError('raised after headers were sent')
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return body()
    return [b'?']


def route_print(environ, start_response):
    tag = environ['QUERY_STRING']
    print('printed line one', tag)
    print('printed line two', tag)
    sys.stderr.write('stderr line %s\n' % tag)
    environ['wsgi.errors'].write('errors line a %s\nerrors line b %s\n' % (tag, tag))
    environ['wsgi.errors'].flush()
    sys.stdout.buffer.write(('buffer line %s\n' % tag).encode())
    # No newline: the line ends with the request, not glued to the next request's output.
    sys.stderr.write('partial ')
    sys.stderr.write('line %s' % tag)
    return text(start_response, 'logged')


def route_print_hostile(environ, start_response):
    # What an app logs that it was given: terminal escapes, and a file name's undecodable bytes.
    tag = environ['QUERY_STRING']
    print('login failed for \x1b[2J\x1b]0;pwned\x07 %s' % tag)
    raise ValueError(os.fsdecode(b'/data/r\xe9sum\xe9.pdf ') + tag)


def route_file_wrapper(environ, start_response):
    query = dict(part.split('=', 1) for part in environ['QUERY_STRING'].split('&') if '=' in part)
    # size=N: a file of N bytes (default 1 MiB) of the repeating bytes 0..255.
    size = int(query.get('size', str(1024 * 1024)))
    path = os.path.join(tempfile.gettempdir(), 'wsgihost-file-wrapper-%d-%d.bin' % (os.getpid(), size))
    if not os.path.exists(path):
        with open(path + '.tmp', 'wb') as f:
            f.write((bytes(range(256)) * (size // 256 + 1))[:size])
        os.replace(path + '.tmp', path)
    # path=P: that file instead (a file whose size says more than it holds, to test a short read).
    f = open(query.get('path', path), 'rb')
    f.seek(int(query.get('seek', '0')))
    headers = [('Content-Type', 'application/octet-stream')]
    if 'cl' in query:
        headers.append(('Content-Length', query['cl']))
    start_response('200 OK', headers)
    wrapper = environ['wsgi.file_wrapper'](f, 32768)
    original_close = wrapper.close

    def close():
        record_close(query.get('tag', 'file'))
        original_close()
    wrapper.close = close
    if query.get('kind') == 'iterate':
        return iter(wrapper)  # not the wrapper itself: goes through Python
    return wrapper


def route_sleep(environ, start_response):
    time.sleep(float(environ['QUERY_STRING'] or '0.2'))
    return text(start_response, 'slept %s' % threading.current_thread().name)


def route_announced_sleep(environ, start_response):
    # Says in the error log that the request is running, so a test can act while it sleeps.
    seconds, tag = environ['QUERY_STRING'].split('&')
    environ['wsgi.errors'].write('sleeping %s\n' % tag)
    environ['wsgi.errors'].flush()
    time.sleep(float(seconds))
    return text(start_response, 'slept')


def route_spin(environ, start_response):
    # Busy in Python (not in a C call) for the asked seconds; `except Exception` must not
    # swallow the RequestTimeout that interrupt-timeout raises.
    end = time.time() + float(environ['QUERY_STRING'])
    while time.time() < end:
        try:
            sum(range(1000))
        except Exception:
            pass
    return text(start_response, 'spun')


def route_spin_cpu(environ, start_response):
    # Busy until the process has used the asked CPU seconds more (a minute at most): on a
    # loaded machine, spinning for wall-clock seconds may use far less CPU than asked.
    wanted = time.process_time() + float(environ['QUERY_STRING'])
    deadline = time.time() + 60
    while time.process_time() < wanted and time.time() < deadline:
        sum(range(1000))
    return text(start_response, 'spun')


def route_long_header(environ, start_response):
    # A response header of the asked length (header-buffer-size in daemon mode).
    start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Long', 'x' * int(environ['QUERY_STRING']))])
    return [b'long header']


def route_write(environ, start_response):
    write = start_response('200 OK', [('Content-Type', 'text/plain')])
    write(b'written ')
    write(b'then ')
    return [b'returned']


def route_os_environ(environ, start_response):
    # SetEnv must reach the WSGI environ only, never the process environment.
    return jsonify(start_response, {'value': os.environ.get(environ['QUERY_STRING'])})


def route_method(environ, start_response):
    status_headers = [('Content-Type', 'text/plain'), ('X-Request-Method', environ['REQUEST_METHOD'])]
    start_response('200 OK', status_headers)
    return [environ['REQUEST_METHOD'].encode('ascii')]


def route_mod_wsgi(environ, start_response):
    # The mod_wsgi module, as code written for mod_wsgi imports it; ?shutdown=PATH subscribes a
    # callback that writes its event to PATH when the process stops.
    import mod_wsgi
    from urllib.parse import parse_qs
    query = parse_qs(environ['QUERY_STRING'])
    if 'shutdown' in query:
        path = query['shutdown'][0]
        # &thread=1: a non-daemon background thread that the callback stops, and an atexit
        # handler that says it ran (mod_wsgi runs the callbacks before Python waits for threads).
        done = threading.Event()
        if 'thread' in query:
            threading.Thread(target=done.wait, name='app-background', daemon=False).start()

            def at_exit():
                with open(path + '.atexit', 'w') as f:
                    f.write('atexit')
            import atexit
            atexit.register(at_exit)

        def stopping(event, **kwargs):
            done.set()
            with open(path, 'w') as f:
                f.write(event)
        mod_wsgi.subscribe_shutdown(stopping)
    if 'submodule' in query:
        import mod_wsgi.server
        return jsonify(start_response, {'package': mod_wsgi.PACKAGE, 'server': mod_wsgi.server.NAME, 'process_group': mod_wsgi.process_group})
    return jsonify(start_response, {
        'version': list(mod_wsgi.version),
        'process_group': mod_wsgi.process_group,
        'application_group': mod_wsgi.application_group,
        'maximum_processes': mod_wsgi.maximum_processes,
        'threads_per_process': mod_wsgi.threads_per_process,
        'request_timeout_is_base_exception': issubclass(mod_wsgi.RequestTimeout, BaseException) and not issubclass(mod_wsgi.RequestTimeout, Exception),
        'environ_version': list(environ['mod_wsgi.version']),
    })


def route_pid(environ, start_response):
    # Which process served the request (daemon mode runs apps in worker processes).
    return text(start_response, str(os.getpid()))


def route_locale(environ, start_response):
    # Every category of the process's C locale, as one name when they agree (mod_wsgi's locale=).
    import locale
    return text(start_response, locale.setlocale(locale.LC_ALL))


ROUTES = {
    '/locale': route_locale,
    '/hold-gil': lambda environ, start_response: hold_gil(environ, start_response),
    '/pid': route_pid,
    '/print-hostile': route_print_hostile,
    '/mod-wsgi': route_mod_wsgi,
    '/os-environ': route_os_environ,
    '/method': route_method,
    '/environ': route_environ,
    '/echo': route_echo,
    '/read': route_read_modes,
    '/slow-echo': route_slow_echo,
    '/read-then-exit': route_read_then_exit,
    '/download': route_sha_download,
    '/counting': route_counting,
    '/socket-buffers': route_socket_buffers,
    '/bad-body': route_bad_body,
    '/bad-status': route_bad_status,
    '/content-length': route_content_length,
    '/headers-back': route_headers_back,
    '/close': route_close,
    '/exc-info': route_exc_info,
    '/raise': route_raise,
    '/print': route_print,
    '/file-wrapper': route_file_wrapper,
    '/sleep': route_sleep,
    '/announced-sleep': route_announced_sleep,
    '/long-header': route_long_header,
    '/spin': route_spin,
    '/spin-cpu': route_spin_cpu,
    '/write': route_write,
}


# Every request target the app was called with, so tests can prove a request never reached it.
SEEN = []


def route_seen(environ, start_response):
    token = environ['QUERY_STRING']
    return jsonify(start_response, [uri for uri in SEEN if token in uri and '/seen?' not in uri])


ROUTES['/seen'] = route_seen


def application(environ, start_response):
    SEEN.append(environ.get('REQUEST_URI', ''))
    handler = ROUTES.get(environ['PATH_INFO'])
    if handler is None:
        return text(start_response, 'no route %s' % ascii(environ['PATH_INFO']), '404 Not Found')
    return handler(environ, start_response)


def alternate(environ, start_response):
    """A second callable, for WSGICallableObject and callable-object=."""
    return text(start_response, 'alternate callable')


def hold_gil(environ, start_response):
    """Blocks in C while holding the GIL (a PyDLL call keeps it), as a stuck extension would."""
    import ctypes
    environ['wsgi.errors'].write('holding the GIL\n')
    environ['wsgi.errors'].flush()
    ctypes.PyDLL(None).sleep(int(environ['QUERY_STRING'] or '30'))
    return text(start_response, 'released')
