#!/usr/bin/env bash
# Sets up, builds and serves examples/hello on http://127.0.0.1:8000/ until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet build src/WsgiHost.Cli -c Release -nologo -v quiet >&2
exec src/WsgiHost.Cli/bin/Release/net10.0/wsgihost serve examples/hello/hello.wsgi --python /usr/bin/python3 --access-log "$@"
