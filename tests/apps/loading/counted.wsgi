# Counts how many times this script's module code runs in the interpreter (WSGIImportScript
# preloads it; later requests and other mounts of the same file must reuse that module).
import builtins

builtins._counted_loads = getattr(builtins, '_counted_loads', 0) + 1
LOADS_WHEN_EXECUTED = builtins._counted_loads


def application(environ, start_response):
    body = ('loads=%d this=%d' % (builtins._counted_loads, LOADS_WHEN_EXECUTED)).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
