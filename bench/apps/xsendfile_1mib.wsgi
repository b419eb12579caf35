# File download through X-Sendfile (mod_xsendfile): the app names the file and the server
# sends it, as Django's and Flask's protected-download backends do. The same 1 MiB of 'x' as
# file_1mib, which sends it through wsgi.file_wrapper instead.
import os
import tempfile

PATH = os.path.join(tempfile.gettempdir(), 'wsgihost-bench-file-1mib.bin')
SIZE = 1024 * 1024

if not os.path.exists(PATH) or os.path.getsize(PATH) != SIZE:
    part = '%s.%d' % (PATH, os.getpid())
    with open(part, 'wb') as f:
        f.write(b'x' * SIZE)
    os.chmod(part, 0o644)
    os.replace(part, PATH)


def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/octet-stream'), ('X-Sendfile', PATH)])
    return [b'']
