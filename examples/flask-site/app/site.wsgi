# The WSGI entry point of the Flask site, as mod_wsgi deployments write it.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from notes_app import app as application  # noqa: E402
