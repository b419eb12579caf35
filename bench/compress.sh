#!/usr/bin/env bash
# compress.sh -- a 34 KB HTML page (bench/apps/page.wsgi) gzip-compressed for a browser that
# accepts it, side by side: WsgiHost (`serve --compress-responses`: embedded, daemon mode and 2
# server processes), Apache + mod_wsgi with mod_deflate (embedded and daemon: the shared
# harness's apache_conf plus Debian's deflate.conf line), and uWSGI and gunicorn gthread, which
# cannot compress themselves, running the page behind the gzip middleware a Python app adds
# then (bench/apps/page_gzip.wsgi, as Django's GZipMiddleware). Loads, each with wrk -t1 -c32
# on 127.0.0.1: "gzip" (Accept-Encoding: gzip, deflate, br, as browsers send), "identity" (none:
# the same page uncompressed, the baseline), and "static": a site's 31 KB stylesheet from an
# Alias, gzipped for the browser, by WsgiHost (`wsgihost run`) and Apache (mod_deflate), the two
# that serve files themselves. Prints req/s, the server's CPU per request and the bytes of each
# response, each as a ratio to WsgiHost (embedded).
#
# usage: bench/compress.sh       (after bench/run.sh has published bench/.out/wsgihost and
#                                 installed the peers; SKIP_BUILD=1 reuses that build)
# environment: REPS=2 DURATION=8s PORT=8795 PY=/usr/bin/python3 MODES="gzip identity static"
#              SERVERS="wsgihost wsgihost-daemon wsgihost-multi apache-embedded apache-daemon uwsgi gunicorn"
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}
REPS=${REPS:-2} DURATION=${DURATION:-8s} PORT=${PORT:-8795} PY=${PY:-/usr/bin/python3} MODES=${MODES:-gzip identity static}
GZ_SERVERS=${SERVERS:-wsgihost wsgihost-daemon wsgihost-multi apache-embedded apache-daemon uwsgi gunicorn}
# shellcheck source=/dev/null
source "$SHARED_BENCH/run-peers.sh" list > /dev/null
PAGE=$HERE/apps/page.wsgi
PAGE_GZIP=$HERE/apps/page_gzip.wsgi
WSGIHOST=$HERE/.out/wsgihost/wsgihost
OUT=$HERE/.out/compress
rm -rf "$OUT"; mkdir -p "$OUT"; chmod 755 "$OUT"
for tool in wrk curl; do command -v $tool > /dev/null || { echo "compress.sh: $tool is missing (bench/run.sh installs the peers and wrk)" >&2; exit 2; }; done
if [ -z "${SKIP_BUILD:-}" ] || [ ! -x "$WSGIHOST" ]; then
    (cd "$REPO" && dotnet publish src/WsgiHost.Cli -c Release -o "$HERE/.out/wsgihost" -nologo -v quiet)
fi

# The shared harness's Apache (event MPM, 2 children x 25 threads; embedded, or a daemon group
# of 2 x 15) with mod_deflate as Debian enables it.
apache_with_deflate() {
    RUN_DIR=$OUT/apache-$1 APP_WSGI=$PAGE
    mkdir -p "$RUN_DIR"
    apache_conf "$1"
    cat >> "$RUN_DIR/httpd.conf" <<CONF
LoadModule filter_module /usr/lib/apache2/modules/mod_filter.so
LoadModule deflate_module /usr/lib/apache2/modules/mod_deflate.so
AddOutputFilterByType DEFLATE text/html text/plain text/xml text/css text/javascript
CONF
}
# A stylesheet as sites ship them (800 rules, 31 KB), for the static load.
# Apache serves it as its DocumentRoot's static/site.css, WsgiHost through an Alias of static/.
mkdir -p "$OUT/docroot/static"
awk 'BEGIN { for (i = 0; i < 800; i++) printf ".c%d { margin: %dpx; color: #%06x; }\n", i, i % 37, (i * 40503) % 16777215 }' > "$OUT/docroot/static/site.css"
chmod -R a+rX "$OUT/docroot"
cat > "$OUT/static.conf" <<CONF
Listen 127.0.0.1:$PORT
AddOutputFilterByType DEFLATE text/html text/plain text/xml text/css text/javascript
Alias /static/ $OUT/docroot/static/
<Directory $OUT/docroot/static>
    Require all granted
</Directory>
CONF
STATIC_DIR=$OUT/docroot apache_with_deflate static; APACHE_STATIC=("${CMD[@]}")
apache_with_deflate embedded; APACHE_EMBEDDED=("${CMD[@]}")
apache_with_deflate daemon; APACHE_DAEMON=("${CMD[@]}")
APP_WSGI=$PAGE_GZIP PORT=$PORT
srv_gunicorn_gthread; GUNICORN=("${CMD[@]}")
srv_uwsgi; UWSGI=("${CMD[@]}")

# exec: the background subshell becomes the server, so $pid is the server itself.
start_server() {
    local serve=("$WSGIHOST" serve "$PAGE" --host 127.0.0.1 --port "$PORT" --python "$PY" --threads 8 --compress-responses)
    case $1 in
        wsgihost)        exec "${serve[@]}" --embedded ;;
        wsgihost-daemon) exec "${serve[@]}" --processes 2 ;;
        wsgihost-multi)  exec "${serve[@]}" --server-processes 2 ;;
        wsgihost-static) exec "$WSGIHOST" run "$OUT/static.conf" --python "$PY" ;;
        apache-static)   exec "${APACHE_STATIC[@]}" ;;
        apache-embedded) exec "${APACHE_EMBEDDED[@]}" ;;
        apache-daemon)   exec "${APACHE_DAEMON[@]}" ;;
        uwsgi)           exec "${UWSGI[@]}" ;;
        gunicorn)        exec "${GUNICORN[@]}" ;;
    esac > "$OUT/$1.log" 2>&1 &
    pid=$!
}

# shellcheck source=sidebyside.sh
source "$HERE/sidebyside.sh"
URL=http://127.0.0.1:$PORT/
for rep in $(seq "$REPS"); do
    for mode in $MODES; do
        servers=$GZ_SERVERS url=$URL
        # The static load: the two servers that serve files themselves, "wsgihost" and "apache" there.
        [ "$mode" = static ] && servers="wsgihost apache" url=${URL}static/site.css
        for server in $servers; do
            sbs_installed "$server" || continue
            start_server "$([ "$mode" = static ] && echo "$server-static" || echo "$server")"
            sbs_wait "$url" || { sbs_stop; continue; }
            hdr=(); [ "$mode" != identity ] && hdr=(-H "Accept-Encoding: gzip, deflate, br")
            # Every server must really compress (or not) what it is measured on.
            encoding=$(curl -s -o /dev/null -D - "${hdr[@]}" "$url" | tr -d '\r' | awk -F': ' 'tolower($1) == "content-encoding" {print $2}')
            if [ "$encoding" != "$([ "$mode" != identity ] && echo gzip)" ]; then
                echo "  ($server answered Content-Encoding '$encoding' in the $mode load: not measured)" >&2; sbs_stop; continue
            fi
            sbs_measure "$server" "$mode" "$rep" "$url" "${hdr[@]}"
        done
    done
done
sbs_summary "gzip=gzip identity=identity static=static_stylesheet,_gzip" "$GZ_SERVERS apache" wsgihost
