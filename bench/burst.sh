#!/usr/bin/env bash
# burst.sh -- whether a burst's memory goes back: the whole server's RSS (the server process
# and its daemon workers, from /proc) at start, then 3, 13, 25 and 40 s after a burst of 1 MiB
# uploads: idle worker connections close 10-15 s after their last request, and each process
# gives memory back once it has served nothing for a whole 10 s tick (IdleMemoryTrim).
# Not run by CI.
#
# usage: bench/burst.sh [daemon|embedded] [BIN]   (default daemon: 2 workers x 8 threads;
#   BIN: a native wsgihost; default: published by scripts/publish.sh into bench/.out/burst)
# environment: CLIENTS=64 DURATION=4s PORT=8792 PY=/usr/bin/python3 SKIP_BUILD=1
# Needs wrk (bench/run.sh installs it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MODE=${1:-daemon}
CLIENTS=${CLIENTS:-64} DURATION=${DURATION:-4s} PORT=${PORT:-8792} PY=${PY:-/usr/bin/python3}
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
OUT=$HERE/.out/burst
mkdir -p "$OUT"
case $MODE in
    daemon) ARGS=(--processes 2 --threads 8) ;;
    embedded) ARGS=(--embedded --threads 8) ;;
    *) echo "usage: bench/burst.sh [daemon|embedded] [BIN]" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "burst.sh: wrk is missing (bench/run.sh installs it)" >&2; exit 2; }
BIN=${2:-}
if [ -z "$BIN" ]; then
    BIN=$OUT/native/wsgihost
    if [ -z "${SKIP_BUILD:-}" ] || [ ! -x "$BIN" ]; then
        "$ROOT/scripts/publish.sh" "$OUT/native" > "$OUT/publish.log" 2>&1 || { cat "$OUT/publish.log" >&2; exit 1; }
    fi
fi

pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap stop EXIT

"$BIN" serve "$SHARED/apps/echo.wsgi" --port "$PORT" "${ARGS[@]}" --python "$PY" > "$OUT/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null -X POST --data x "http://127.0.0.1:$PORT/" && break
    kill -0 "$pid" 2>/dev/null || { echo "burst.sh: the server exited; its log:" >&2; cat "$OUT/server.log" >&2; exit 1; }
    sleep 0.1
done

# One line: each process's RSS and the part of it in upload slots (shared memory), and the total.
sample() {
    local total=0 p rss slots line=
    for p in $pid $(pgrep -P "$pid" || true); do
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status")
        slots=$(awk '/^[0-9a-f]+-[0-9a-f]+ / {on = index($0, "memfd:wsgihost") > 0} on && /^Rss:/ {s += $2} END {print s + 0}' "/proc/$p/smaps")
        total=$((total + rss))
        line="$line pid $p: $((rss / 1024)) MB (slots $((slots / 1024)) MB);"
    done
    printf '%-10s %4d MB  %s\n' "$1" $((total / 1024)) "$line"
}

echo "burst.sh: $MODE, $CLIENTS clients uploading 1 MiB for $DURATION ($BIN)"
sample start
wrk -t1 -c"$CLIENTS" -d"$DURATION" -s "$SHARED/lua/post-1mib.lua" "http://127.0.0.1:$PORT/" | grep -E 'Requests/sec|errors' | sed 's/^/  wrk: /'
after=0
for at in 3 13 25 40; do
    sleep $((at - after))
    after=$at
    sample "+$at s"
done
