#!/usr/bin/env bash
# Installs what the service needs on a fresh Debian machine with Python 3.11, as root.
#   bash scripts/install.sh          # the service
#   bash scripts/install.sh --test   # the service and everything its tests need
# Debian packages are installed only when missing; the Python packages go into ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

pkgs=(fonts-dejavu-core)
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then pkgs+=(python3-venv); fi
if [ "$want_test" = 1 ]; then
    # PostgreSQL (a real server started by the fixtures), SoftHSM2 (PKCS#11 tokens),
    # poppler (pdfsig, pdftoppm: independent checks of our PDFs), Chromium (browser tests),
    # xmlsec1 (xmlsec1 --verify: an independent check of the receipts' XMLDSig signatures).
    pkgs+=(postgresql softhsm2 poppler-utils chromium xmlsec1)
fi
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "$want_test" = 1 ]; then
    .venv/bin/python -m pip install -q -e ".[test]"
else
    .venv/bin/python -m pip install -q -e .
fi
