#!/usr/bin/env bash
# Sets up, builds and runs every test (unit and functional), then the command-line tests
# again on the native executable that scripts/publish.sh ships. Ends with one line
# "N passed, N failed, N skipped" summed over every run.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
dotnet build WsgiHost.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

# The functional tests that run a second time, on the native executable: all but those of
# the ASP.NET Core library (MapWsgi hosts are .NET apps), the browser and the nginx example.
NATIVE_TESTS="FullyQualifiedName!~AspNetCore&FullyQualifiedName!~BrowserTests&FullyQualifiedName!~NginxExample"

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

# The native executable that scripts/publish.sh ships (and the benchmarks run): the
# functional tests again, on it instead of the built assembly.
native=$(mktemp -d)
# mktemp's folder is root's alone; the server that becomes Apache's User (ServerIdentityTests)
# starts recycled daemon workers from it as that user, as an installed wsgihost would be.
chmod 755 "$native"
if dotnet publish src/WsgiHost.Cli -c Release -o "$native" -nologo -v quiet; then
    WSGIHOST_TEST_CLI="$native/wsgihost" dotnet test tests/WsgiHost.FunctionalTests -c Release --no-build -nologo \
        --filter "$NATIVE_TESTS" \
        --logger "trx;LogFileName=native.trx" --results-directory "$results" \
        --logger "console;verbosity=normal" 2>&1 | tee "$results/native.log" | grep -E '^\s+(Passed|Failed|Skipped) |^\s+(Error Message|Stack Trace):|Skipped|Total tests|Passed!|Failed!' | sed 's/^/[native] /' || true
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
else
    echo "the native publish failed"; status=1
fi
rm -rf "$native"

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
    # Each failure in full (the console lines above show only its name): message and stack.
    for r in ET.parse(f).getroot().iter('{%s}UnitTestResult' % ns['t']):
        if r.get('outcome') == 'Failed':
            info = r.find('t:Output/t:ErrorInfo', ns)
            text = lambda tag: (info.findtext('t:' + tag, '', ns) if info is not None else '').strip().splitlines()
            print('FAILED %s (%s):' % (r.get('testName'), f.rsplit('/', 1)[-1]))
            for line in text('Message')[:40] + text('StackTrace')[:8]:
                print('    ' + line)
    c = ET.parse(f).getroot().find('t:ResultSummary/t:Counters', ns)
    passed += int(c.get('passed')); failed += int(c.get('failed')) + int(c.get('error')) + int(c.get('timeout')) + int(c.get('aborted'))
    skipped += int(c.get('notExecuted'))
if len(files) < 3:
    failed += 3 - len(files)
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
sys.exit(1 if failed else 0)
PY
rc=$?
rm -rf "$results"
[ $status = 0 ] && [ $rc = 0 ]
