# Shared by run.sh and roll.sh (sourced): where things are, and how one instance starts,
# stops and becomes ready. Every process is handled by the PID in its file under $STATE.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
STATE="${STATE:-${TMPDIR:-/tmp}/wsgihost-nginx}"
WSGIHOST="${WSGIHOST:-$root/src/WsgiHost.Cli/bin/Release/net10.0/wsgihost}"
PYTHON="${PYTHON:-/usr/bin/python3}"
# After SIGTERM an instance keeps serving this long, closing each connection after its
# response, so nginx's kept-alive connections to it end cleanly; then it refuses new ones.
DRAIN="${DRAIN:-1}"

# instance_port N: the port instance N listens on (written by run.sh).
instance_port() { cat "$STATE/instance-$1.port"; }

# nginx_config [N]: writes $STATE/nginx.conf with instance N (if given) marked down.
nginx_config() {
    local down_1="" down_2=""
    [ "${1:-}" = 1 ] && down_1=" down"
    [ "${1:-}" = 2 ] && down_2=" down"
    sed -e "s|@STATE@|$STATE|g" -e "s|@NGINX_PORT@|$(cat "$STATE/nginx.port")|g" \
        -e "s|@PORT_1@|$(instance_port 1)|g" -e "s|@PORT_2@|$(instance_port 2)|g" \
        -e "s|@DOWN_1@|$down_1|g" -e "s|@DOWN_2@|$down_2|g" \
        "$here/nginx.conf.in" >"$STATE/nginx.conf"
}

# nginx_reload [N]: nginx takes the configuration with instance N down (or none) and the old
# worker processes finish their requests and exit; returns once they have, so from then on
# no request goes to instance N.
nginx_reload() {
    local master old i
    master="$(cat "$STATE/nginx.pid")"
    old="$(ps -o pid= --ppid "$master")"
    nginx_config "${1:-}"
    nginx -t -q -p "$STATE" -c "$STATE/nginx.conf" -e "$STATE/logs/error.log"
    kill -HUP "$master"
    for ((i = 0; i < 600; i++)); do
        local alive=0 pid
        for pid in $old; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ "$alive" = 0 ] && return 0
        sleep 0.1
    done
    echo "nginx workers $old still running 60 s after the reload" >&2
    return 1
}

# start_instance N: starts instance N in the background (its own session, so it outlives
# roll.sh) and records its PID.
start_instance() {
    local n="$1" port
    port="$(instance_port "$n")"
    setsid "$WSGIHOST" run "$here/site.conf" -D PORT="$port" -D INSTANCE="$n" --python "$PYTHON" --drain "$DRAIN" \
        >>"$STATE/logs/instance-$n.log" 2>&1 </dev/null &
    echo $! >"$STATE/instance-$n.pid"
}

# wait_ready N: until instance N's health endpoint answers 200 (60 s at most).
wait_ready() {
    local n="$1" port i
    port="$(instance_port "$n")"
    for ((i = 0; i < 600; i++)); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/wsgihost-health")" = 200 ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "instance $n did not become ready on port $port; see $STATE/logs/instance-$n.log" >&2
    return 1
}

# stop_instance N: SIGTERM (the health check answers 503, connections close after each
# response; after $DRAIN s new connections are refused; running requests finish), then
# waits until the process is gone (60 s at most).
stop_instance() {
    local n="$1" pid i
    pid="$(cat "$STATE/instance-$n.pid")"
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 600; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "instance $n (pid $pid) still running 60 s after SIGTERM" >&2
    return 1
}
