#!/usr/bin/env bash
# Installs the Debian 12 packages amp needs to build and test, if any are missing.
# Run as root (or with sudo). Does nothing when everything is already installed.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git
    libcli11-dev nlohmann-json3-dev libsodium-dev libssl-dev libfmt-dev catch2
    python3 openssl minisign hyperfine jq
    # groff renders the man page, and CPack runs dpkg-shlibdeps (dpkg-dev) and file to build the .deb
    groff-base dpkg-dev file
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

# Node.js (for the interop test) may come from another source than Debian,
# with npm bundled: ask for the Debian packages only when the commands are missing.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

echo "installing: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
