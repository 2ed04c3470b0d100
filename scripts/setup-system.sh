#!/usr/bin/env bash
# Installs the system packages loupe needs to build and test, only those missing.
# Uses apt-get directly as root, through sudo otherwise. Installs nothing when all is present.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libopenblas-dev libncursesw5-dev pkg-config xz-utils libsqlite3-dev tmux; do
  have_pkg "$pkg" || need+=("$pkg")
done
if ! python3 -m pip --version >/dev/null 2>&1; then
  have_pkg python3-pip || need+=(python3-pip)
fi
command -v python3 >/dev/null 2>&1 || need+=(python3)
# `make venv` builds the serve tests' client virtualenv (Debian's python3 needs python3-venv for that).
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  have_pkg python3-venv || need+=(python3-venv)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "loupe setup: missing packages (${need[*]}) and no apt-get here; install them with your package manager." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "loupe setup: need root or sudo to install: ${need[*]}" >&2; exit 1
  fi
fi
echo "loupe setup: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
