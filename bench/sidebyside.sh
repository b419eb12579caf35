# sidebyside.sh -- what tls.sh and compress.sh share (sourced, not run): start a server as a
# child whose PID is the server itself, wait for it, measure it under wrk with its CPU from
# /proc, stop it by PID, and print the medians of every run as ratios to WsgiHost's.
#
# The caller sets DURATION and OUT before sourcing it, and defines start_server NAME (which runs
# `exec` in a background subshell and sets $pid to $!). Sourcing starts $OUT/results.csv ($CSV),
# one line per run:
#   server,mode,rep,rps,cpu_us_per_req,errors,bytes_per_response

sbs_hz=$(getconf CLK_TCK)
pid=
CSV=$OUT/results.csv
echo "server,mode,rep,rps,cpu_us_per_req,errors,bytes_per_response" > "$CSV"
trap sbs_stop EXIT

# sbs_installed SERVER: whether the Debian peer is there (WsgiHost always is); says so when not.
sbs_installed() {
    case $1 in apache*) [ -x /usr/sbin/apache2 ] ;; gunicorn) [ -x /usr/bin/gunicorn ] ;; uwsgi) [ -x /usr/bin/uwsgi ] ;; *) true ;; esac \
        || { echo "  ($1 not installed)" >&2; return 1; }
}

# CPU time (ticks) of a process and its children and grandchildren.
sbs_ticks() {
    local t=0 p c
    for p in $1 $(pgrep -P "$1") $(for c in $(pgrep -P "$1"); do pgrep -P "$c"; done); do
        c=$(awk '{print $14 + $15}' "/proc/$p/stat" 2> /dev/null || echo 0)
        t=$((t + c))
    done
    echo "$t"
}

sbs_stop() { if [ -n "$pid" ]; then kill -TERM "$pid" 2> /dev/null; wait "$pid" 2> /dev/null || true; fi; pid=; }

# sbs_wait URL [curl options]: up to 15 s for a 2xx answer.
sbs_wait() {
    local url=$1; shift
    for _ in $(seq 150); do curl -sfk -m 1 -o /dev/null "$@" "$url" && return 0; sleep 0.1; done
    echo "  (no answer from $url)" >&2; return 1
}

# sbs_measure SERVER MODE REP URL [wrk options]: 2 s of warm-up, then DURATION measured;
# appends the run's line to $CSV (and prints it). Stops the server.
sbs_measure() {
    local server=$1 mode=$2 rep=$3 url=$4 out t0 t1; shift 4
    wrk -t1 -c32 -d2s "$@" "$url" > /dev/null
    t0=$(sbs_ticks "$pid")
    out=$(wrk -t1 -c32 -d"$DURATION" "$@" "$url")
    t1=$(sbs_ticks "$pid")
    sbs_stop
    awk -v s="$server" -v m="$mode" -v rep="$rep" -v a="$t0" -v b="$t1" -v hz="$sbs_hz" '
        /Requests\/sec/ { rps = $2 }
        /requests in/ { reqs = $1; read = $(NF - 1); unit = read; sub(/[0-9.]+/, "", unit); sub(/[A-Za-z]+$/, "", read)
                        f = unit == "KB" ? 1024 : unit == "MB" ? 1048576 : unit == "GB" ? 1073741824 : 1; bytes = read * f }
        /Socket errors/ { for (i = 3; i <= NF; i++) { v = $i; sub(/,$/, "", v); if (v ~ /^[0-9]+$/) errors += v } }
        /Non-2xx/ { errors += $NF }
        END { printf "%s,%s,%s,%s,%.1f,%d,%.0f\n", s, m, rep, rps, (b - a) * 1e6 / hz / reqs, errors, bytes / reqs }' <<< "$out" | tee -a "$CSV"
}

# sbs_summary "MODE=label ..." "SERVER ..." REFERENCE: medians per server and load as ratios
# to REFERENCE's (a markdown table, also written to $OUT/summary.md).
sbs_summary() {
    awk -F, -v modes="$1" -v servers="$2" -v ref="$3" 'NR > 1 { k = $1 "," $2; n[k]++; r[k, n[k]] = $4; c[k, n[k]] = $5; b[k, n[k]] = $7 }
    function med(a, k, m,   i, j, t, v) { for (i = 1; i <= m; i++) v[i] = a[k, i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
    END {
        print "\n| load | server | req/s | ÷ " ref " | CPU µs/req | ÷ " ref " | bytes/response |"; print "|---|---|---:|---:|---:|---:|---:|"
        nm = split(modes, ms, " "); ns = split(servers, ss, " ")
        for (mi = 1; mi <= nm; mi++) { split(ms[mi], kv, "="); m = kv[1]; label = kv[2]; gsub(/_/, " ", label); w = ref "," m
            if (!(w in n)) continue
            wr = med(r, w, n[w]); wc = med(c, w, n[w])
            for (si = 1; si <= ns; si++) { k = ss[si] "," m; if (!(k in n)) continue
                rr = med(r, k, n[k]); cc = med(c, k, n[k])
                printf "| %s | %s | %.0f | %.2f | %.1f | %.2f | %.0f |\n", label, ss[si], rr, rr / wr, cc, cc / wc, med(b, k, n[k]) } } }' "$CSV" | tee "$OUT/summary.md"
}
