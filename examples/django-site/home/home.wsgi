# The site's front app at /: a plain WSGI application beside the Django blog mounted at /blog.
import html


def application(environ, start_response):
    if environ.get('PATH_INFO', '') not in ('', '/'):
        start_response('404 Not Found', [('Content-Type', 'text/plain; charset=utf-8')])
        return [b'Not found\n']
    group = environ.get('mod_wsgi.process_group', '')
    served_by = 'daemon group %s' % group if group else 'the server process (embedded)'
    page = f'''<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Home</title></head>
<body>
  <h1>Welcome</h1>
  <p>This page is a plain WSGI app at /. The Django blog is mounted at
     <a href="/blog/">/blog/</a>, with its admin at <a href="/blog/admin/">/blog/admin/</a>.</p>
  <footer>Served by {html.escape(served_by)}.</footer>
</body>
</html>
'''
    body = page.encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'), ('Content-Length', str(len(body)))])
    return [body]
