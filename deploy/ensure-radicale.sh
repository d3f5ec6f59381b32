#!/usr/bin/env bash
# Makes sure the CalDAV tests' tools are installed: Debian's radicale (a real
# CalDAV server, the external calendar for import tests), python3-caldav and
# vdirsyncer (two independent CalDAV clients against FamilyHub's server) and
# python3-icalendar (an independent parser for the iCalendar feeds). The
# Python ones run under Debian's /usr/bin/python3, not whatever python3 is
# first on PATH. Idempotent and fast when all are present.
set -euo pipefail

PY=/usr/bin/python3
PACKAGES="radicale python3-caldav python3-icalendar vdirsyncer"
have() {
	[ -x "$PY" ] && "$PY" -c 'import radicale, caldav, icalendar' >/dev/null 2>&1 &&
		[ -x /usr/bin/vdirsyncer ]
}

if have; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deploy/ensure-radicale.sh: the CalDAV tests need Debian's packages: $PACKAGES" >&2
	echo "  Install them as root: apt-get update && apt-get install -y $PACKAGES" >&2
	exit 1
fi

echo "deploy/ensure-radicale.sh: installing $PACKAGES (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the list is meant to split
install() { apt-get install -y --no-install-recommends $PACKAGES >/dev/null 2>&1; }
# A stale package list or a half-upgraded system (unmet dependencies) are the
# usual reasons a plain install fails: refresh the lists, repair, retry once.
install || {
	apt-get update >/dev/null
	apt-get install -y -f >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $PACKAGES >/dev/null
}
# The package's service is not wanted: the tests start their own instance.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now radicale >/dev/null 2>&1 || true; fi

if ! have; then
	echo "deploy/ensure-radicale.sh: $PACKAGES still not usable with $PY" >&2
	exit 1
fi
