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
#   INTERP_PY     Python 3.13+ for wsgihost-interp (default: pyenv's 3.13.0 where present)
#   WSGIHOST_BIN  the wsgihost binary itself, not a wrapper that adds --python
#                 (default: bench/.out/wsgihost/wsgihost, which run.sh publishes)
#
# wsgihost-multi is WsgiHost's embedded mode in 2 server processes (--server-processes 2);
# wsgihost-interp is one server process running the app in 2 interpreters with a GIL each
# (--interpreters 2), on INTERP_PY (Python 3.13+; the peers run $PY);
# wsgihost-static serves the static apps from an Alias (`wsgihost run`).
#
# raw-kestrel answers in C# what the .wsgi app would answer: hello -> "Hello, World!",
# echo and post_1kib -> the length of the upload, stream -> 1 MiB of 'x'. There is no C# Flask or
# Django, so for those apps raw-kestrel is skipped (summarize.py uses its hello run as
# the ceiling and marks it). The app file_1mib (added here) sends a 1 MiB file through
# wsgi.file_wrapper; its ceiling is raw-kestrel's stream run (the same bytes from memory).

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SHARED_BENCH=${SHARED_BENCH:-$(cd "$HERE/../.." && pwd)/shared/bench}
RAW_KESTREL=${RAW_KESTREL:-$HERE/.out/raw-kestrel/RawKestrel}
INTERP_PY=${INTERP_PY:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.13.0/bin/python3}
WSGIHOST_BIN=${WSGIHOST_BIN:-$HERE/.out/wsgihost/wsgihost}
PEERS_MODE=${1:-bench}

if [ ! -f "$SHARED_BENCH/run-peers.sh" ]; then
  echo "peers.sh: $SHARED_BENCH/run-peers.sh not found (set SHARED_BENCH)" >&2
  exit 2
fi

# shellcheck source=/dev/null
source "$SHARED_BENCH/run-peers.sh" list > /dev/null

ALL_SERVERS="$ALL_SERVERS raw-kestrel wsgihost-multi wsgihost-interp wsgihost-static"

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

# WsgiHost embedded in one server process, the app in 2 interpreters with a GIL each and 8
# threads: the same budget as uwsgi's 2 processes x 8 threads, with one runtime's memory.
# Own-GIL interpreters need Python 3.13+, which Debian does not ship here: pyenv's 3.13, with
# Debian's pure-Python packages (Flask) on its path. The binary is called directly: the
# run.sh wrapper would append --python $PY.
srv_wsgihost_interp() {
  CMD=("$WSGIHOST_BIN" serve "$APP_WSGI" --host 127.0.0.1 --port "$PORT" --embedded --threads 8 --interpreters 2
       --python "$INTERP_PY" --python-path /usr/lib/python3/dist-packages)
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
# post_1kib: the harness's echo app taking a 1 KiB POST (bench/lua/post-1kib.lua), where what
# a server pays to take a body at all shows rather than the copying of it (echo: 1 MiB).
# hello_close, flask_close, django_close: those apps with every request on a new connection
# (bench/lua/close.lua sends "Connection: close"), as behind a proxy that keeps no upstream
# connections: what a server pays to accept, set up and close a connection shows.
eval "peers_$(declare -f app_def)"
app_def() {
  case $1 in
    file_1mib) WRK_LUA=report.lua; APP_WSGI=$HERE/apps/file_1mib.wsgi; APP_PATH=/; APP_EXPECT='xxxxxxxx' ;;
    xsendfile_1mib) WRK_LUA=report.lua; APP_WSGI=$HERE/apps/xsendfile_1mib.wsgi; APP_PATH=/; APP_EXPECT='xxxxxxxx' ;;
    post_1kib) peers_app_def echo; WRK_LUA=$(realpath --relative-to="$LUA_DIR" "$HERE/lua/post-1kib.lua") ;;
    hello_close|flask_close|django_close)
      peers_app_def "${1%_close}"; WRK_LUA=$(realpath --relative-to="$LUA_DIR" "$HERE/lua/close.lua") ;;
    *) peers_app_def "$1" ;;
  esac
}
ALL_APPS="$ALL_APPS file_1mib xsendfile_1mib post_1kib hello_close flask_close django_close"
export WSGIHOST_BENCH_REPORT_LUA=$LUA_DIR/report.lua

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
  if [ "$1" = wsgihost-interp ]; then
    if [ ! -x "$INTERP_PY" ] || [ ! -x "$WSGIHOST_BIN" ]; then
      echo "  (wsgihost-interp needs INTERP_PY, a Python 3.13+ ($INTERP_PY), and WSGIHOST_BIN ($WSGIHOST_BIN))" >&2
      return 1
    fi
    case ${app:-$STARTUP_APP} in
      django) echo "  (wsgihost-interp: Debian's Django 3.2 imports cgi, which Python 3.13 removed)" >&2; return 1 ;;
    esac
    return 0
  fi
  # uwsgi's --http11-socket ignores a request's "Connection: close" (it answers HTTP/1.1 with
  # no Connection header and keeps the connection; RFC 9112 9.6 says close after the
  # response), so wrk would reuse the connection and measure keep-alive: on the *_close apps
  # uWSGI runs as uwsgi-http10 (--http-socket, which closes after every response), and only
  # there, since that server cannot keep a connection at all.
  case "$1:${app:-$STARTUP_APP}" in
    uwsgi:*_close) echo "  (uwsgi ignores Connection: close; uwsgi-http10 runs the *_close apps)" >&2; return 1 ;;
    uwsgi-http10:*_close) ;;
    uwsgi-http10:*) echo "  (uwsgi-http10 closes every connection: it runs only the *_close apps)" >&2; return 1 ;;
  esac
  if [ "$1" = raw-kestrel ]; then
    [ -x "$RAW_KESTREL" ] || return 1
    case ${app:-$STARTUP_APP} in
      hello|echo|stream|post_1kib|hello_close) return 0 ;;
    esac
    echo "  (raw-kestrel has no ${app:-$STARTUP_APP} app; its hello run is the ceiling)" >&2
    return 1
  fi
  peers_have_server "$@"
}

