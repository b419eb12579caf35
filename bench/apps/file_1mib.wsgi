# File download through wsgi.file_wrapper: the same 1 MiB of 'x' as the harness's static_1mib
# and stream apps, sent from an open file the way Django's FileResponse sends one. Every server
# may send it with sendfile(2) (PEP 3333's "platform-specific file handling").
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
    f = open(PATH, 'rb')
    start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                              ('Content-Length', str(SIZE))])
    return environ['wsgi.file_wrapper'](f, 65536)
