#!/usr/bin/env bash
# relaypair.sh: FamilyHub's fan-out beside pg_eventserv at the small points,
# fairly (docs/benchmarks.md, fifth round). Per round and build: a fresh
# pg_eventserv (it does not survive the large points, or a killed
# listener) and one replica of the build, both on database fhc_new; the
# replica is fed FamilyHub-shaped notices (`relay -target fh-notify`), then
# pg_eventserv is fed with the replica still up, so PostgreSQL wakes the
# same listening backends in both runs.
#
#   cmd/familyhub-bench/relaypair.sh [-u postgres://postgres@127.0.0.1:25432] \
#       -e /tmp/pg_eventserv [-n 3] [-p 10x100,100x200,1000x50] BINARY...
set -euo pipefail
URL=postgres://postgres@127.0.0.1:25432
EVSERV=
ROUNDS=3
POINTS=10x100,100x200,1000x50
while getopts "u:e:n:p:" o; do
	case $o in
	u) URL=$OPTARG ;;
	e) EVSERV=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	p) POINTS=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -x "$EVSERV" ] && [ $# -gt 0 ] || { echo "usage: relaypair.sh -e PG_EVENTSERV [-n rounds] [-p points] BINARY..." >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/bin/familyhub-bench
(cd "$ROOT" && go build -o "$BENCH" ./cmd/familyhub-bench)
PSQL=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
"$PSQL" "$URL/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'fhc_new'" | grep -q 1 || "$PSQL" "$URL/postgres" -qc "CREATE DATABASE fhc_new"
DB="$URL/fhc_new?sslmode=disable"
OUT=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }
trap 'cleanup; rm -rf "$OUT"' EXIT
# FAMILYHUB_REALTIME_MAX_PER_USER=0: the load tool opens up to thousands of sockets
# of one user (relay: one session), beyond the per-user default of 32.
for round in $(seq "$ROUNDS"); do
	for bin in "$@"; do
		ES_HTTPHOST=127.0.0.1 ES_HTTPPORT=17700 DATABASE_URL="$DB" "$EVSERV" >>"$OUT/pg_eventserv.log" 2>&1 &
		PIDS+=($!)
		env DATABASE_URL="$DB" FAMILYHUB_ADDR=127.0.0.1:18181 FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8 FAMILYHUB_SIGNUP=open FAMILYHUB_REALTIME_MAX_PER_USER=0 \
			FAMILYHUB_LOG_LEVEL=warn FAMILYHUB_AUTO_CATEGORISE=false "$bin" serve >>"$OUT/replica.log" 2>&1 &
		PIDS+=($!)
		for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:18181/readyz && break; sleep 0.2; done
		# Each fh run signs a family up; many rounds pass the hourly sign-up limit.
		"$PSQL" "$DB" -qc "DELETE FROM auth_failures WHERE kind = 'signup'"
		echo "== round $round: $bin (fh-notify)"
		"$BENCH" relay -target fh-notify -url http://127.0.0.1:18181 -database-url "$DB" -points "$POINTS" | tail -n +2
		echo "== round $round: pg_eventserv beside $bin"
		"$BENCH" relay -target ws://127.0.0.1:17700/listen/bench -database-url "$DB" -points "$POINTS" | tail -n +3
		cleanup
	done
done
