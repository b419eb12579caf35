# Fixture for the charset tests (CharsetTests): answers with the Content-Type the query string
# names (?type=...), text/html when none, so the test sees what AddDefaultCharset makes of it.
from urllib.parse import parse_qs


def application(environ, start_response):
    query = parse_qs(environ.get('QUERY_STRING', ''))
    content_type = query.get('type', ['text/html'])[0]
    body = ('<p>%s</p>\n' % content_type).encode('ascii')
    start_response('200 OK', [('Content-Type', content_type), ('Content-Length', str(len(body)))])
    return [body]
