# The smallest WSGI application, mounted by the example site configurations.
import sys


def application(environ, start_response):
    body = ('Hello from WsgiHost! Python %s, SCRIPT_NAME=%r PATH_INFO=%r\n' % (
        sys.version.split()[0], environ['SCRIPT_NAME'], environ['PATH_INFO'])).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8'),
                              ('Content-Length', str(len(body)))])
    return [body]
