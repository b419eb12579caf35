# Faults on demand, for FaultInjectionTests and IsolationTests: each route breaks its process
# the way a buggy application or C extension would.
import ctypes
import errno
import os
import socket
import time


def text(start_response, body, status='200 OK'):
    data = body.encode('utf-8')
    start_response(status, [('Content-Type', 'text/plain'), ('Content-Length', str(len(data)))])
    return [data]


def segfault(environ, start_response):
    # A C extension dereferencing NULL: the process gets SIGSEGV. Said first, so a test can
    # count how many times the request ran.
    environ['wsgi.errors'].write('segfaulting in pid %d\n' % os.getpid())
    environ['wsgi.errors'].flush()
    ctypes.memset(0, 1, 1)
    return text(start_response, 'still alive')


def segfault_mid_stream(environ, start_response):
    # The response has started (headers and a first chunk went out) when the process crashes.
    start_response('200 OK', [('Content-Type', 'text/plain')])

    def body():
        yield b'first chunk\n'
        ctypes.memset(0, 1, 1)
        yield b'never sent\n'
    return body()


def allocate(environ, start_response):
    # Asks for this many MiB at once, as an app loading a huge file would.
    size = int(environ['QUERY_STRING'] or '4096') * 1024 * 1024
    block = bytearray(size)
    return text(start_response, 'allocated %d bytes' % len(block))


def hold_gil(environ, start_response):
    # sleep() called through PyDLL keeps the GIL: no other thread of the process can run Python.
    ctypes.PyDLL(None).sleep(int(environ['QUERY_STRING'] or '30'))
    return text(start_response, 'woke up')


def sleep(environ, start_response):
    # Says so first, so a test knows the request is running before it breaks the process.
    environ['wsgi.errors'].write('sleeping in pid %d\n' % os.getpid())
    environ['wsgi.errors'].flush()
    time.sleep(float(environ['QUERY_STRING'] or '30'))
    return text(start_response, 'slept')


def connect(environ, start_response):
    # Tries another group's Unix socket; answers with the outcome (errno name or 'connected').
    path = environ['QUERY_STRING']
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        outcome = 'connected'
    except OSError as e:
        outcome = errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()
    return text(start_response, outcome)


def open_for_write(environ, start_response):
    # Tries to open a file for appending; answers with the outcome.
    path = environ['QUERY_STRING']
    try:
        with open(path, 'a'):
            outcome = 'opened'
    except OSError as e:
        outcome = errno.errorcode.get(e.errno, str(e.errno))
    return text(start_response, outcome)


ROUTES = {
    '/segfault': segfault,
    '/segfault-mid-stream': segfault_mid_stream,
    '/allocate': allocate,
    '/hold-gil': hold_gil,
    '/sleep': sleep,
    '/connect': connect,
    '/open-for-write': open_for_write,
    '/pid': lambda environ, start_response: text(start_response, str(os.getpid())),
    '/uid': lambda environ, start_response: text(start_response, str(os.getuid())),
}


def application(environ, start_response):
    route = ROUTES.get(environ.get('PATH_INFO', ''))
    if route is None:
        return text(start_response, 'hello from %s' % (environ.get('mod_wsgi.process_group') or 'embedded'))
    return route(environ, start_response)
