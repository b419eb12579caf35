#!/usr/bin/env bash
# Prepares the blog (see prepare.sh) and serves examples/django-site/site.conf on
# http://127.0.0.1:8080/ until Ctrl+C: a plain WSGI app at /, the Django blog at /blog/ and its
# admin at /blog/admin/ (user admin, password wsgihost-demo). Extra arguments go to
# `wsgihost run`, e.g. -D EMBEDDED to run the apps in the server process instead of a daemon group.
#   PORT=9000 examples/django-site/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export DJANGO_SITE_STATE="${DJANGO_SITE_STATE:-$here/state}"
"$root/scripts/setup.sh"
"$here/prepare.sh"
dotnet build "$root/src/WsgiHost.Cli" -c Release -nologo -v quiet >&2
exec "$root/src/WsgiHost.Cli/bin/Release/net10.0/wsgihost" run "$here/site.conf" \
    -D PORT="${PORT:-8080}" -D STATE="$DJANGO_SITE_STATE" --python /usr/bin/python3 "$@"
