#!/usr/bin/env bash
# peers.sh -- the shared harness ../shared/bench/run-peers.sh plus the raw Kestrel ceiling.
#
# usage: bench/peers.sh [bench|startup|list]     (same modes and environment as run-peers.sh)
#
# Nothing of run-peers.sh is copied: this script sources it (in "list" mode, which only
# defines its functions and settings), then adds the server "raw-kestrel" through the
# harness's documented extension point -- a srv_<name> function plus the name appended to
# ALL_SERVERS -- and runs the requested mode with the harness's own functions.
#
# extra environment:
#   SHARED_BENCH  folder of run-peers.sh   (default: <repo>/../shared/bench)
#   RAW_KESTREL   the RawKestrel binary    (default: bench/.out/raw-kestrel/RawKestrel)
#
# wsgihost-multi is WsgiHost's embedded mode in 2 server processes (--server-processes 2);
# wsgihost-static serves the static apps from an Alias (`wsgihost run`).
#
# raw-kestrel answers in C# what the .wsgi app would answer: hello -> "Hello, World!",
# echo -> the length of the 1 MiB upload, stream -> 1 MiB of 'x'. There is no C# Flask or
# Django, so for those apps raw-kestrel is skipped (summarize.py uses its hello run as
# the ceiling and marks it). The app file_1mib (added here) sends a 1 MiB file through
# wsgi.file_wrapper; its ceiling is raw-kestrel's stream run (the same bytes from memory).

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SHARED_BENCH=${SHARED_BENCH:-$(cd "$HERE/../.." && pwd)/shared/bench}
RAW_KESTREL=${RAW_KESTREL:-$HERE/.out/raw-kestrel/RawKestrel}
PEERS_MODE=${1:-bench}

if [ ! -f "$SHARED_BENCH/run-peers.sh" ]; then
  echo "peers.sh: $SHARED_BENCH/run-peers.sh not found (set SHARED_BENCH)" >&2
  exit 2
fi

# shellcheck source=/dev/null
source "$SHARED_BENCH/run-peers.sh" list > /dev/null

ALL_SERVERS="$ALL_SERVERS raw-kestrel wsgihost-multi wsgihost-static"

# WsgiHost serving the harness's static folder through an Alias, as a site's Apache static
# Alias does after the move (`wsgihost run`, one process): the twin of apache-static and
# uwsgi-static, only meaningful with APPS="static static_1mib".
srv_wsgihost_static() {
  cat > "$RUN_DIR/site.conf" <<EOF
Listen 127.0.0.1:$PORT
Alias / $STATIC_DIR/
<Directory $STATIC_DIR>
    Require all granted
</Directory>
EOF
  CMD=("$WSGIHOST" run "$RUN_DIR/site.conf")
}

# WsgiHost embedded in 2 server processes sharing the port (SO_REUSEPORT), 8 threads each:
# the same budget of processes and threads as uwsgi (--processes 2 --threads 8).
srv_wsgihost_multi() {
  CMD=("$WSGIHOST" serve "$APP_WSGI" --port "$PORT" --threads 8 --server-processes 2)
}

# raw Kestrel, 127.0.0.1:$PORT, answering like the app being benchmarked
srv_raw_kestrel() {
  local mode
  case $(basename "$APP_WSGI" .wsgi) in
    echo)   mode=echo ;;
    stream) mode=stream ;;
    *)      mode=hello ;;
  esac
  CMD=("$RAW_KESTREL" --port "$PORT" --mode "$mode")
}

# file_1mib: a WSGI app (bench/apps/file_1mib.wsgi) returning the same 1 MiB through
# wsgi.file_wrapper, on every WSGI server: what Django's FileResponse does.
eval "peers_$(declare -f app_def)"
app_def() {
  case $1 in
    file_1mib) WRK_LUA=report.lua; APP_WSGI=$HERE/apps/file_1mib.wsgi; APP_PATH=/; APP_EXPECT='xxxxxxxx' ;;
    *) peers_app_def "$1" ;;
  esac
}
ALL_APPS="$ALL_APPS file_1mib"

# run-peers.sh's have_server, plus: raw-kestrel runs only for the apps it can mirror, and
# the static apps only on the *-static servers.
# ($app is mode_bench's loop variable, visible here through bash's dynamic scoping.)
eval "peers_$(declare -f have_server)"
have_server() {
  # The static apps are files with no .wsgi: only the *-static servers serve them, and
  # those serve nothing else.
  case "$1:${app:-$STARTUP_APP}" in
    *-static:static*) ;;
    *-static:*) echo "  ($1 serves only the static apps)" >&2; return 1 ;;
    *:static*) echo "  ($1 has no static app; apache-static, uwsgi-static and wsgihost-static serve it)" >&2; return 1 ;;
  esac
  if [ "$1" = raw-kestrel ]; then
    [ -x "$RAW_KESTREL" ] || return 1
    case ${app:-$STARTUP_APP} in
      hello|echo|stream) return 0 ;;
    esac
    echo "  (raw-kestrel has no ${app:-$STARTUP_APP} app; its hello run is the ceiling)" >&2
    return 1
  fi
  peers_have_server "$@"
}

case $PEERS_MODE in
  bench)   setup_common; mode_bench ;;
  startup) setup_common; mode_startup ;;
  list)    echo "servers: $ALL_SERVERS"; echo "default: $DEFAULT_SERVERS"; echo "apps: $ALL_APPS" ;;
  *) echo "usage: $0 [bench|startup|list]" >&2; exit 2 ;;
esac