# xsendfile_1mib: file_1mib's 1 MiB named by the app in an X-Sendfile header and sent by the
# server (bench/apps/xsendfile_1mib.wsgi), each server set up as its users do it: WsgiHost with
# --x-sendfile-path (XSendFile On + XSendFilePath), Apache with mod_xsendfile and EnableSendfile.
# uWSGI's X-Sendfile emulation (--collect-header with a static: response route) needs its internal
# routing, which Debian's build lacks (no PCRE: "unable to register route"); gunicorn and
# waitress have none (the app would need a proxy in front). Those would send the app's empty
# body: not a download, not measured.
XSENDFILE_DIR=${TMPDIR:-/tmp}
for s in wsgihost wsgihost_embedded wsgihost_multi wsgihost_interp apache_embedded apache_daemon; do
  eval "xsendfile_$(declare -f "srv_$s")"
  eval "srv_$s() { xsendfile_srv_$s \"\$@\"; xsendfile_setup $s; }"
done
xsendfile_setup() {
  [ "$(basename "${APP_WSGI:-}")" = xsendfile_1mib.wsgi ] || return 0
  case $1 in
    wsgihost*) CMD+=(--x-sendfile-path "$XSENDFILE_DIR") ;;
    apache_*) printf '%s\n' "LoadModule xsendfile_module /usr/lib/apache2/modules/mod_xsendfile.so" \
                "EnableSendfile On" "XSendFile On" "XSendFilePath $XSENDFILE_DIR" >> "$RUN_DIR/httpd.conf" ;;
  esac
}
eval "xsendfile_$(declare -f have_server)"
have_server() {
  case "$1:${app:-$STARTUP_APP}" in
    gunicorn*:xsendfile_1mib|waitress:xsendfile_1mib|uwsgi*:xsendfile_1mib|raw-kestrel:xsendfile_1mib)
      echo "  ($1 has no X-Sendfile: it would send the app's empty body)" >&2; return 1 ;;
  esac
  xsendfile_have_server "$@"
}

case $PEERS_MODE in
  bench)   setup_common; mode_bench ;;
  startup) setup_common; mode_startup ;;
  list)    echo "servers: $ALL_SERVERS"; echo "default: $DEFAULT_SERVERS"; echo "apps: $ALL_APPS" ;;
  *) echo "usage: $0 [bench|startup|list]" >&2; exit 2 ;;
esac
