# Registers signal handlers, as some libraries do at import or lazily in a request: under
# mod_wsgi (WSGIRestrictSignal On) both are ignored with a warning, and the server keeps its
# own SIGTERM (SignalTests).
import signal

stopped = []
signal.signal(signal.SIGTERM, lambda signum, frame: stopped.append(signum))


def application(environ, start_response):
    returned = signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    body = ('registered, got %r' % (returned,)).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
