# A site as Django's "authenticate against Django's user database" recipe builds one: the
# WSGI application and mod_wsgi's auth hooks (check_password, groups_for_user) in one file.
# Mounted in the main interpreter, where auth scripts run by default, the app and the hooks
# share this module, so the app can show what the hooks were given (AuthScriptTests).
import json

# name: (password, active, groups); bytes groups as Django's groups_for_user returns them.
USERS = {
    'alice': ('wonderland', True, [b'admins', b'staff']),
    'grace': ('only-in-python', True, ['staff']),
    'dave': ('away', False, [b'staff']),
    'zo\u00eb': ('m\u00f6t\u00f6rhead', True, ['Admins']),
}

seen = {}


def check_password(environ, user, password):
    seen['environ'] = {key: value for key, value in environ.items() if isinstance(value, str)}
    seen['errors'] = type(environ.get('wsgi.errors')).__name__
    seen['credentials'] = [user, password]
    if user == 'crash':
        raise RuntimeError('the user database is down')
    if user == 'weird':
        return 42
    if user == 'renamed':
        return 'Renamed.User'
    entry = USERS.get(user)
    if entry is None or not entry[1]:
        return None  # as Django: unknown or inactive
    return entry[0] == password


def groups_for_user(environ, user):
    if user == 'crash-groups':
        raise RuntimeError('the group table is locked')
    entry = USERS.get(user)
    return [] if entry is None or not entry[1] else entry[2]


def application(environ, start_response):
    body = json.dumps({'REMOTE_USER': environ.get('REMOTE_USER'), 'seen': seen}).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]
