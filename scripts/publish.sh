#!/usr/bin/env bash
# Publishes wsgihost as one native executable (ahead-of-time compiled: no .NET runtime
# needed to run it, and about half the memory of the JIT-compiled server) to DIR
# (default: out/wsgihost). Sets up first (clang and zlib are what the native linker needs).
#
# usage: scripts/publish.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/wsgihost}
scripts/setup.sh
dotnet publish src/WsgiHost.Cli -c Release -o "$out" -nologo -v quiet >&2
echo "$out/wsgihost"
