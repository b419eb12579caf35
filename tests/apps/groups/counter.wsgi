# Module state per interpreter: how many times this module ran in this interpreter, how many
# requests it served, and which interpreter (sys.modules differs per interpreter).
import builtins
import json
import os
import sys

builtins._group_loads = getattr(builtins, '_group_loads', 0) + 1
HITS = 0


def application(environ, start_response):
    global HITS
    HITS += 1
    body = json.dumps({
        'group': environ['mod_wsgi.application_group'],
        'loads': builtins._group_loads,
        'hits': HITS,
        'interpreter': id(sys.modules),
        'marker_env': os.environ.get('GROUPS_TEST_LEAK'),
    }).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
