#!/usr/bin/env bash
# Install Chromium from Debian's packages for the headless-browser test of the HTML report
# (tests/sim/test_report.py). Idempotent; never fails CI: without Chromium the test is
# skipped and says why.
set -uo pipefail
say() { echo "chromium.sh: $*" >&2; }
for bin in chromium chromium-browser; do
  if command -v "$bin" >/dev/null; then exit 0; fi
done
if ! command -v apt-get >/dev/null; then
  say "Chromium is not installed and cannot be installed here (no apt-get)"; exit 0
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
    say "Chromium is not installed and cannot be installed here (needs root or sudo)"; exit 0
  fi
fi
say "installing Chromium from Debian's packages"
{ "${SUDO[@]}" apt-get update -qq \
  && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
  >/dev/null 2>&1 || say "apt-get install chromium failed; the browser test will be skipped"
exit 0
