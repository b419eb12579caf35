# Fixture for the identity tests (ServerIdentityTests): which user imported the script and which
# one runs the request, in which process: "imported-uid request-uid pid".
import os

IMPORTED_AS = os.getuid()


def application(environ, start_response):
    body = ('%d %d %d' % (IMPORTED_AS, os.getuid(), os.getpid())).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
