#!/usr/bin/env bash
# Restarts the instances run.sh started, one after the other, without a failed request:
# nginx takes one out (reload with it marked down: new requests go to the other, nginx's
# old workers finish theirs), SIGTERM drains it (the requests it still has finish), it exits,
# starts again (a new build or configuration is picked up here), answers 200 on its health
# endpoint, goes back into nginx, and only then is the next one rolled.
# Environment: STATE (as given to run.sh), WSGIHOST, PYTHON.
set -euo pipefail
source "$(dirname "$0")/instances.sh"
for n in 1 2; do
    old="$(cat "$STATE/instance-$n.pid")"
    nginx_reload "$n"
    stop_instance "$n"
    start_instance "$n"
    wait_ready "$n"
    nginx_reload
    echo "instance $n: pid $old -> $(cat "$STATE/instance-$n.pid"), ready on 127.0.0.1:$(instance_port "$n")"
done
