#!/usr/bin/env bash
# Install the Debian packages the project needs, only those missing.
#   scripts/system-deps.sh run    python3-venv
#   scripts/system-deps.sh test   + chromium and fonts-noto-cjk (browser tests, Chinese glyphs)
set -euo pipefail
want=()
python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3-venv)
if [ "${1:-run}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || want+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || want+=(fonts-noto-cjk)
fi
[ ${#want[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${want[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
