#!/usr/bin/env bash
# connmem.sh -- the memory that open connections cost the server: its RSS at start, after
# 1 MiB uploads (which leave the transport's pool full of touched blocks), then with N idle
# keep-alive connections, then with N clients that sent half a request head. Not run by CI.
#
# usage: bench/connmem.sh [BIN]   (BIN: a native wsgihost; default: published by
#   scripts/publish.sh into bench/.out/connmem)
# environment: N=1000 PORT=8791 PY=/usr/bin/python3 SKIP_BUILD=1 (reuse the build)
# Needs wrk (bench/run.sh installs it) and file descriptors for N connections on each side.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/await-server.sh"
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-1000} PORT=${PORT:-8791} PY=${PY:-/usr/bin/python3}
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
OUT=$HERE/.out/connmem
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "connmem.sh: wrk is missing (bench/run.sh installs it)" >&2; exit 2; }
BIN=${1:-}
if [ -z "$BIN" ]; then
    BIN=$OUT/native/wsgihost
    if [ -z "${SKIP_BUILD:-}" ] || [ ! -x "$BIN" ]; then
        "$ROOT/scripts/publish.sh" "$OUT/native" > "$OUT/publish.log" 2>&1 || { cat "$OUT/publish.log" >&2; exit 1; }
    fi
fi

pid= holder=
stop() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    holder= pid=
}
trap stop EXIT

"$BIN" serve "$SHARED/apps/echo.wsgi" --port "$PORT" --embedded --threads 8 --python "$PY" > "$OUT/server.log" 2>&1 &
pid=$!
await_server connmem.sh "$pid" "$OUT/server.log" -X POST --data x "http://127.0.0.1:$PORT/"
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }

# Holds N connections in one mode until they are all in place, then reads the RSS.
held() {
    local fifo=$OUT/ready
    rm -f "$fifo"; mkfifo "$fifo"
    python3 "$HERE/connmem.py" "$PORT" "$N" "$1" 30 > "$fifo" &
    holder=$!
    read -r _ < "$fifo"
    sleep 2
    rss
    kill "$holder"; wait "$holder" 2>/dev/null || true; holder=
    rm -f "$fifo"
    sleep 1
}

start=$(rss)
wrk -t1 -c32 -d4s -s "$SHARED/lua/post-1mib.lua" "http://127.0.0.1:$PORT/" > /dev/null
uploads=$(rss)
idle=$(held idle)
half=$(held half)
echo "RSS MB: start $start, after 1 MiB uploads (wrk -c32) $uploads, with $N idle keep-alive connections $idle, with $N half request heads $half"
