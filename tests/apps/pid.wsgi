# Answers with the id of the process that runs it, and imports nothing else: the process
# then holds only what the server itself loads (OpenSslTests).
import os


def application(environ, start_response):
    body = str(os.getpid()).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
