#!/usr/bin/env bash
# Installs what WsgiHost needs on a fresh Debian machine with the .NET 10 SDK:
# Debian's libpython3.11 (the Python that is embedded by default in tests and examples),
# the Debian Python packages the tests use, and Chromium for the browser tests (driven
# headless through Playwright, which never downloads a browser of its own).
# Skips apt when everything is present.
set -euo pipefail

PACKAGES=(libpython3.11 python3 python3-venv python3-flask python3-django python3-httpbin media-types chromium)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >&2
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
