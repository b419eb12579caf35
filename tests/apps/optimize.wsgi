# WSGIPythonOptimize (PythonOptimizeTests): what python -O changes, as the app sees it.
import sys


def asserts_run():
    try:
        assert False, 'asserts run'
    except AssertionError:
        return True
    return False


def application(environ, start_response):
    body = 'optimize=%d debug=%s asserts=%s' % (sys.flags.optimize, __debug__, 'run' if asserts_run() else 'stripped')
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body.encode('ascii')]
