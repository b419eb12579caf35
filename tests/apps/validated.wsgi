# An app wrapped in wsgiref.validate.validator: every PEP 3333 rule the server breaks
# raises AssertionError inside the app (and so shows up as a 500 and a traceback).
from wsgiref.validate import validator


def _app(environ, start_response):
    stream = environ['wsgi.input']
    if environ['PATH_INFO'] == '/read-to-eof':
        # The validator allows only read(n); reading on past the end must give b''.
        body = b''
        while True:
            block = stream.read(4)
            if not block:
                break
            body += block
        assert stream.read(100) == b''
    elif environ['REQUEST_METHOD'] == 'POST':
        length = int(environ.get('CONTENT_LENGTH') or 0)
        body = stream.read(length)
    else:
        body = b'get:' + environ['QUERY_STRING'].encode('latin-1')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]


application = validator(_app)
