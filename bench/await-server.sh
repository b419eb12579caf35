# await-server.sh -- sourced by the bench scripts that start a server of their own.
#
# await_server NAME PID LOG CURL_ARGS... : tries 100 times, 0.1 s apart, for the server (process PID) to
# answer `curl -sf CURL_ARGS...`; when it exits first or never answers, prints LOG and exits
# the calling script with status 1, naming NAME.
await_server() {
    local name=$1 server=$2 log=$3
    shift 3
    for _ in $(seq 100); do
        curl -sf -m 1 -o /dev/null "$@" && return 0
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$server" 2>/dev/null; then
        echo "$name: the server did not answer in 100 tries; its log:" >&2
    else
        echo "$name: the server exited; its log:" >&2
    fi
    cat "$log" >&2
    exit 1
}
