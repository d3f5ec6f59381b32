#!/usr/bin/env bash
# relaypair.sh: FamilyHub's fan-out beside pg_eventserv at the small points,
# fairly (docs/benchmarks.md, fifth round). Per round and build: one
# replica of the build and a fresh pg_eventserv per point (it does not
# survive the large points, or a killed listener), both on that build's
# own database; the replica is fed FamilyHub-shaped notices (`relay -target
# fh-notify`), then pg_eventserv is fed with the replica still up, so
# PostgreSQL wakes the same listening backends in both runs.
#
# Each BINARY gets a database of its own (fhc_relay_<pid>_<n>, made here
# and dropped on exit), migrated by that binary: a base build does not
# start on a database a newer build migrated (its schema check), so with
# one shared database (fhc_new, before) the base's second round failed.
#
#   cmd/familyhub-bench/relaypair.sh [-u postgres://postgres@127.0.0.1:25432] \
#       -e /tmp/pg_eventserv [-n 3] [-p 10x100,100x200,1000x50,1000x100,4000x20] [-d 10s] BINARY...
#
# -d is how long each point sends (relay -duration); a short one makes a
# smoke run. Each relay's CPU time per message delivered is read from
# /proc over the send and delivery window (relay -cpu-pid), and the load
# average is printed before each run: the machine may be shared.
#
# The 4,000-socket point needs 4,000+ descriptors in the replica and in
# pg_eventserv (both inherit this shell's ulimit -n; Go raises the soft
# limit to the hard one) and, for the load tool, twice that (it raises its
# own limit as far as it may).
set -euo pipefail
URL=postgres://postgres@127.0.0.1:25432
EVSERV=
ROUNDS=3
POINTS=10x100,100x200,1000x50,1000x100,4000x20
DURATION=10s
while getopts "u:e:n:p:d:" o; do
	case $o in
	u) URL=$OPTARG ;;
	e) EVSERV=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	p) POINTS=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -x "$EVSERV" ] && [ $# -gt 0 ] || { echo "usage: relaypair.sh -e PG_EVENTSERV [-n rounds] [-p points] [-d duration] BINARY..." >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/bin/familyhub-bench
(cd "$ROOT" && go build -o "$BENCH" ./cmd/familyhub-bench)
PSQL=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
OUT=$(mktemp -d)
PIDS=()
DBS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }
dropdbs() { for d in "${DBS[@]}"; do "$PSQL" "$URL/postgres" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" || true; done; }
trap 'cleanup; dropdbs; rm -rf "$OUT"' EXIT
# One database per binary, in the order given (dbname N is BINARY N's).
for i in $(seq $#); do
	d=fhc_relay_$$_$i
	"$PSQL" "$URL/postgres" -qc "CREATE DATABASE $d"
	DBS+=("$d")
done
# FAMILYHUB_REALTIME_MAX_PER_USER=0: the load tool opens up to thousands of sockets
# of one user (relay: one session), beyond the per-user default of 32.
for round in $(seq "$ROUNDS"); do
	i=0
	for bin in "$@"; do
		DB="$URL/${DBS[$i]}?sslmode=disable"
		i=$((i + 1))
		env DATABASE_URL="$DB" FAMILYHUB_ADDR=127.0.0.1:18181 FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8 FAMILYHUB_SIGNUP=open FAMILYHUB_REALTIME_MAX_PER_USER=0 \
			FAMILYHUB_LOG_LEVEL=warn FAMILYHUB_AUTO_CATEGORISE=false "$bin" serve >>"$OUT/replica.log" 2>&1 &
		FPID=$! # env execs the binary: its pid
		PIDS+=($!)
		ready=
		for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:18181/readyz && ready=1 && break; sleep 0.2; done
		[ -n "$ready" ] || { echo "relaypair.sh: $bin did not become ready on ${DB%%\?*}; its log:" >&2; tail -n 20 "$OUT/replica.log" >&2; exit 1; }
		# Each fh run signs a family up; many rounds pass the hourly sign-up limit.
		"$PSQL" "$DB" -qc "DELETE FROM auth_failures WHERE kind = 'signup'"
		echo "== round $round: $bin (fh-notify); load average $(cut -d' ' -f1-3 /proc/loadavg)"
		"$BENCH" relay -target fh-notify -url http://127.0.0.1:18181 -database-url "$DB" -points "$POINTS" -duration "$DURATION" -cpu-pid "$FPID" | tail -n +2
		echo "== round $round: pg_eventserv beside $bin; load average $(cut -d' ' -f1-3 /proc/loadavg)"
		# A fresh pg_eventserv for each point: one whose sockets closed
		# while notices flowed can hang for good (its relay, teivah/broadcast,
		# blocks on a departed listener's full channel under its read lock,
		# which that listener's Close waits for), and then delivers nothing
		# at every later point.
		for point in ${POINTS//,/ }; do
			ES_HTTPHOST=127.0.0.1 ES_HTTPPORT=17700 DATABASE_URL="$DB" "$EVSERV" >>"$OUT/pg_eventserv.log" 2>&1 &
			EPID=$!
			for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:17700/ && break; sleep 0.1; done
			"$BENCH" relay -target ws://127.0.0.1:17700/listen/bench -database-url "$DB" -points "$point" -duration "$DURATION" -cpu-pid "$EPID" | tail -n +3
			kill "$EPID"
			wait "$EPID" 2>/dev/null || true
		done
		cleanup
	done
done
