# As pip's mod_wsgi.server (the runmodwsgi management command's home).
NAME = 'mod_wsgi.server'
