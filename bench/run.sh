#!/usr/bin/env bash
# run.sh -- WsgiHost benchmark, one command: install the peers if missing, publish
# wsgihost and RawKestrel (Release) to bench/.out, run the shared harness
# (../shared/bench/run-peers.sh, through bench/peers.sh which adds raw Kestrel) and
# print req/s, p99 and RSS with ratios to raw Kestrel, the best peer and uWSGI.
#
# usage: bench/run.sh [bench|startup|list]          (default: bench)
#
# environment (all optional; everything run-peers.sh knows is passed through):
#   SERVERS   default: raw-kestrel wsgihost-embedded wsgihost-multi wsgihost-interp wsgihost-daemon uwsgi
#                      apache-embedded apache-daemon gunicorn-gthread waitress
#                      wsgihost-static apache-static uwsgi-static (the static apps only)
#                      uwsgi-http10 (the *_close apps only: uwsgi's keep-alive socket ignores
#                      a request's Connection: close)
#   APPS      default: hello flask django echo post_1kib stream file_1mib xsendfile_1mib hello_close flask_close
#                      static static_1mib   (django_close also exists)
#   REPS=2 DURATION=10s WARMUP=2s CONNS=32 WRK_THREADS=1
#   OUT_DIR   default: bench/.out/results/<timestamp>
#   SKIP_INSTALL=1   do not check/install the Debian packages
#   SKIP_BUILD=1     reuse bench/.out/wsgihost and bench/.out/raw-kestrel as they are
#   WSGIHOST_REF=HEAD  build wsgihost from this git commit (a clean copy under bench/.out)
#                      instead of the working tree
#   SHARED_BENCH     folder of run-peers.sh (default: <repo>/../shared/bench)
#   PY=/usr/bin/python3   the Python every server (wsgihost included) runs the apps with
#   RECORD=1  also write the summary, with the date, commit and machine, to bench/RESULTS.md
#             and copy the run's tables and CSV to bench/results/<date>-<HHMM>/
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=$HERE/.out
MODE=${1:-bench}
export SHARED_BENCH=${SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}
export PY=${PY:-/usr/bin/python3}
export SERVERS=${SERVERS:-raw-kestrel wsgihost-embedded wsgihost-multi wsgihost-interp wsgihost-daemon uwsgi uwsgi-http10 apache-embedded apache-daemon gunicorn-gthread waitress wsgihost-static apache-static uwsgi-static}
export APPS=${APPS:-hello flask django echo post_1kib stream file_1mib xsendfile_1mib hello_close flask_close static static_1mib}
export REPS=${REPS:-2}
export DURATION=${DURATION:-10s}
export OUT_DIR=${OUT_DIR:-$OUT/results/$(date +%Y%m%d-%H%M%S)}
export WSGIHOST=$OUT/bin/wsgihost
export RAW_KESTREL=$OUT/raw-kestrel/RawKestrel

log() { printf '== %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------
# 1. Debian packages: the peers, wrk, and what the harness itself uses.
# ---------------------------------------------------------------------------
PACKAGES="apache2 libapache2-mod-wsgi-py3 libapache2-mod-xsendfile gunicorn uwsgi uwsgi-plugin-python3 python3
python3-waitress python3-flask python3-django wrk time iproute2 curl clang lld zlib1g-dev"

install_packages() {
  local missing=() p sudo=
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages: all present"
    return
  fi
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "Debian packages: installing ${missing[*]}"
  # Installing apache2/uwsgi must not start their system services (which would listen
  # on every interface): a temporary policy-rc.d forbids service starts during install.
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" > /dev/null
    $sudo chmod 755 "$policy"
    made_policy=1
  fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" || {
    [ -n "$made_policy" ] && $sudo rm -f "$policy"; exit 1; }
  [ -n "$made_policy" ] && $sudo rm -f "$policy"
  return 0
}

check_dotnet() {
  if ! command -v dotnet > /dev/null || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    echo "run.sh: the .NET 10 SDK is needed to build wsgihost and RawKestrel" \
         "(https://dotnet.microsoft.com/download; not a Debian package)" >&2
    exit 1
  fi
}

# ---------------------------------------------------------------------------
# 2. Build: wsgihost (native, as scripts/publish.sh ships it) and RawKestrel (the .NET
#    runtime, as a plain Kestrel app runs), Release, to bench/.out.
# ---------------------------------------------------------------------------
build() {
  check_dotnet
  rm -rf "$OUT/wsgihost"
  if [ -n "${WSGIHOST_REF:-}" ]; then
    log "publishing wsgihost (Release) from git $WSGIHOST_REF to $OUT/wsgihost"
    "$HERE/publish-commit.sh" "$WSGIHOST_REF" "$OUT/wsgihost"
  else
    log "publishing wsgihost (Release) from the working tree to $OUT/wsgihost"
    (cd "$REPO" && dotnet publish src/WsgiHost.Cli -c Release -o "$OUT/wsgihost" -nologo -v quiet)
  fi
  # what was built, for build.txt of every run that uses this build
  {
    if [ -n "${WSGIHOST_REF:-}" ]; then
      echo "$(date -Is) from git $WSGIHOST_REF = $(git -C "$REPO" rev-parse --short "$WSGIHOST_REF") (clean snapshot)"
    else
      echo "$(date -Is) from the working tree at $(git -C "$REPO" rev-parse --short HEAD)," \
           "uncommitted changes under src/: $(git -C "$REPO" status --short -- src | wc -l)"
      git -C "$REPO" status --short -- src | sed 's/^/  /'
    fi
  } > "$OUT/wsgihost.source"
  log "publishing RawKestrel (Release) to $OUT/raw-kestrel"
  (cd "$REPO" && dotnet publish bench/RawKestrel -c Release -o "$OUT/raw-kestrel" -nologo -v quiet)
}

