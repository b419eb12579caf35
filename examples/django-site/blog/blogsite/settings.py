# Settings of the blog that examples/django-site/site.conf mounts at /blog.
#
# Nothing here names the mount point: the server passes SCRIPT_NAME=/blog, Django prefixes
# every URL it builds with it (reverse(), redirects, the admin's links) and, since STATIC_URL
# is relative, the static URLs too (/blog/static/...). FORCE_SCRIPT_NAME is not needed.
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# What the site writes (the SQLite database, the collected static files) lives outside the
# source tree: DJANGO_SITE_STATE, which prepare.sh and run.sh set (default: ../state).
STATE_DIR = Path(os.environ.get('DJANGO_SITE_STATE', BASE_DIR.parent / 'state')).resolve()

SECRET_KEY = 'example-only-not-secret'
DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost', '[::1]']
# Over plain HTTP Django 3.2's CSRF check is the token and the cookie alone (the Referer is only
# checked on HTTPS), and Django 4's Origin check accepts the request's own host and port, so
# CSRF_TRUSTED_ORIGINS is needed only for a site behind a proxy that changes the host.

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'posts',
]
MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]
ROOT_URLCONF = 'blogsite.urls'
TEMPLATES = [{
    'BACKEND': 'django.template.backends.django.DjangoTemplates',
    'APP_DIRS': True,
    'OPTIONS': {'context_processors': [
        'django.template.context_processors.request',
        'django.contrib.auth.context_processors.auth',
        'django.contrib.messages.context_processors.messages',
    ]},
}]
WSGI_APPLICATION = 'blogsite.wsgi.application'
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': STATE_DIR / 'db.sqlite3'}}
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
USE_TZ = True

# The server serves these (Alias /blog/static/ in site.conf), not Django: collectstatic copies
# every app's static files (the admin's CSS and JS, posts/static) to STATIC_ROOT.
STATIC_URL = 'static/'
STATIC_ROOT = STATE_DIR / 'static'
