#!/usr/bin/env bash
# micro.sh -- BenchmarkDotNet micro-benchmarks of the parts measured alone (bench/Micro):
# the environ build, the daemon frame codec, reading a 200-vhost config, routing.
#
# usage: bench/micro.sh [BenchmarkDotNet arguments]
#   bench/micro.sh                          every benchmark, default job (minutes per benchmark)
#   bench/micro.sh --job short              every benchmark, quick (3 iterations: rough numbers)
#   bench/micro.sh --filter '*Protocol*'    one class (the default filter is '*')
#   bench/micro.sh --list flat              list them
# Arguments are passed through to BenchmarkDotNet; results (Markdown, CSV, logs) go to
# bench/.out/micro/results/ unless --artifacts says otherwise. Not run by CI.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
args=("$@")
has() { local a; for a in "${args[@]}"; do [[ $a == "$1" || $a == "$1="* ]] && return 0; done; return 1; }
has --filter || has -f || has --list || args=(--filter '*' "${args[@]}")
has --artifacts || has -a || args+=(--artifacts "$HERE/.out/micro")
exec dotnet run -c Release --project "$HERE/Micro" -- "${args[@]}"