# run-peers.sh starts "$WSGIHOST serve APP --port N --embedded --threads 8". The command
# wsgihost would embed the first python3 on PATH (a pyenv one, without Flask, on some
# machines), so this wrapper adds --python $PY; it also pins --host 127.0.0.1.
# exec keeps the PID run-peers.sh measures and signals the wsgihost process itself.
write_wrapper() {
  mkdir -p "$OUT/bin"
  cat > "$WSGIHOST" <<EOF
#!/bin/sh
# generated by bench/run.sh: wsgihost with the benchmark's Python and loopback address
case "\${1:-}" in
  serve)   exec "$OUT/wsgihost/wsgihost" "\$@" --host 127.0.0.1 --python "$PY" ;;
  run)     exec "$OUT/wsgihost/wsgihost" "\$@" --python "$PY" ;;
  version) exec "$OUT/wsgihost/wsgihost" "\$@" --python "$PY" ;;
  *)       exec "$OUT/wsgihost/wsgihost" "\$@" ;;
esac
EOF
  chmod 755 "$WSGIHOST"
}

record_build() {
  {
    echo "date: $(date -Is)"
    echo "command: bench/run.sh $MODE, with:"
    echo "SERVERS=$SERVERS"
    echo "APPS=$APPS REPS=$REPS DURATION=$DURATION WARMUP=${WARMUP:-2s} CONNS=${CONNS:-32} WRK_THREADS=${WRK_THREADS:-1}"
    echo "wsgihost built $(cat "$OUT/wsgihost.source" 2>/dev/null || echo '(unknown source)')"
    "$WSGIHOST" version 2>&1 | sed 's/^/  /'
    echo "dotnet: $(dotnet --version 2>/dev/null)"
  } > "$OUT_DIR/build.txt"
}

# ---------------------------------------------------------------------------
# 3. Run, 4. summarize.
# ---------------------------------------------------------------------------
if [ "$MODE" = list ]; then
  exec "$HERE/peers.sh" list
fi

[ "${SKIP_INSTALL:-}" = 1 ] || install_packages
[ "${SKIP_BUILD:-}" = 1 ] || build
write_wrapper
[ -x "$RAW_KESTREL" ] && [ -x "$OUT/wsgihost/wsgihost" ] || { echo "run.sh: build output missing in $OUT" >&2; exit 1; }

mkdir -p "$OUT_DIR"
# Apache's children run as www-data and must reach the run folders
case $OUT_DIR in "$OUT"/results/*) chmod 755 "$OUT" "$OUT/results" ;; esac
record_build
log "results in $OUT_DIR"
start=$(date +%s)
"$HERE/peers.sh" "$MODE" || log "harness exited with status $?"
log "harness took $(( $(date +%s) - start )) s"

if [ "$MODE" = bench ]; then
  {
    echo "# WsgiHost benchmark $(date -I)"
    echo
    sed 's/^/    /' "$OUT_DIR/build.txt"
    echo
    "$PY" "$HERE/summarize.py" "$OUT_DIR/results.csv"
  } > "$OUT_DIR/summary.md"
  # the shared summarizer's detail tables (spread, p50, PSS, CPU/request, noise)
  "$PY" "$SHARED_BENCH/summarize.py" --ref raw-kestrel "$OUT_DIR/results.csv" > "$OUT_DIR/details.md"
  echo
  cat "$OUT_DIR/summary.md"
  echo
  log "summary: $OUT_DIR/summary.md   details: $OUT_DIR/details.md   raw: $OUT_DIR/results.csv"
  if [ "${RECORD:-}" = 1 ]; then
    day=$(date +%Y-%m-%d-%H%M)
    mkdir -p "$HERE/results/$day"
    cp "$OUT_DIR/summary.md" "$OUT_DIR/details.md" "$OUT_DIR/results.csv" "$OUT_DIR/build.txt" "$HERE/results/$day/"
    {
      echo "# WsgiHost benchmark results"
      echo
      echo "The newest recorded run of \`RECORD=1 bench/run.sh\`; every recorded run is in [results/](results/)."
      echo
      echo "- date: $(date -Is)"
      echo "- commit: $(cat "$OUT/wsgihost.source" 2>/dev/null || git -C "$REPO" rev-parse HEAD)"
      echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r); wrk and every server on 127.0.0.1"
      echo "- command: SERVERS=\"$SERVERS\" APPS=\"$APPS\" REPS=$REPS DURATION=$DURATION bench/run.sh"
      echo "- tables and raw CSV: [results/$day/](results/$day/)"
      echo
      "$PY" "$HERE/summarize.py" "$OUT_DIR/results.csv"
    } > "$HERE/RESULTS.md"
    log "recorded: bench/RESULTS.md and bench/results/$day/"
  fi
fi
