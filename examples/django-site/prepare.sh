#!/usr/bin/env bash
# Makes the blog's state folder: the SQLite database (migrate), the static files the server
# serves at /blog/static/ (collectstatic) and the admin user. Safe to run again: it applies
# new migrations, refreshes the static files and resets the admin's password.
#   DJANGO_SITE_STATE   the state folder (default: examples/django-site/state, ignored by git)
#   ADMIN_USER          the admin's user name (default: admin)
#   ADMIN_PASSWORD      the admin's password (default: wsgihost-demo)
#   PYTHON              the Python with Django (default: Debian's /usr/bin/python3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DJANGO_SITE_STATE="${DJANGO_SITE_STATE:-$here/state}"
export ADMIN_USER="${ADMIN_USER:-admin}" ADMIN_PASSWORD="${ADMIN_PASSWORD:-wsgihost-demo}"
python="${PYTHON:-/usr/bin/python3}"
mkdir -p "$DJANGO_SITE_STATE"
cd "$here/blog"
"$python" manage.py migrate --noinput -v 0
"$python" manage.py collectstatic --noinput --clear -v 0
"$python" manage.py shell -c '
import os
from django.contrib.auth import get_user_model
user, _ = get_user_model().objects.get_or_create(username=os.environ["ADMIN_USER"])
user.is_staff = user.is_superuser = True
user.set_password(os.environ["ADMIN_PASSWORD"])
user.save()
'
echo "prepared $DJANGO_SITE_STATE (admin user: $ADMIN_USER)" >&2
