# Imported at startup by WSGIImportScript: leaves a marker file named after the server's pid.
import os
import tempfile

MARKER = os.path.join(tempfile.gettempdir(), 'wsgihost-preload-%d.marker' % os.getpid())
with open(MARKER, 'w') as f:
    f.write('imported before any request\n')


def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'preloaded']
