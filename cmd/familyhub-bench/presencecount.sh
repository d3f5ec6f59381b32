#!/usr/bin/env bash
# presencecount.sh: what presence costs PostgreSQL, counted (docs/benchmarks.md).
# Starts two replicas of BINARY on database DB, runs `familyhub-bench presence`
# (FAMILIES families × 4 devices, a view change per device every 10 s, for 60 s)
# and counts over 20 s of it, once the devices are connected: the database's
# committed transactions (xact_commit, ±1 s of publishing lag), the calls of
# familyhub_notify_async and of pg_notify (pg_stat_statements; pg_notify's only
# with pg_stat_statements.track = all).
#
#   PORTS="18181 18182" cmd/familyhub-bench/presencecount.sh [-u URL] [-d DB] BINARY [FAMILIES]
set -euo pipefail
URL=postgres://postgres@127.0.0.1:25432
DB=fhp
while getopts "u:d:" o; do
	case $o in
	u) URL=$OPTARG ;;
	d) DB=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
BIN=$1
FAMILIES=${2:-200}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/bin/familyhub-bench
(cd "$ROOT" && go build -o "$BENCH" ./cmd/familyhub-bench)
OUT=$(mktemp -d)
PSQL=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
q() { "$PSQL" "$URL/$DB" -Atqc "$1"; }
"$PSQL" "$URL/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 || "$PSQL" "$URL/postgres" -qc "CREATE DATABASE $DB"
q "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$OUT"' EXIT
PORTS=${PORTS:-18181 18182}
URLS=
for port in $PORTS; do
	URLS=${URLS:+$URLS,}http://127.0.0.1:$port
	env DATABASE_URL="$URL/$DB?sslmode=disable" FAMILYHUB_ADDR=127.0.0.1:$port FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8 \
		FAMILYHUB_SIGNUP=open FAMILYHUB_LOG_LEVEL=warn "$BIN" serve >>"$OUT/replica-$port.log" 2>&1 &
	PIDS+=($!)
done
for port in $PORTS; do
	for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.2; done
done
"$BENCH" presence -database-url "$URL/$DB?sslmode=disable" -urls "$URLS" -families "$FAMILIES" -devices 4 \
	-change-every 10s -duration 60s >"$OUT/bench.txt" 2>&1 &
bp=$!
# The load tool LISTENs once its families signed up; then it connects the devices.
for _ in $(seq 600); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB' AND query = 'LISTEN familyhub_presence'")" -gt 0 ] && break
	sleep 0.5
done
sleep 10
q "SELECT pg_stat_statements_reset()" >/dev/null
a=$(q "SELECT xact_commit FROM pg_stat_database WHERE datname = '$DB'")
sleep 20
b=$(q "SELECT xact_commit FROM pg_stat_database WHERE datname = '$DB'")
echo "transactions committed (20 s): $((b - a - 1))"
q "SELECT 'calls (20 s): familyhub_notify_async ' || coalesce(sum(calls) FILTER (WHERE query LIKE '%familyhub_notify_async(%'), 0) ||
	', pg_notify ' || coalesce(sum(calls) FILTER (WHERE query LIKE '%pg_notify(%'), 0)
	FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$DB')"
wait $bp || true
cat "$OUT/bench.txt"
