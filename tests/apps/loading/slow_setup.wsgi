# Module-level setup that takes a while and must run exactly once, even when the first
# requests arrive together (as Django's settings and app registry setup must).
import os
import time

COUNTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'loads.txt')
with open(COUNTER, 'a') as f:
    f.write('loaded\n')
time.sleep(1.0)
READY = True


def application(environ, start_response):
    body = ('ready=%s module=%s' % (READY, __name__)).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
