#!/usr/bin/env bash
# burst.sh -- whether a burst's memory goes back, side by side: the whole server's RSS (every
# process of it, from /proc) at start, then 3, 13, 25 and 40 s after a burst of 1 MiB uploads,
# for WsgiHost's daemon mode (2 workers x 8 threads) and embedded mode (one process, 8
# threads) and uWSGI (2 processes x 8 threads, with its master), each serving the shared
# harness's echo.wsgi; then each one's RSS 40 s after as a ratio to uWSGI's. In WsgiHost, idle
# worker connections close 10-15 s after their last request, and each process gives memory
# back once it has served nothing for a whole 10 s tick (IdleMemoryTrim). Not run by CI.
#
# usage: bench/burst.sh [SERVER...]   (SERVER: daemon embedded uwsgi; default: all three)
# environment: CLIENTS=64 DURATION=4s PORT=8792 PY=/usr/bin/python3
#   BIN=a native wsgihost (default: published by scripts/publish.sh into bench/.out/burst;
#   SKIP_BUILD=1 reuses it)
# Needs wrk and uwsgi (bench/run.sh installs them).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/await-server.sh"
ROOT=$(cd "$HERE/.." && pwd)
SERVERS=("$@")
[ ${#SERVERS[@]} -gt 0 ] || SERVERS=(daemon embedded uwsgi)
CLIENTS=${CLIENTS:-64} DURATION=${DURATION:-4s} PORT=${PORT:-8792} PY=${PY:-/usr/bin/python3}
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
APP=$SHARED/apps/echo.wsgi
OUT=$HERE/.out/burst
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "burst.sh: wrk is missing (bench/run.sh installs it)" >&2; exit 2; }
for server in "${SERVERS[@]}"; do
    case $server in
        daemon|embedded) ;;
        uwsgi) [ -x /usr/bin/uwsgi ] || { echo "burst.sh: uwsgi is missing (bench/run.sh installs it)" >&2; exit 2; } ;;
        *) echo "usage: bench/burst.sh [daemon|embedded|uwsgi ...]" >&2; exit 2 ;;
    esac
done
BIN=${BIN:-}
if [ -z "$BIN" ] && [[ " ${SERVERS[*]} " == *" daemon "* || " ${SERVERS[*]} " == *" embedded "* ]]; then
    BIN=$OUT/native/wsgihost
    if [ -z "${SKIP_BUILD:-}" ] || [ ! -x "$BIN" ]; then
        "$ROOT/scripts/publish.sh" "$OUT/native" > "$OUT/publish.log" 2>&1 || { cat "$OUT/publish.log" >&2; exit 1; }
    fi
fi

pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap stop EXIT

# The server and every process under it.
tree() { local p=$1 c; echo "$p"; for c in $(pgrep -P "$p" || true); do tree "$c"; done; }

# One line: each process's RSS and the part of it in WsgiHost's upload slots (shared memory);
# the total in KB on standard output's last field, for the summary.
sample() {
    local total=0 p rss slots line=
    for p in $(tree "$pid"); do
        [ -r "/proc/$p/status" ] || continue
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status")
        slots=$(awk '/^[0-9a-f]+-[0-9a-f]+ / {on = index($0, "memfd:wsgihost") > 0} on && /^Rss:/ {s += $2} END {print s + 0}' "/proc/$p/smaps")
        total=$((total + rss))
        line="$line $p: $((rss / 1024)) MB$([ "$slots" -gt 0 ] && echo " (slots $((slots / 1024)))");"
    done
    printf '  %-7s %4d MB %s\n' "$1" $((total / 1024)) "$line" >&2
    echo "$total"
}

declare -A START PEAK END
for server in "${SERVERS[@]}"; do
    case $server in
        daemon) "$BIN" serve "$APP" --port "$PORT" --processes 2 --threads 8 --python "$PY" > "$OUT/$server.log" 2>&1 & ;;
        embedded) "$BIN" serve "$APP" --port "$PORT" --embedded --threads 8 --python "$PY" > "$OUT/$server.log" 2>&1 & ;;
        uwsgi) /usr/bin/uwsgi --plugin python3 --http11-socket "127.0.0.1:$PORT" --wsgi-file "$APP" --master --processes 2 --threads 8 \
                   --disable-logging --die-on-term --need-app > "$OUT/$server.log" 2>&1 & ;;
    esac
    pid=$!
    await_server "burst.sh ($server)" "$pid" "$OUT/$server.log" -X POST --data x "http://127.0.0.1:$PORT/"
    sleep 1
    echo "$server: $CLIENTS clients uploading 1 MiB for $DURATION" >&2
    START[$server]=$(sample start)
    wrk -t1 -c"$CLIENTS" -d"$DURATION" -s "$SHARED/lua/post-1mib.lua" "http://127.0.0.1:$PORT/" | grep -E 'Requests/sec|errors' | sed 's/^/  wrk: /' >&2
    after=0
    for at in 3 13 25 40; do
        sleep $((at - after))
        after=$at
        kb=$(sample "+$at s")
        [ "$at" = 3 ] && PEAK[$server]=$kb
        END[$server]=$kb
    done
    stop
    sleep 1
done

echo
echo "| server | start MB | 3 s after | 40 s after | 40 s after ÷ uWSGI |"
echo "|---|---:|---:|---:|---:|"
for server in "${SERVERS[@]}"; do
    ratio=-
    [ -n "${END[uwsgi]:-}" ] && ratio=$(awk -v a="${END[$server]}" -v b="${END[uwsgi]}" 'BEGIN {printf "%.2f", a / b}')
    printf '| %s | %d | %d | %d | %s |\n' "$server" $((START[$server] / 1024)) $((PEAK[$server] / 1024)) $((END[$server] / 1024)) "$ratio"
done
