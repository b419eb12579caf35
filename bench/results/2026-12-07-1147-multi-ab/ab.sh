#!/bin/bash
# A/B: wsgihost-multi (2 server processes) and embedded, base (311ac94) vs new (HEAD), alternating.
cd /work/main
for r in 1 2; do
  for b in base new; do
    rm -rf bench/.out/wsgihost; mkdir -p bench/.out/wsgihost; cp -r /tmp/pf/ab/$b/* bench/.out/wsgihost/
    SKIP_INSTALL=1 SKIP_BUILD=1 REPS=1 DURATION=8s APPS="hello hello_close flask" SERVERS="wsgihost-multi wsgihost-embedded" \
      OUT_DIR=/tmp/pf/ab/out-$b-$r bench/run.sh > /tmp/pf/ab/log-$b-$r.txt 2>&1
  done
done
echo done
