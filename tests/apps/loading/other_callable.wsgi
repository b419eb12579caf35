def handler(environ, start_response):
    body = b'served by handler'
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
