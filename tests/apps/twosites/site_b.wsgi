# One code base, two Django sites: this one selects settings_b the usual way.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'twosites.settings_b')

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
