#!/usr/bin/env bash
# idlemem.sh: what idle sockets cost a replica over time (docs/benchmarks.md,
# "Idle sockets"). For each LABEL=BINARY in turn: a fresh database, one
# replica, N idle WebSockets (the load tool, -rate 0: 100 families × N/100
# devices), held for DURATION seconds, sampled every INTERVAL seconds:
# resident memory and Go heap in use (/metrics), goroutines, and the live
# heap and heap goal of the last garbage collection (GODEBUG=gctrace=1 on
# the replica, so any build can be measured unchanged), with the number of
# collections so far. Per socket: (value - value before the first dial) / N.
#
#   go build -o /tmp/familyhub-base ./cmd/familyhub   # in a checkout of the base
#   go run ./cmd/pgrun -- cmd/familyhub-bench/idlemem.sh [-n 10000] [-d 300] [-i 30] \
#       [-o out/] base=/tmp/familyhub-base head=bin/familyhub
#
# pgrun's throwaway cluster is used (PGRUN_DATABASE_URL), else -u URL.
# Environment passed to every replica: REPLICA_ENV (e.g. "GOGC=50").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
URL=${PGRUN_DATABASE_URL:-}
N=10000
DURATION=300
INTERVAL=30
OUT=$(mktemp -d)
PORT=18171
while getopts "u:n:d:i:o:p:" o; do
	case $o in
	u) URL=$OPTARG ;;
	n) N=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	i) INTERVAL=$OPTARG ;;
	o) OUT=$OPTARG ;;
	p) PORT=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$URL" ] || { echo "no database: run under pgrun or pass -u" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: idlemem.sh [flags] LABEL=BINARY..." >&2; exit 2; }
URL=${URL%%\?*}
URL=${URL%/*}
mkdir -p "$OUT"
BENCH=$ROOT/bin/familyhub-bench
(cd "$ROOT" && go build -o "$BENCH" ./cmd/familyhub-bench)
PSQL=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# metric NAME: the sum of a /metrics series (labels ignored).
metric() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }' "$OUT/m"; }
# gclast: "live_MiB goal_MiB collections" of the replica's last gctrace line.
gclast() {
	grep -E '^gc [0-9]+ @' "$1" | tail -1 | sed -E 's/^gc ([0-9]+) .* [0-9]+->[0-9]+->([0-9]+) MB, ([0-9]+) MB goal.*/\2 \3 \1/' || true
}

for pair in "$@"; do
	label=${pair%%=*}
	bin=${pair#*=}
	db=fhidle_$label
	"$PSQL" "$URL/postgres" -qc "DROP DATABASE IF EXISTS $db" -qc "CREATE DATABASE $db"
	log=$OUT/replica-$label.log
	start_replica() {
		# shellcheck disable=SC2086
		env ${REPLICA_ENV:-} GODEBUG=gctrace=1 DATABASE_URL="$URL/$db?sslmode=disable" FAMILYHUB_ADDR=127.0.0.1:$PORT \
			FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8 FAMILYHUB_REALTIME_MAX_PER_USER=0 FAMILYHUB_SIGNUP=open FAMILYHUB_LOG_LEVEL=warn \
			"$bin" serve >"$log" 2>&1 &
		rp=$!
		PIDS+=("$rp")
		for _ in $(seq 150); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && return; sleep 0.2; done
		echo "$label: replica not ready" >&2
		exit 1
	}
	# The families sign up first (a password hash takes tens of MiB), then
	# the replica starts again: what it holds before the sockets is a
	# fresh replica's.
	start_replica
	"$BENCH" -urls "http://127.0.0.1:$PORT" -families 100 -devices 1 -rate 0 -duration 1s -reuse "$OUT/families-$label.json" \
		>"$OUT/signup-$label.txt" 2>&1
	kill "$rp"
	wait "$rp" 2>/dev/null || true
	start_replica
	sleep 5 # settle: the replica's first seconds (warm-up, first collections)
	# The load tool holds the sockets a little longer than the samples need.
	"$BENCH" -urls "http://127.0.0.1:$PORT" -families 100 -devices $((N / 100)) -rate 0 -duration $((DURATION + 20))s \
		-reuse "$OUT/families-$label.json" -sources 2 -dial-concurrency 128 >"$OUT/bench-$label.txt" 2>&1 &
	bp=$!
	PIDS+=("$bp")
	before=
	while :; do
		curl -fs "http://127.0.0.1:$PORT/metrics" >"$OUT/m"
		conns=$(metric familyhub_realtime_connections)
		if [ "$conns" -eq 0 ]; then
			before="$(metric process_resident_memory_bytes) $(metric go_memstats_heap_inuse_bytes) $(metric go_goroutines)"
		elif [ "$conns" -ge "$N" ]; then
			break
		fi
		kill -0 "$bp" 2>/dev/null || { echo "$label: load tool ended before $N sockets" >&2; cat "$OUT/bench-$label.txt" >&2; exit 1; }
		sleep 1
	done
	read -r rss0 heap0 gr0 <<<"$before"
	{
		echo "== $label ($bin), $N idle sockets, load average $(cut -d' ' -f1-3 /proc/loadavg)"
		printf "before sockets: RSS %.1f MiB, heap in use %.1f MiB, goroutines %d\n" "$(bc -l <<<"$rss0/1048576")" "$(bc -l <<<"$heap0/1048576")" "$gr0"
		echo "| s | RSS MiB | RSS KiB/socket | heap in use MiB | live heap MiB (last GC) | heap goal MiB | GCs | goroutines |"
		echo "|---|---|---|---|---|---|---|---|"
	} | tee -a "$OUT/idlemem.txt"
	for t in $(seq 0 "$INTERVAL" "$DURATION"); do
		start=$SECONDS
		curl -fs "http://127.0.0.1:$PORT/metrics" >"$OUT/m"
		rss=$(metric process_resident_memory_bytes)
		read -r live goal gcs <<<"$(gclast "$log")"
		printf "| %d | %.1f | %.1f | %.1f | %s | %s | %s | %d |\n" "$t" "$(bc -l <<<"$rss/1048576")" "$(bc -l <<<"($rss-$rss0)/$N/1024")" \
			"$(bc -l <<<"$(metric go_memstats_heap_inuse_bytes)/1048576")" "${live:-?}" "${goal:-?}" "${gcs:-0}" "$(metric go_goroutines)" | tee -a "$OUT/idlemem.txt"
		[ "$(metric familyhub_realtime_connections)" -ge "$N" ] || echo "   (sockets open: $(metric familyhub_realtime_connections))" | tee -a "$OUT/idlemem.txt"
		[ "$t" -lt "$DURATION" ] && sleep $((INTERVAL - (SECONDS - start) > 0 ? INTERVAL - (SECONDS - start) : 0))
	done
	kill "$bp" "$rp" 2>/dev/null || true
	wait "$bp" "$rp" 2>/dev/null || true
	PIDS=()
done
echo "results in $OUT"
