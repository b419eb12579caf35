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
start() {
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

# CPU time (ticks) of a process and its children and grandchildren.
ticks() {
    local t=0 p c
    for p in $1 $(pgrep -P "$1") $(for c in $(pgrep -P "$1"); do pgrep -P "$c"; done); do
        c=$(awk '{print $14 + $15}' "/proc/$p/stat" 2> /dev/null || echo 0)
        t=$((t + c))
    done
    echo "$t"
}

pid=
stop() { if [ -n "$pid" ]; then kill -TERM "$pid" 2> /dev/null; wait "$pid" 2> /dev/null || true; fi; pid=; }
trap stop EXIT
hz=$(getconf CLK_TCK)
CSV=$OUT/results.csv
echo "server,mode,rep,rps,cpu_us_per_req,errors" > "$CSV"
for rep in $(seq "$REPS"); do
    for mode in $MODES; do
        for server in $TLS_SERVERS; do
            [ "$server" = uwsgi ] && [ "$mode" = keep ] && continue
            case $server in apache) [ -x /usr/sbin/apache2 ] ;; gunicorn) [ -x /usr/bin/gunicorn ] ;; uwsgi) [ -x /usr/bin/uwsgi ] ;; *) true ;; esac || { echo "  ($server not installed)" >&2; continue; }
            start "$server"
            for _ in $(seq 150); do curl -sk -m 1 -o /dev/null "https://127.0.0.1:$PORT/" && break; sleep 0.1; done
            hdr=(); [ "$mode" = close ] && hdr=(-H "Connection: close")
            wrk -t1 -c32 -d2s "${hdr[@]}" "https://127.0.0.1:$PORT/" > /dev/null
            t0=$(ticks "$pid")
            out=$(wrk -t1 -c32 -d"$DURATION" "${hdr[@]}" "https://127.0.0.1:$PORT/")
            t1=$(ticks "$pid")
            stop
            rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
            reqs=$(awk '/requests in/ {print $1}' <<< "$out")
            errors=$(awk '/Socket errors|Non-2xx/ {n++} END {print n + 0}' <<< "$out")
            cpu=$(awk -v a="$t0" -v b="$t1" -v r="$reqs" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) * 1e6 / hz / r}')
            echo "$server,$mode,$rep,$rps,$cpu,$errors" | tee -a "$CSV"
        done
    done
done
# Medians per server and load, as ratios to WsgiHost's.
awk -F, 'NR > 1 {k = $1 "," $2; n[k]++; r[k, n[k]] = $4; c[k, n[k]] = $5}
function med(a, k, m,   i, j, t, v) { for (i = 1; i <= m; i++) v[i] = a[k, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
END {
    print "\n| load | server | req/s | ÷ WsgiHost | CPU µs/req | ÷ WsgiHost |"; print "|---|---|---:|---:|---:|---:|"
    split("keep close", modes, " "); split("wsgihost apache gunicorn uwsgi", servers, " ")
    for (mi = 1; mi <= 2; mi++) { m = modes[mi]; w = "wsgihost," m
        if (!(w in n)) continue
        wr = med(r, w, n[w]); wc = med(c, w, n[w])
        for (si = 1; si <= 4; si++) { k = servers[si] "," m; if (!(k in n)) continue
            rr = med(r, k, n[k]); cc = med(c, k, n[k])
            printf "| %s | %s | %.0f | %.2f | %.1f | %.2f |\n", (m == "keep" ? "keep-alive" : "new connection"), servers[si], rr, rr / wr, cc, cc / wc } } }' "$CSV" | tee "$OUT/summary.md"
