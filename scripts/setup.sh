#!/usr/bin/env bash
# Installs what WsgiHost needs on a fresh Debian machine with the .NET 10 SDK:
# Debian's libpython3.11 (the Python that is embedded by default in tests and examples),
# the Debian Python packages the tests use, and Chromium for the browser tests (driven
# headless through Playwright, which never downloads a browser of its own).
# Skips apt when everything is present.
set -euo pipefail

# chromium: the browser tests; nginx and curl: examples/nginx (two instances behind nginx, rolled without a failed request);
# clang, lld and zlib1g-dev: the native (ahead-of-time) publish of wsgihost (scripts/publish.sh, and the tests run on it).
PACKAGES=(libpython3.11 python3 python3-venv python3-flask python3-django python3-httpbin media-types chromium nginx curl clang lld zlib1g-dev)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -q >&2
    # Debian's nginx package starts a system nginx on port 80 when it is installed; the
    # example and the tests run their own, as the current user. Deny service starts while
    # installing (policy-rc.d, when the machine has none) and keep a new system nginx off.
    policy=/usr/sbin/policy-rc.d
    added_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
        $SUDO chmod +x "$policy"
        added_policy=1
    fi
    status=0
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >&2 || status=$?
    if [ -n "$added_policy" ]; then $SUDO rm -f "$policy"; fi
    if [ "$status" != 0 ]; then exit "$status"; fi
    if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
