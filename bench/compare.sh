#!/usr/bin/env bash
# compare.sh -- did a change make requests cheaper or dearer? Two commits' builds run one after
# the other in interleaved pairs (A, B, A, B, ...) with bench/threads.sh, which reads the
# server's CPU per request from /proc: on this machine req/s alone moves by half between runs,
# and a whole harness run compares every server once, so 2 µs more a request (12%) slipped in
# over 157 commits unseen (bench/README.md, 2026-12-07). Pairs taken minutes apart share the
# machine's mood; the medians and each pair's ratio say whether a difference is real.
#
# usage: bench/compare.sh [-n PAIRS] [-m MODE] [-a APP] REF_A [REF_B]
#   REF_A, REF_B  commits (REF_B defaults to HEAD); each is published once, from a clean
#                 snapshot of its src/, into bench/.out/compare/<commit>/ and reused after
#   -n PAIRS      pairs to run (default 3)
#   -m MODE       embedded | daemon | multi, as bench/threads.sh (default embedded)
#   -a APP        any app of bench/run.sh (default hello)
# environment: DURATION (seconds a run, default 8), PORT, PY, SHARED_BENCH (bench/threads.sh's)
# needs: wrk and the native toolchain, which bench/run.sh installs (run it once on a new machine)
#
# Prints each run's req/s and server CPU µs a request (every process of the server summed),
# then the medians and B's CPU as a ratio of A's: below 1 means B is cheaper. Not run by CI.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PAIRS=3 MODE=embedded APP=hello
while getopts "n:m:a:" opt; do
    case $opt in
        n) PAIRS=$OPTARG ;;
        m) MODE=$OPTARG ;;
        a) APP=$OPTARG ;;
        *) sed -n '9,16p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '9,16p' "$0" >&2; exit 2; }
case $MODE in embedded|daemon|multi) ;; *) echo "compare.sh: -m is embedded, daemon or multi" >&2; exit 2 ;; esac
[[ $PAIRS =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: -n wants a positive number" >&2; exit 2; }
command -v wrk > /dev/null || { echo "compare.sh: no wrk; bench/run.sh installs it (and what the native publish needs)" >&2; exit 2; }

# A commit's build, published once (publish-commit.sh, as bench/run.sh's WSGIHOST_REF).
build() {
    local ref=$1 commit dir
    commit=$(git -C "$REPO" rev-parse --verify --quiet "$ref^{commit}") || { echo "compare.sh: no commit '$ref'" >&2; exit 2; }
    dir=$HERE/.out/compare/$commit
    if [ ! -x "$dir/wsgihost" ]; then
        echo "== publishing $(git -C "$REPO" rev-parse --short "$commit") into $dir" >&2
        rm -rf "$dir.tmp" "$dir"
        "$HERE/publish-commit.sh" "$commit" "$dir.tmp" >&2
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir/wsgihost"
}

A=$(build "$1")
B=$(build "${2:-HEAD}")
NAME_A=$(git -C "$REPO" rev-parse --short "$1") NAME_B=$(git -C "$REPO" rev-parse --short "${2:-HEAD}")

# One run: "req/s µs" -- the server's CPU a request is its first process's row plus its
# children's (daemon workers, server processes).
run() {
    APP=$APP "$HERE/threads.sh" "$MODE" "$1" 2>&1 | awk '
        / req\/s, / { rps = $(NF-3) }
        /^[FW]:\(all\)/ { us += $2 }
        END { if (rps == "") { print "failed"; exit 1 } printf "%s %.2f\n", rps, us }'
}

echo "$MODE $APP, $PAIRS pairs, A = $NAME_A, B = $NAME_B"
printf '%-6s %12s %10s %12s %10s %8s\n' pair "A req/s" "A µs" "B req/s" "B µs" "B÷A µs"
results=()
for i in $(seq "$PAIRS"); do
    a=$(run "$A") || { echo "compare.sh: a run of $NAME_A failed (bench/threads.sh $MODE with APP=$APP)" >&2; exit 1; }
    b=$(run "$B") || { echo "compare.sh: a run of $NAME_B failed (bench/threads.sh $MODE with APP=$APP)" >&2; exit 1; }
    read -r rps_a us_a <<< "$a"
    read -r rps_b us_b <<< "$b"
    printf '%-6s %12.0f %10.2f %12.0f %10.2f %8.3f\n' "$i" "$rps_a" "$us_a" "$rps_b" "$us_b" "$(awk -v a="$us_a" -v b="$us_b" 'BEGIN { print b / a }')"
    results+=("$rps_a $us_a $rps_b $us_b")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
med = [statistics.median(r[k] for r in rows) for k in range(4)]
ratios = sorted(r[3] / r[1] for r in rows)
label = "median"
print(f"{label:<6} {med[0]:12.0f} {med[1]:10.2f} {med[2]:12.0f} {med[3]:10.2f} {med[3] / med[1]:8.3f}")
cheaper = sum(1 for r in ratios if r < 1)
print(f"B took less CPU a request in {cheaper} of {len(ratios)} pairs (ratios {ratios[0]:.3f} to {ratios[-1]:.3f})")
'
