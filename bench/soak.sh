#!/usr/bin/env bash
# soak.sh -- minutes of mixed traffic against `wsgihost run` (not part of CI).
#
# Starts bench/soak/soak.conf (three daemon groups recycled by maximum-requests, a Flask
# group, an embedded mount) on 127.0.0.1 and runs bench/soak/driver.py against it: hello,
# a Flask page, uploads checked by sha256, streamed downloads and files sent through
# wsgi.file_wrapper checked byte for byte, and clients that abort mid-response. Server and
# worker RSS and open fds are sampled every 10 s and must be flat after warm-up. Writes
# bench/results/<date>/soak.md; exits non-zero on any wrong body, unexpected status, crash in
# the log or growth.
#
# environment (all optional):
#   SOAK_MINUTES=10   how long to run
#   SOAK_CLIENTS=8    client threads
#   SOAK_PORT         default: a free port
#   SKIP_BUILD=1      use src/WsgiHost.Cli/bin/Release/net10.0/wsgihost as it is
#   PY=/usr/bin/python3   the Python the server embeds (Debian's, with python3-flask)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
MINUTES=${SOAK_MINUTES:-10}
CLIENTS=${SOAK_CLIENTS:-8}
PY=${PY:-/usr/bin/python3}
WSGIHOST=$REPO/src/WsgiHost.Cli/bin/Release/net10.0/wsgihost
REPORT=$HERE/results/$(date -u +%Y-%m-%d)/soak.md

if [[ -z ${SKIP_BUILD:-} ]]; then
    echo "== building wsgihost (Release)" >&2
    dotnet build "$REPO/src/WsgiHost.Cli/WsgiHost.Cli.csproj" -c Release -nologo -v quiet >&2
fi
"$PY" -c 'import flask' 2>/dev/null || { echo "soak.sh: $PY has no flask (apt-get install python3-flask)" >&2; exit 2; }

PORT=${SOAK_PORT:-$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
RUN=$(mktemp -d /tmp/wsgihost-soak-XXXXXX)
echo "== wsgihost run bench/soak/soak.conf on 127.0.0.1:$PORT for $MINUTES min (logs in $RUN)" >&2
"$WSGIHOST" run "$HERE/soak/soak.conf" --python "$PY" -D "PORT=$PORT" -D "RUN=$RUN" -D "HERE=$HERE/soak" >"$RUN/stdout" 2>"$RUN/stderr" &
SERVER=$!
stop_server() {
    if kill -0 "$SERVER" 2>/dev/null; then
        kill -TERM "$SERVER"
        wait "$SERVER" || true
    fi
}
trap stop_server EXIT

for _ in $(seq 600); do
    grep -q "mode:" "$RUN/stdout" 2>/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$RUN/stdout" "$RUN/stderr" >&2; echo "soak.sh: the server did not start" >&2; exit 2; }
    sleep 0.1
done

status=0
/usr/bin/python3 "$HERE/soak/driver.py" --port "$PORT" --server-pid "$SERVER" --error-log "$RUN/error.log" \
    --minutes "$MINUTES" --clients "$CLIENTS" --report "$REPORT" || status=$?
stop_server
trap - EXIT
# The files the app wrote for its file_wrapper route (soak_app.wsgi).
rm -f "${TMPDIR:-/tmp}"/wsgihost-soak-file-*
if ! grep -q "" "$RUN/stderr" 2>/dev/null; then :; else echo "== server stderr:" >&2; tail -20 "$RUN/stderr" >&2; fi
echo "== report: $REPORT (logs kept in $RUN)" >&2
exit $status
