#!/usr/bin/env bash
# tls.sh -- hello over TLS, side by side: WsgiHost (`wsgihost run`, a <VirtualHost> with SSLEngine
# on), Apache with mod_ssl and mod_wsgi embedded, gunicorn gthread (--certfile) and uWSGI
# (--https-socket), with wrk over https on 127.0.0.1. Two loads: keep-alive (the TLS record
# layer: encryption of every request and response) and a new connection per request (a full
# handshake each time: "Connection: close"). Prints req/s and the server's CPU per request, each
# as a ratio to WsgiHost. The run-peers harness speaks plain HTTP only, hence this script.
#
# usage: bench/tls.sh            (after bench/run.sh has published bench/.out/wsgihost and
#                                 installed the peers; SKIP_BUILD=1 reuses that build)
# environment: REPS=2 DURATION=8s PORT=8443 PY=/usr/bin/python3 SERVERS="wsgihost apache gunicorn uwsgi"
#              MODES="keep close"
# uWSGI's https socket closes after every response, so it runs in the close load only.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}
# This script's settings, read before the harness (sourced below) sets its own defaults.
REPS=${REPS:-2} DURATION=${DURATION:-8s} PORT=${PORT:-8443} PY=${PY:-/usr/bin/python3}
TLS_SERVERS=${SERVERS:-wsgihost apache gunicorn uwsgi} MODES=${MODES:-keep close}
# The shared harness's server definitions (its "list" mode only defines them): its Apache and
# gunicorn, given a certificate here.
# shellcheck source=/dev/null
source "$SHARED_BENCH/run-peers.sh" list > /dev/null
APPS=$APPS_DIR
APP=$APPS/hello.wsgi
WSGIHOST=$HERE/.out/wsgihost/wsgihost
OUT=$HERE/.out/tls
rm -rf "$OUT"; mkdir -p "$OUT/run"; chmod 755 "$OUT"; chmod 777 "$OUT/run"
for tool in wrk openssl curl; do command -v $tool > /dev/null || { echo "tls.sh: $tool is missing (bench/run.sh installs the peers and wrk)" >&2; exit 2; }; done
if [ -z "${SKIP_BUILD:-}" ] || [ ! -x "$WSGIHOST" ]; then
    (cd "$REPO" && dotnet publish src/WsgiHost.Cli -c Release -o "$HERE/.out/wsgihost" -nologo -v quiet)
fi

# A 2048-bit RSA certificate, as most sites still have.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$OUT/key.pem" -out "$OUT/cert.pem" -days 7 \
    -subj "/CN=127.0.0.1" 2> /dev/null
chmod 644 "$OUT/key.pem" "$OUT/cert.pem"

cat > "$OUT/wsgihost.conf" <<CONF
Listen 127.0.0.1:$PORT
<VirtualHost *:$PORT>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile $OUT/cert.pem
    SSLCertificateKeyFile $OUT/key.pem
    WSGIScriptAlias / $APP
    <Directory $APPS>
        Require all granted
    </Directory>
</VirtualHost>
CONF

# The shared harness's Apache (event MPM, 2 children x 25 threads, mod_wsgi embedded: its
# apache_conf) with mod_ssl on its port.
RUN_DIR=$OUT/apache APP_WSGI=$APP
mkdir -p "$RUN_DIR"
apache_conf embedded
APACHE_CMD=("${CMD[@]}")
cat >> "$RUN_DIR/httpd.conf" <<CONF
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
SSLSessionCache shmcb:$RUN_DIR/run/ssl_scache(512000)
<VirtualHost *:$PORT>
    SSLEngine on
    SSLCertificateFile $OUT/cert.pem
    SSLCertificateKeyFile $OUT/key.pem
</VirtualHost>
CONF
srv_gunicorn_gthread
GUNICORN_CMD=("${CMD[@]}" --certfile "$OUT/cert.pem" --keyfile "$OUT/key.pem")

# exec: the background subshell becomes the server, so $pid is the server itself.
start_server() {
    case $1 in
        wsgihost) exec "$WSGIHOST" run "$OUT/wsgihost.conf" --python "$PY" ;;
        apache)   exec "${APACHE_CMD[@]}" ;;
        gunicorn) exec "${GUNICORN_CMD[@]}" ;;
        uwsgi)    exec /usr/bin/uwsgi --plugin python3 --https-socket "127.0.0.1:$PORT,$OUT/cert.pem,$OUT/key.pem" \
                      --wsgi-file "$APP" --master --processes 2 --threads 8 --add-header "Connection: close" \
                      --disable-logging --die-on-term --need-app ;;
    esac > "$OUT/$1.log" 2>&1 &
    pid=$!
}

# shellcheck source=sidebyside.sh
source "$HERE/sidebyside.sh"
for rep in $(seq "$REPS"); do
    for mode in $MODES; do
        for server in $TLS_SERVERS; do
            [ "$server" = uwsgi ] && [ "$mode" = keep ] && continue
            sbs_installed "$server" || continue
            start_server "$server"
            sbs_wait "https://127.0.0.1:$PORT/" || { sbs_stop; continue; }
            hdr=(); [ "$mode" = close ] && hdr=(-H "Connection: close")
            sbs_measure "$server" "$mode" "$rep" "https://127.0.0.1:$PORT/" "${hdr[@]}"
        done
    done
done
# Medians per server and load, as ratios to WsgiHost's.
sbs_summary "keep=keep-alive close=new_connection" "wsgihost apache gunicorn uwsgi" wsgihost
