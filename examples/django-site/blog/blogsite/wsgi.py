# The WSGI entry point of the blog, as mod_wsgi deployments write it: the project folder goes
# on sys.path here, so the same file works embedded and in a daemon group without python-path=,
# and the settings module is assigned, not setdefault(), so under Apache + mod_wsgi no other
# app in the same process can hand it its own settings.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ['DJANGO_SETTINGS_MODULE'] = 'blogsite.settings'

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
