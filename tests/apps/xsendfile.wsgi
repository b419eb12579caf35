# Fixture for mod_xsendfile (XSendFileTests): answers with X-Sendfile or X-Sendfile-Temporary
# naming the file given as the raw query string (still URL-encoded, as an app would send it),
# and a body of its own that the server must drop.
import os

DROPPED = b'the body the app wrote, which the file replaces\n'


def application(environ, start_response):
    path = environ['PATH_INFO']
    name = environ.get('QUERY_STRING', '')
    headers = [('Content-Type', 'application/x-report'), ('Content-Length', str(len(DROPPED))),
               ('Content-Disposition', 'attachment; filename="report.bin"')]
    if path == '/send':
        start_response('200 OK', headers + [('X-Sendfile', name)])
        return [DROPPED]
    if path == '/temporary':
        start_response('200 OK', headers + [('X-Sendfile-Temporary', name)])
        return [DROPPED]
    if path == '/validators':
        start_response('200 OK', headers + [('X-Sendfile', name), ('ETag', '"release-7"'),
                                            ('Last-Modified', 'Tue, 01 Dec 2026 10:00:00 GMT')])
        return [DROPPED]
    if path == '/declared':
        # As werkzeug's send_file(..., use_x_sendfile=True) (Flask's USE_X_SENDFILE): the file's
        # length in Content-Length, and no body at all.
        start_response('200 OK', [('Content-Type', 'application/x-report'), ('X-Sendfile', name),
                                  ('Content-Length', str(os.path.getsize(name)))])
        return []
    if path == '/wrapper':
        # A body sent through wsgi.file_wrapper is dropped as well.
        start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Sendfile', name)])
        return environ['wsgi.file_wrapper'](open(__file__, 'rb'), 8192)
    if path == '/missing':
        # Only a 200 is replaced: this 404 and its header go out as the app wrote them.
        start_response('404 Not Found', [('Content-Type', 'text/plain'), ('X-Sendfile', name)])
        return [b'no such report\n']
    start_response('400 Bad Request', [('Content-Type', 'text/plain')])
    return [b'unknown fixture path\n']
