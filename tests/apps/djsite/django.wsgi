# Django 3.2 site entry point, as a mod_wsgi deployment would have it.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'djsite.settings')

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
