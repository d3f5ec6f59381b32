#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests
# (cmd/familyhub/browser_test.go drives /usr/bin/chromium headless through
# chromedp). Fast when it is there; as root on Debian/Ubuntu it installs the
# `chromium` package; otherwise it says what to do. No browser is downloaded
# from anywhere else.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

[[ -x $CHROMIUM ]] && exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium not found: installing Debian's chromium package (for the browser tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  [[ -x $CHROMIUM ]] && exit 0
fi

cat >&2 <<'MSG'
The browser tests need Chromium at /usr/bin/chromium, and it was not found.
Install it, e.g.:
  Debian/Ubuntu:  sudo apt-get install chromium
then run `make test` again (as root on Debian/Ubuntu this script installs it).
MSG
exit 1
