#!/usr/bin/env bash
# Serves examples/migration/site.conf on http://127.0.0.1:8080 and https://127.0.0.1:8443
# (a self-signed certificate for www.example.com is made on first use). Try:
#   curl -H 'Host: www.example.com' http://127.0.0.1:8080/
#   curl -k --resolve www.example.com:8443:127.0.0.1 https://www.example.com:8443/
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$root/scripts/setup.sh"
dotnet build "$root/src/WsgiHost.Cli" -c Release -nologo -v quiet >&2
certs="$here/.certs"
if [ ! -f "$certs/example.com.crt" ]; then
    mkdir -p "$certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=www.example.com" \
        -addext "subjectAltName=DNS:www.example.com,DNS:example.com" \
        -keyout "$certs/example.com.key" -out "$certs/example.com.crt" 2>/dev/null
fi
exec "$root/src/WsgiHost.Cli/bin/Release/net10.0/wsgihost" run "$here/site.conf" \
    -D SITE_ROOT="$here" -D HTTP_PORT="${HTTP_PORT:-8080}" -D HTTPS_PORT="${HTTPS_PORT:-8443}" -D CERTS="$certs" \
    "$@"
