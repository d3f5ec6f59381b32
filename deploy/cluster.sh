#!/usr/bin/env bash
# The production topology on loopback, without Docker: a private PostgreSQL,
# three `familyhub serve` replicas and nginx with the repo's deploy/nginx.conf.
#
#   deploy/cluster.sh up      (make cluster)       start everything, print the URL
#   deploy/cluster.sh down    (make cluster-down)  stop everything (pid files)
#   deploy/cluster.sh status                       what runs
#
# State lives in .familyhub/cluster/ (git-ignored): pg/ (the PostgreSQL data
# directory), replica-N.log/.pid, nginx/ (nginx's prefix: nginx.conf symlinked
# to deploy/nginx.conf, a generated familyhub-upstream.conf and
# familyhub-listen.conf, nginx.log, nginx.pid). Ports (override in the
# environment): FAMILYHUB_CLUSTER_PORT (nginx, 8080), FAMILYHUB_CLUSTER_REPLICA_PORT
# (first replica, 8081; then 8082, 8083), FAMILYHUB_CLUSTER_PG_PORT (15432),
# FAMILYHUB_CLUSTER_REPLICAS (3). See docs/operations.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${FAMILYHUB_CLUSTER_DIR:-$ROOT/.familyhub/cluster}
PORT=${FAMILYHUB_CLUSTER_PORT:-8080}
REPLICA_PORT=${FAMILYHUB_CLUSTER_REPLICA_PORT:-8081}
PG_PORT=${FAMILYHUB_CLUSTER_PG_PORT:-15432}
REPLICAS=${FAMILYHUB_CLUSTER_REPLICAS:-3}
BIN=$ROOT/bin/familyhub
NGINX_PREFIX=$STATE/nginx

say() { echo "cluster: $*" >&2; }
die() { say "$*"; exit 1; }

# PostgreSQL's binaries refuse to run as root: run them as `postgres`.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bindir() {
	local d
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir)
		[ -x "$d/pg_ctl" ] && { echo "$d"; return; }
	fi
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
	die "PostgreSQL binaries not found (run deploy/ensure-postgres.sh)"
}

# pg_dir: the data directory's parent. The postgres user must be able to
# traverse every parent; a checkout under a mode-700 home is not, so fall
# back to a directory under /tmp (named after the checkout).
pg_dir() {
	local dir=$STATE/pg
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$STATE"
		if ! runuser -u postgres -- test -x "$STATE"; then
			dir=/tmp/familyhub-cluster-$(echo "$ROOT" | md5sum | cut -c1-8)/pg
			say "the postgres user cannot reach $STATE; PostgreSQL data goes to $dir" >&2
		fi
	fi
	echo "$dir"
}

