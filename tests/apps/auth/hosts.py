# A WSGIAccessScript: allow_access(environ, host) answers as the request's X-Access header says,
# so one script shows every answer (AuthScriptTests).
def allow_access(environ, host):
    answer = environ.get('HTTP_X_ACCESS')
    if answer == 'raise':
        raise RuntimeError('the ban list is unreadable')
    if answer == 'host':
        return host == '127.0.0.1'
    return {'allow': True, 'deny': False}.get(answer)
