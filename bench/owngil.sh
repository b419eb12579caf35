#!/usr/bin/env bash
# owngil.sh -- requests per second of one application group alone and of two groups loaded
# together, in one embedded server process, with the sub-interpreters sharing one GIL and
# with a GIL each (WSGISubInterpreterGIL Own). Needs a Python 3.13 with its shared library
# (pyenv's, by default) and wrk.
#
# usage: bench/owngil.sh            environment: PY (default: pyenv's newest 3.13),
#                                   DURATION (default 8s), CONNS (per group, default 16),
#                                   APP (default: a CPU-bound page, owngil/work.wsgi),
#                                   WSGIHOST (a wsgihost to run instead of building this checkout's)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PY=${PY:-$(ls -d "$(pyenv root 2>/dev/null || echo ~/.pyenv)"/versions/3.13.*/bin/python3 2>/dev/null | tail -1)}
DURATION=${DURATION:-8s}
CONNS=${CONNS:-16}
APP=${APP:-$HERE/owngil/work.wsgi}
PORT=${PORT:-18990}
[ -x "${PY:-}" ] || { echo "owngil.sh: no Python 3.13 found (set PY)" >&2; exit 2; }
command -v wrk > /dev/null || { echo "owngil.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
if [ -z "${WSGIHOST:-}" ]; then
  dotnet build "$REPO/src/WsgiHost.Cli" -c Release -nologo -v quiet > /dev/null
  WSGIHOST=$REPO/src/WsgiHost.Cli/bin/Release/net10.0/wsgihost
fi

rps() { wrk -t1 -c"$CONNS" -d"$DURATION" "$1" | awk '/Requests\/sec/ {printf "%.0f", $2}'; }

run() {  # $1 = Shared|Own
  local out pid a b alone
  out=$(mktemp)
  "$WSGIHOST" run "$HERE/owngil/groups.conf" -D PORT=$PORT -D GIL="$1" -D APP="$APP" --python "$PY" > "$out" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do grep -q "mode:" "$out" && break; sleep 0.5; done
  curl -s -o /dev/null "http://127.0.0.1:$PORT/a/" && curl -s -o /dev/null "http://127.0.0.1:$PORT/b/"
  alone=$(rps "http://127.0.0.1:$PORT/a/")
  rps "http://127.0.0.1:$PORT/a/" > "$out.a" & local wa=$!
  rps "http://127.0.0.1:$PORT/b/" > "$out.b" & local wb=$!
  wait $wa $wb
  a=$(cat "$out.a"); b=$(cat "$out.b")
  kill -TERM $pid; wait $pid || true
  grep -q "with its own GIL" "$out" && own=yes || own=no
  printf '| %s | %s | %s | %s + %s = %s |\n' "$1" "$own" "$alone" "$a" "$b" $((a + b))
  rm -f "$out" "$out.a" "$out.b"
}

echo "Python: $PY; wrk -t1 -c$CONNS -d$DURATION per group; app: $APP"
echo
echo "| WSGISubInterpreterGIL | own GIL in use | one group alone, req/s | two groups together, req/s |"
echo "|---|---|---:|---:|"
run Shared
run Own
