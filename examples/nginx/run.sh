#!/usr/bin/env bash
# Two WsgiHost instances of site.conf (127.0.0.1:$PORT_1 and :$PORT_2) behind nginx on
# http://127.0.0.1:$NGINX_PORT/, everything (config, PIDs, logs, nginx temp) in $STATE.
# Runs until SIGTERM or Ctrl-C, then stops all three. In another terminal:
#   curl http://127.0.0.1:8080/
#   examples/nginx/roll.sh          # restart both instances, one after the other, no failed request
# Environment: NGINX_PORT (8080), PORT_1 (8001), PORT_2 (8002), STATE, WSGIHOST, PYTHON.
set -euo pipefail
source "$(dirname "$0")/instances.sh"
NGINX_PORT="${NGINX_PORT:-8080}"
PORT_1="${PORT_1:-8001}"
PORT_2="${PORT_2:-8002}"

if [ ! -x "$WSGIHOST" ]; then
    "$root/scripts/setup.sh"
    dotnet build "$root/src/WsgiHost.Cli" -c Release -nologo -v quiet >&2
fi
command -v nginx >/dev/null || PATH="$PATH:/usr/sbin"
command -v nginx >/dev/null || { echo "run.sh: nginx is not installed (apt-get install nginx, or scripts/setup.sh)" >&2; exit 1; }

mkdir -p "$STATE/logs" "$STATE/temp"
echo "$PORT_1" >"$STATE/instance-1.port"
echo "$PORT_2" >"$STATE/instance-2.port"
echo "$NGINX_PORT" >"$STATE/nginx.port"
nginx_config

nginx_pid=""
stop_all() {
    trap - TERM INT EXIT
    stop_instance 1 || true
    stop_instance 2 || true
    if [ -n "$nginx_pid" ]; then
        kill -QUIT "$nginx_pid" 2>/dev/null || true   # graceful: finish what it has
        wait "$nginx_pid" 2>/dev/null || true
    fi
    echo "stopped"
}
trap stop_all TERM INT EXIT

start_instance 1
start_instance 2
wait_ready 1
wait_ready 2
nginx -p "$STATE" -c "$STATE/nginx.conf" -e "$STATE/logs/error.log" -g 'daemon off;' &
nginx_pid=$!
for ((i = 0; i < 600; i++)); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$NGINX_PORT/" && break
    kill -0 "$nginx_pid" 2>/dev/null || { echo "run.sh: nginx did not start; see $STATE/logs/error.log" >&2; exit 1; }
    sleep 0.1
done
echo "ready: http://127.0.0.1:$NGINX_PORT/ -> 127.0.0.1:$PORT_1 (pid $(cat "$STATE/instance-1.pid")), 127.0.0.1:$PORT_2 (pid $(cat "$STATE/instance-2.pid")); state in $STATE"

while kill -0 "$nginx_pid" 2>/dev/null; do
    sleep 1
done
