# Django's startproject layout (functional tests: ScriptLoadingTests): the script sits inside
# the package it imports, so the folder above it must be on sys.path.
from site_pkg.views import application  # noqa: F401
