#!/usr/bin/env bash
# threads.sh -- where a request's CPU goes, by process and by thread: CPU microseconds and
# context switches per request for every thread name of the server and of its children
# (daemon workers, server processes), read from /proc before and after a wrk run. Threads of
# the same name are summed (the two workers' wsgi-3, every ".NET TP Worker"). Deterministic
# enough to compare builds in interleaved pairs where req/s alone drowns in the machine's
# noise. Not run by CI.
#
# usage: bench/threads.sh [embedded|daemon|multi] [WSGIHOST]
#   embedded: --embedded --threads 8 (one process); daemon: --processes 2 --threads 8;
#   multi: --embedded --threads 8 --server-processes 2. WSGIHOST defaults to the build
#   bench/run.sh made (bench/.out/wsgihost/wsgihost).
#   Rows: F: the process wsgihost started as, W: its children. cs = voluntary and involuntary
#   context switches.
#
# environment: APP=hello PORT=8791 DURATION=8 PY=/usr/bin/python3 SHARED_BENCH; any WSGI app
#   of bench/run.sh, requested as the benchmark requests it
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/await-server.sh"
ROOT=$(cd "$HERE/.." && pwd)
MODE=${1:-embedded}
BIN=${2:-$HERE/.out/wsgihost/wsgihost}
APP=${APP:-hello} PORT=${PORT:-8791} DURATION=${DURATION:-8} PY=${PY:-/usr/bin/python3}
SHARED_BENCH=${SHARED_BENCH:-$ROOT/../shared/bench}
case $MODE in
    embedded) ARGS=(--embedded --threads 8) ;;
    daemon) ARGS=(--processes 2 --threads 8) ;;
    multi) ARGS=(--embedded --threads 8 --server-processes 2) ;;
    *) echo "usage: bench/threads.sh [embedded|daemon|multi] [WSGIHOST]" >&2; exit 2 ;;
esac
[ -x "$BIN" ] || { echo "threads.sh: no $BIN (bench/run.sh builds it)" >&2; exit 2; }
# The app's .wsgi, URL path and wrk script as the benchmark has them: run-peers.sh's app_def,
# with bench/peers.sh's additions (file_1mib), read in a subshell.
read -r APP_WSGI URL_PATH WRK_LUA < <(
    source "$HERE/peers.sh" list > /dev/null 2>&1
    app_def "$APP" > /dev/null 2>&1 && echo "$APP_WSGI $APP_PATH $LUA_DIR/$WRK_LUA") || true
[ -f "${APP_WSGI:-}" ] || { echo "threads.sh: no WSGI app '$APP' in the benchmark (bench/peers.sh list)" >&2; exit 2; }
WRK_SCRIPT=(-s "$WRK_LUA")
command -v wrk >/dev/null || { echo "threads.sh: wrk is missing (bench/run.sh installs it)" >&2; exit 2; }

mkdir -p "$HERE/.out"
"$BIN" serve "$APP_WSGI" --host 127.0.0.1 --port "$PORT" --python "$PY" "${ARGS[@]}" > "$HERE/.out/threads-server.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
await_server threads.sh "$SERVER" "$HERE/.out/threads-server.log" "http://127.0.0.1:$PORT$URL_PATH"
wrk -t1 -c32 -d2s "${WRK_SCRIPT[@]}" "http://127.0.0.1:$PORT$URL_PATH" > /dev/null

# One line per thread: role:name (spaces made _) utime+stime (ticks) context-switches.
# The name is read from comm: /proc/.../stat's fields shift when a name has spaces.
snapshot() {
    local p t role
    for p in $SERVER $(pgrep -P $SERVER || true); do
        role=W; [ "$p" = "$SERVER" ] && role=F
        for t in /proc/$p/task/*; do
            printf '%s:%s %s %s\n' "$role" "$(tr ' ' _ < "$t/comm" 2>/dev/null)" \
                "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}')" \
                "$(awk '/ctxt_switches/ {x += $2} END {print x + 0}' "$t/status" 2>/dev/null)"
        done
    done
}
BEFORE=$(mktemp)
snapshot > "$BEFORE"
OUT=$(wrk -t1 -c32 -d"${DURATION}s" "${WRK_SCRIPT[@]}" "http://127.0.0.1:$PORT$URL_PATH")
AFTER=$(snapshot)
REQUESTS=$(awk '/requests in/ {print $1}' <<< "$OUT")
echo "$MODE $APP: $(awk '/Requests\/sec/ {print $2}' <<< "$OUT") req/s, $REQUESTS requests"
awk -v n="$REQUESTS" -v hz="$(getconf CLK_TCK)" '
    NR == FNR { cpu[$1] -= $2; cs[$1] -= $3; next }
    { cpu[$1] += $2; cs[$1] += $3 }
    END {
        for (k in cpu) if (cpu[k] > 0 || cs[k] > 0) {
            printf "%-28s %8.2f us %6.2f cs\n", k, cpu[k] * 1e6 / hz / n, cs[k] / n
            role = substr(k, 1, 1); tc[role] += cpu[k]; ts[role] += cs[k]
        }
        for (role in tc) printf "%-28s %8.2f us %6.2f cs\n", role ":(all)", tc[role] * 1e6 / hz / n, ts[role] / n
    }' "$BEFORE" <(echo "$AFTER") | sort
rm -f "$BEFORE"
