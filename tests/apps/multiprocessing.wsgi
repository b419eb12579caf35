# Work handed to child processes from inside a request, as apps do for CPU-bound jobs
# (functional tests: ForkTests). The fork start method copies the server's process.
import json
import multiprocessing
import os
import sys


def square(x):
    return x * x


def shout(text):
    # A forked child's output: it must reach the server's stderr, not hang on the server's log.
    print('child %d says %s' % (os.getpid(), text), flush=True)
    return os.getpid()


def application(environ, start_response):
    method = environ['PATH_INFO'].strip('/') or 'fork'
    context = multiprocessing.get_context(method)
    with context.Pool(2) as pool:   # leaving the block terminates the pool: SIGTERM to each worker
        squares = pool.map(square, [1, 2, 3], chunksize=1)
        children = pool.map(shout, ['hello'] * 2, chunksize=1)
    body = json.dumps({'method': context.get_start_method(), 'squares': squares, 'children': children, 'pid': os.getpid()})
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body.encode() + b'\n']