nginx_bin() {
	command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || die "nginx not found (run deploy/ensure-nginx.sh)"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_http() { # url seconds
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

up() {
	[ -x "$BIN" ] || die "$BIN missing: run 'make build' (make cluster does)"
	mkdir -p "$STATE" "$NGINX_PREFIX"
	local bindir pgdir data url
	bindir=$(pg_bindir)
	pgdir=$(pg_dir)
	data=$pgdir/data
	# PostgreSQL: initdb once, then pg_ctl start (idempotent).
	mkdir -p "$pgdir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$pgdir" && chmod 700 "$pgdir"
	if [ ! -f "$data/PG_VERSION" ]; then
		say "initialising PostgreSQL in $data"
		as_pg "$bindir/initdb" --pgdata "$data" --username postgres --auth trust \
			--encoding UTF8 --locale C.UTF-8 --no-instructions >/dev/null
	fi
	if as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		say "PostgreSQL already running"
	else
		as_pg "$bindir/pg_ctl" -D "$data" -l "$pgdir/postgresql.log" -w -t 30 start \
			-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pgdir -c max_connections=500" >/dev/null
	fi
	echo "$pgdir" >"$STATE/pgdir"
	as_pg "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = 'familyhub'" | grep -q 1 ||
		as_pg "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres familyhub
	url="postgres://postgres@127.0.0.1:$PG_PORT/familyhub?sslmode=disable"

	# Replicas: each migrates on start under an advisory lock.
	local i port upstream=""
	for ((i = 1; i <= REPLICAS; i++)); do
		port=$((REPLICA_PORT + i - 1))
		upstream+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
		if alive "$STATE/replica-$i.pid"; then
			say "replica $i already running"
			continue
		fi
		DATABASE_URL=$url FAMILYHUB_ADDR=127.0.0.1:$port FAMILYHUB_TRUSTED_PROXIES=127.0.0.1 \
			FAMILYHUB_SIGNUP=${FAMILYHUB_SIGNUP:-open} \
			nohup setsid "$BIN" serve >>"$STATE/replica-$i.log" 2>&1 </dev/null &
		echo $! >"$STATE/replica-$i.pid"
	done
	for ((i = 1; i <= REPLICAS; i++)); do
		port=$((REPLICA_PORT + i - 1))
		wait_http "http://127.0.0.1:$port/readyz" 60 || die "replica $i (port $port) not ready; see $STATE/replica-$i.log"
	done

	# nginx: the repo's config, this cluster's upstream and listen files.
	ln -sfn "$ROOT/deploy/nginx.conf" "$NGINX_PREFIX/nginx.conf"
	printf 'upstream familyhub {\n%s    keepalive 32;\n}\n' "$upstream" >"$NGINX_PREFIX/familyhub-upstream.conf"
	echo "listen 127.0.0.1:$PORT;" >"$NGINX_PREFIX/familyhub-listen.conf"
	local ngx
	ngx=$(nginx_bin)
	local args=(-p "$NGINX_PREFIX/" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/nginx.log")
	"$ngx" "${args[@]}" -t -q 2>>"$NGINX_PREFIX/nginx.log" || die "nginx -t failed; see $NGINX_PREFIX/nginx.log"
	if alive "$NGINX_PREFIX/nginx.pid"; then
		"$ngx" "${args[@]}" -s reload
	else
		# error_log stderr in nginx.conf: keep stderr in the log file.
		"$ngx" "${args[@]}" 2>>"$NGINX_PREFIX/nginx.log"
	fi
	wait_http "http://127.0.0.1:$PORT/readyz" 10 || die "nginx on port $PORT does not answer; see $NGINX_PREFIX/nginx.log"

	cat <<MSG
FamilyHub cluster is up:
  URL         http://127.0.0.1:$PORT   (nginx → $REPLICAS replicas)
  replicas    $(for ((i = 0; i < REPLICAS; i++)); do printf 'http://127.0.0.1:%d ' $((REPLICA_PORT + i)); done)
  PostgreSQL  $url
  logs        $STATE/replica-N.log, $NGINX_PREFIX/nginx.log, $pgdir/postgresql.log
  stop        make cluster-down
MSG
}

stop_pid() { # pidfile name
	local pid i
	alive "$1" || { rm -f "$1"; return 0; }
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
		sleep 0.1
	done
	say "$2 did not stop within 20s: killing it"
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$1"
}

down() {
	local f
	if alive "$NGINX_PREFIX/nginx.pid"; then
		# SIGQUIT: graceful (in-flight requests finish); stop_pid escalates
		# to SIGTERM/SIGKILL. nginx removes its pid file itself: keep a copy.
		cp "$NGINX_PREFIX/nginx.pid" "$STATE/nginx-master.pid"
		kill -QUIT "$(cat "$STATE/nginx-master.pid")" 2>/dev/null || true
		stop_pid "$STATE/nginx-master.pid" nginx
		say "nginx stopped"
	fi
	for f in "$STATE"/replica-*.pid; do
		[ -e "$f" ] || continue
		stop_pid "$f" "$(basename "$f" .pid)"
		say "$(basename "$f" .pid) stopped"
	done
	if [ -f "$STATE/pgdir" ]; then
		local pgdir
		pgdir=$(cat "$STATE/pgdir")
		if as_pg "$(pg_bindir)/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
			as_pg "$(pg_bindir)/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null
			say "PostgreSQL stopped (data kept in $pgdir/data)"
		fi
	fi
}

status() {
	local f
	for f in "$STATE"/replica-*.pid "$NGINX_PREFIX/nginx.pid"; do
		[ -e "$f" ] || continue
		if alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): not running"; fi
	done
	if [ -f "$STATE/pgdir" ]; then
		as_pg "$(pg_bindir)/pg_ctl" -D "$(cat "$STATE/pgdir")/data" status | head -1 || true
	fi
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
*) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
