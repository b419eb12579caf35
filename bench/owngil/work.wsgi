# A page that spends its time in Python (about a millisecond of bytecode), so the GIL, not
# the HTTP path, is what limits a group: what own-GIL sub-interpreters can change.
def application(environ, start_response):
    total = 0
    for i in range(20000):
        total += i * i
    body = ('%d\n' % total).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
