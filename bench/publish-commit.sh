#!/usr/bin/env bash
# publish-commit.sh -- publishes the native wsgihost of one git commit into DIR, built in a
# clean copy of the commit's src/ (its own obj/ and bin/): unaffected by uncommitted edits and
# by builds others run in src/ meanwhile. Used by run.sh (WSGIHOST_REF) and compare.sh.
#
# usage: bench/publish-commit.sh COMMIT DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bench/publish-commit.sh COMMIT DIR" >&2; exit 2; }
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
commit=$1 out=$2
git -C "$REPO" rev-parse --verify --quiet "$commit^{commit}" > /dev/null || { echo "publish-commit.sh: no commit '$commit'" >&2; exit 2; }
snap=$(mktemp -d)
trap 'rm -rf "$snap"' EXIT
git -C "$REPO" archive "$commit" Directory.Build.props .editorconfig src | tar -x -C "$snap"
(cd "$snap" && dotnet publish src/WsgiHost.Cli -c Release -o "$out" -nologo -v quiet)
