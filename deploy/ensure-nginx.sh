#!/usr/bin/env bash
# Makes sure nginx is installed: `make cluster` and the proxy tests
# (cmd/familyhub/proxy_test.go, faults_test.go) run Debian's nginx with the
# repo's deploy/nginx.conf. Idempotent and fast when nginx is present. The
# package's own service is not wanted: the cluster and the tests start their
# own nginx under a private prefix.
set -euo pipefail

have() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }

have && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deploy/ensure-nginx.sh: the cluster and proxy tests need nginx." >&2
	echo "  Install it as root: apt-get update && apt-get install -y nginx-light (or nginx)" >&2
	exit 1
fi

echo "deploy/ensure-nginx.sh: installing nginx (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
# Do not let the package start its service on port 80 (policy-rc.d 101 =
# "action not allowed"); remove our policy afterwards if we created it.
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod +x "$policy"
	created_policy=1
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

install() {
	local pkg
	for pkg in nginx-light nginx; do
		if apt-get install -y --no-install-recommends "$pkg" >/dev/null 2>&1; then
			return 0
		fi
	done
	return 1
}
# A stale package list is the usual reason the first attempt fails.
install || { apt-get update >/dev/null && install; } || true
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi

if ! have; then
	echo "deploy/ensure-nginx.sh: nginx is still not installed; install nginx-light or nginx by hand" >&2
	exit 1
fi
