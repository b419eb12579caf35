# The application, imported as site_pkg.views, as Django's wsgi.py imports mysite.settings.
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'found site_pkg']
