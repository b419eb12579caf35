#!/usr/bin/env bash
# allocs.sh -- .NET bytes the server process allocates per request under load, and (with
# --trace) which types and call stacks they come from. Not run by CI.
#
# usage: bench/allocs.sh [embedded|daemon] [--trace]
#   Serves one app of the shared bench (APP=hello by default; flask and django need the Debian
#   packages bench/run.sh installs) from a generated config, embedded in one process (default)
#   or in a daemon group (processes=1 threads=8: the front is measured), on 127.0.0.1:PORT,
#   runs `wrk -t1 -c32` for DURATION after a 2 s warm-up, and prints the server's allocated
#   bytes (dotnet_gc_allocated_bytes_total of its metrics page) over the requests it answered:
#   the native executable, published by scripts/publish.sh into bench/.out/allocs.
#   --trace: then the same on the JIT build (AllocationTick events need the JIT runtime's
#   EventPipe), recorded by dotnet-trace (installed into bench/.out/tools from the NuGet feed)
#   and read by bench/AllocReport: each type's share of the bytes, and the allocating stacks.
#
# environment: APP=hello PORT=8790 DURATION=5s PY=/usr/bin/python3 SKIP_BUILD=1 (reuse builds)
#   CLOSE=1: every request on a new connection (wrk sends "Connection: close"), as behind a
#   proxy that does not keep connections to its upstream (nginx's default)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/await-server.sh"
ROOT=$(cd "$HERE/.." && pwd)
MODE=embedded TRACE=0
for a in "$@"; do
    case $a in
        embedded|daemon) MODE=$a ;;
        --trace) TRACE=1 ;;
        *) echo "usage: bench/allocs.sh [embedded|daemon] [--trace]" >&2; exit 2 ;;
    esac
done
APP=${APP:-hello} PORT=${PORT:-8790} DURATION=${DURATION:-5s} PY=${PY:-/usr/bin/python3}
APPS=${SHARED_BENCH:-$ROOT/../shared/bench}/apps
OUT=$HERE/.out/allocs
mkdir -p "$OUT"
[ -f "$APPS/$APP.wsgi" ] || { echo "allocs.sh: no app $APPS/$APP.wsgi" >&2; exit 2; }
WRK_HDR=()
[ -n "${CLOSE:-}" ] && WRK_HDR=(-H "Connection: close")
command -v wrk >/dev/null || { echo "allocs.sh: wrk is missing (bench/run.sh installs it)" >&2; exit 2; }

CONF=$OUT/$MODE.conf
{
    echo "Listen 127.0.0.1:$PORT"
    echo "WSGIScriptAlias / $APPS/$APP.wsgi"
    echo "WSGIApplicationGroup %{GLOBAL}"
    if [ "$MODE" = daemon ]; then
        echo "WSGIDaemonProcess app processes=1 threads=8"
        echo "WSGIProcessGroup app"
    fi
    echo "<Location /server-metrics>"
    echo "    SetHandler wsgihost-metrics"
    echo "</Location>"
} > "$CONF"

pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap stop EXIT

start() {
    "$1" run "$CONF" --python "$PY" > "$OUT/server.log" 2>&1 &
    pid=$!
    await_server allocs.sh "$pid" "$OUT/server.log" "http://127.0.0.1:$PORT/"
}

# Allocated bytes and requests answered, from the metrics page.
reading() {
    curl -sf "http://127.0.0.1:$PORT/server-metrics" |
        awk '/^dotnet_gc_allocated_bytes_total / {a=$2} /^wsgihost_requests_total\{/ {r+=$2} END {printf "%d %d\n", a, r}'
}

if [ -z "${SKIP_BUILD:-}" ] || [ ! -x "$OUT/native/wsgihost" ]; then
    "$ROOT/scripts/publish.sh" "$OUT/native" > "$OUT/publish.log" 2>&1 || { cat "$OUT/publish.log" >&2; exit 1; }
fi
start "$OUT/native/wsgihost"
wrk -t1 -c32 -d2s "${WRK_HDR[@]}" "http://127.0.0.1:$PORT/" > /dev/null
read -r a0 r0 < <(reading)
rps=$(wrk -t1 -c32 -d"$DURATION" "${WRK_HDR[@]}" "http://127.0.0.1:$PORT/" | awk '/Requests\/sec/ {print $2}')
read -r a1 r1 < <(reading)
stop
echo "$APP, $MODE, native: $(( (a1 - a0) / (r1 - r0) )) bytes allocated per request ($((r1 - r0)) requests, $rps req/s)"

[ "$TRACE" = 1 ] || exit 0
TOOLS=$HERE/.out/tools
[ -x "$TOOLS/dotnet-trace" ] || dotnet tool install dotnet-trace --tool-path "$TOOLS" > "$OUT/tool.log" 2>&1 || { cat "$OUT/tool.log" >&2; exit 1; }
if [ -z "${SKIP_BUILD:-}" ] || [ ! -x "$ROOT/src/WsgiHost.Cli/bin/Release/net10.0/wsgihost" ]; then
    dotnet build "$ROOT/src/WsgiHost.Cli" -c Release -nologo -v quiet > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
fi
dotnet build "$HERE/AllocReport" -c Release -nologo -v quiet > "$OUT/report-build.log" 2>&1 || { cat "$OUT/report-build.log" >&2; exit 1; }
start "$ROOT/src/WsgiHost.Cli/bin/Release/net10.0/wsgihost"
wrk -t1 -c32 -d3s "${WRK_HDR[@]}" "http://127.0.0.1:$PORT/" > /dev/null
wrk -t1 -c32 -d"$DURATION" "${WRK_HDR[@]}" "http://127.0.0.1:$PORT/" > /dev/null &
load=$!
rm -f "$OUT/allocs.nettrace"
# GC keyword (0x1) at verbose level: AllocationTick; 0x40000000: its stack.
"$TOOLS/dotnet-trace" collect -p "$pid" --providers "Microsoft-Windows-DotNETRuntime:0x40000001:5" \
    --duration 00:00:00:03 -o "$OUT/allocs.nettrace" > "$OUT/trace.log" 2>&1 || { cat "$OUT/trace.log" >&2; exit 1; }
wait "$load"
stop
dotnet "$HERE/AllocReport/bin/Release/net10.0/WsgiHost.AllocReport.dll" "$OUT/allocs.nettrace"
