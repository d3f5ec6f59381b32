#!/usr/bin/env bash
# Makes sure the CalDAV tests' tools are installed: Debian's radicale (a real
# CalDAV server, the external calendar for import tests) and python3-caldav
# (an independent CalDAV client against FamilyHub's server). Both run under
# Debian's /usr/bin/python3, not whatever python3 is first on PATH.
# Idempotent and fast when both are present.
set -euo pipefail

PY=/usr/bin/python3
have() { [ -x "$PY" ] && "$PY" -c 'import radicale, caldav' >/dev/null 2>&1; }

if have; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deploy/ensure-radicale.sh: the CalDAV tests need Debian's 'radicale' and 'python3-caldav' packages." >&2
	echo "  Install them as root: apt-get update && apt-get install -y radicale python3-caldav" >&2
	exit 1
fi

echo "deploy/ensure-radicale.sh: installing radicale and python3-caldav (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y --no-install-recommends radicale python3-caldav >/dev/null 2>&1; }
# A stale package list or a half-upgraded system (unmet dependencies) are the
# usual reasons a plain install fails: refresh the lists, repair, retry once.
install || {
	apt-get update >/dev/null
	apt-get install -y -f >/dev/null
	apt-get install -y --no-install-recommends radicale python3-caldav >/dev/null
}
# The package's service is not wanted: the tests start their own instance.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now radicale >/dev/null 2>&1 || true; fi

if ! have; then
	echo "deploy/ensure-radicale.sh: radicale/python3-caldav still not importable by $PY" >&2
	exit 1
fi
