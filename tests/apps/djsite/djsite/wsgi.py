# The module Django's startproject writes (WSGI_APPLICATION = 'djsite.wsgi.application'),
# which mod_wsgi-express serves with --application-type module.
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'djsite.settings')

application = get_wsgi_application()
