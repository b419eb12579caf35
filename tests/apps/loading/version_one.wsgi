VERSION = 'one'


def application(environ, start_response):
    body = ('version %s' % VERSION).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
