#!/usr/bin/env bash
# Sets up, builds and runs every test (unit and functional). Ends with one line
# "N passed, N failed, N skipped" summed over all test projects.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
dotnet build WsgiHost.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d)
touch "$results/started"
status=0
for project in tests/WsgiHost.Tests tests/WsgiHost.FunctionalTests; do
    name=$(basename "$project")
    dotnet test "$project" -c Release --no-build -nologo \
        --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
        --logger "console;verbosity=normal" 2>&1 | tee "$results/$name.log" | grep -E '^\s+(Passed|Failed|Skipped) |^\s+(Error Message|Stack Trace):|Skipped|Total tests|Passed!|Failed!' || true
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
done

# Browser tests save a screenshot of each failed step: name this run's.
shots=$(find "${WSGIHOST_TEST_ARTIFACTS:-TestResults}/browser" -name '*.png' -newer "$results/started" 2>/dev/null)
[ -z "$shots" ] || printf 'screenshots of failed browser steps:\n%s\n' "$shots"

# Sum the counters of every project's TRX summary.
python3 - "$results" <<'PY' || status=1
import glob, sys, xml.etree.ElementTree as ET
ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + '/*.trx')
for f in files:
    c = ET.parse(f).getroot().find('t:ResultSummary/t:Counters', ns)
    passed += int(c.get('passed')); failed += int(c.get('failed')) + int(c.get('error')) + int(c.get('timeout')) + int(c.get('aborted'))
    skipped += int(c.get('notExecuted'))
if len(files) < 2:
    failed += 2 - len(files)
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
sys.exit(1 if failed else 0)
PY
rc=$?
rm -rf "$results"
[ $status = 0 ] && [ $rc = 0 ]
