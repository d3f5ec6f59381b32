#!/usr/bin/env bash
# cpusplit.sh: where the CPU of a write goes, for docs/benchmarks.md ("CPU per
# write", "Where PostgreSQL's time goes"). Starts two replicas of BINARY on
# database DB (default fhp) of a durable PostgreSQL, opens 1,000 families × 4 sockets,
# writes at RATE/s for 20 s, and prints the cores used by PostgreSQL, the
# replicas and the load tool over 10 s of the write phase, and the totals of
# pg_stat_statements (calls, execution and planning time) when the
# extension is loaded.
#
#   cmd/familyhub-bench/cpusplit.sh [-u postgres://postgres@127.0.0.1:25432] [-d DB] BINARY RATE
#
# BENCH_ARGS in the environment adds load-tool flags (e.g. -client-ids=false).
# PORTS="18181 18182" in the environment chooses the replicas' ports (two).
#
# Give builds with different migrations each their own -d, so each runs on
# the schema it made.
#
# It also counts the database's committed transactions (pg_stat_database's
# xact_commit; PostgreSQL publishes a backend's counts within about a second,
# so the figure is ±1 s of commits) over the same 10 s, and with TOP=n prints
# the n statements that took most time, with their calls: counts per write
# are the calls over the adds' (ShoppingItemAddOne) calls, and are fine on a
# busy machine where the times are not.
#
# It prints the backends that LISTEN (by their last statement), River's
# statements (fetches, NOTIFYs), and with WAKEUPS=1 the listening backends'
# wake-ups counted with strace (below).
#
# Run the builds to compare alternately, on an otherwise idle machine.
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
RATE=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/bin/familyhub-bench
(cd "$ROOT" && go build -o "$BENCH" ./cmd/familyhub-bench)
OUT=$(mktemp -d)
PSQL=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
"$PSQL" "$URL/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 || "$PSQL" "$URL/postgres" -qc "CREATE DATABASE $DB"
stats=false
if "$PSQL" "$URL/$DB" -Atqc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null 2>&1; then
	stats=true
fi
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# FAMILYHUB_REALTIME_MAX_PER_USER=0: the load tool opens up to thousands of sockets
# of one user (relay: one session), beyond the per-user default of 32.
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$OUT"' EXIT
PORTS=${PORTS:-18181 18182}
URLS=
for port in $PORTS; do
	URLS=${URLS:+$URLS,}http://127.0.0.1:$port
	env DATABASE_URL="$URL/$DB?sslmode=disable" FAMILYHUB_ADDR=127.0.0.1:$port FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8 FAMILYHUB_REALTIME_MAX_PER_USER=0 \
		FAMILYHUB_SIGNUP=open FAMILYHUB_LOG_LEVEL=warn "$BIN" serve >>"$OUT/replica-$port.log" 2>&1 &
	PIDS+=($!)
done
for port in $PORTS; do
	for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.2; done
done
# A process that ends between pgrep and the read counts 0.
ticks() { local t=0 p v; for p in "$@"; do v=$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null) && t=$((t + ${v:-0})); done; echo "$t"; }
"$BENCH" -urls "$URLS" -families 1000 -devices 4 -rate "$RATE" -duration 20s -drain 10s \
	-reuse "${TMPDIR:-/tmp}/cpusplit-families-$DB.json" ${BENCH_ARGS:-} >"$OUT/bench.txt" 2>&1 &
bp=$!
for _ in $(seq 600); do grep -q "opened .* sockets" "$OUT/bench.txt" 2>/dev/null && break; sleep 0.5; done
sleep 4 # into the write phase
hz=$(getconf CLK_TCK)
# The statements' totals cover the same 10 s of the write phase as the CPU
# figures (not the sockets' opening and catch-up before it).
if $stats; then "$PSQL" "$URL/$DB" -Atqc "SELECT pg_stat_statements_reset()" >/dev/null; fi
xacts() { "$PSQL" "$URL/$DB" -Atqc "SELECT xact_commit FROM pg_stat_database WHERE datname = '$DB'"; }
# WAKEUPS=1 counts, with strace, the SIGUSR1s the listening backends receive
# over the window: PostgreSQL signals each for every notifying transaction it
# has not read yet, and each wake-up is a transaction of its own, which
# xact_commit misses while the backend runs no statement (it publishes its
# counts only then). Sinval catch-up also signals SIGUSR1 (rare here).
if [ "${WAKEUPS:-}" = 1 ]; then
	wargs=()
	"$PSQL" "$URL/$DB" -AtF ' ' -c "SELECT pid, application_name FROM pg_stat_activity WHERE datname = '$DB' AND (query ILIKE 'listen%' OR query = '-- ping')" >"$OUT/listeners.txt"
	while read -r p _; do wargs+=(-p "$p"); done <"$OUT/listeners.txt"
	if [ ${#wargs[@]} -gt 0 ]; then
		timeout -s INT 10 strace -qq -e trace=none -e signal=SIGUSR1 "${wargs[@]}" 2>"$OUT/wakeups.txt" &
		spid=$!
	fi
fi
a_x=$(xacts)
a_pg=$(ticks $(pgrep -u postgres postgres)); a_r=$(ticks "${PIDS[@]}"); a_b=$(ticks $bp)
sleep 5
# The backends that LISTEN, by their last statement (pg_stat_activity shows no
# more): LISTEN, or River's notifier's ping after 5 s without a notification
# of its own (an idle pool connection's ping looks the same; the pool is busy here).
"$PSQL" "$URL/$DB" -Atc "SELECT 'listening backends: ' || count(*) FILTER (WHERE query ILIKE 'listen%') || ' (last statement LISTEN: ' ||
	coalesce(string_agg(DISTINCT application_name, ', ') FILTER (WHERE query ILIKE 'listen%'), '') || '), ' ||
	count(*) FILTER (WHERE query = '-- ping') || ' more whose last statement is a ping (River''s notifier)'
	FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid()" >"$OUT/listening.txt"
sleep 5
b_pg=$(ticks $(pgrep -u postgres postgres)); b_r=$(ticks "${PIDS[@]}"); b_b=$(ticks $bp)
b_x=$(xacts)
if $stats; then
	"$PSQL" "$URL/$DB" -Atc "SELECT 'pg_stat_statements (the same 10 s): calls ' || sum(calls) || ', execution ' || round(sum(total_exec_time)::numeric) ||
		' ms, planning ' || round(sum(total_plan_time)::numeric) || ' ms' FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$DB')" >"$OUT/stmts.txt"
	# The statements that took most of it: calls, execution + planning ms, rows, the query's start.
	"$PSQL" "$URL/$DB" -AtF '  ' -c "SELECT calls, round((total_exec_time + total_plan_time)::numeric), rows, left(regexp_replace(query, '\s+', ' ', 'g'), 70)
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$DB') ORDER BY total_exec_time + total_plan_time DESC LIMIT ${TOP:-8}" >>"$OUT/stmts.txt"
	# The events captured and their announcements (pg_notify's calls are
	# counted only with pg_stat_statements.track = all).
	"$PSQL" "$URL/$DB" -AtF '  ' -c "SELECT 'calls: events ' || coalesce(sum(calls) FILTER (WHERE query ~ '^WITH c AS \\(\\s*UPDATE family_event_seq'), 0) ||
		', announcements (familyhub_notify_async) ' || coalesce(sum(calls) FILTER (WHERE query LIKE '%familyhub_notify_async(%'), 0) ||
		', NOTIFYs (pg_notify) ' || coalesce(sum(calls) FILTER (WHERE query LIKE '%pg_notify(%'), 0)
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$DB')" >>"$OUT/stmts.txt"
	# River's statements: all, its fetches (each a transaction), its NOTIFYs.
	"$PSQL" "$URL/$DB" -AtF '  ' -c "SELECT 'calls: River statements ' || coalesce(sum(calls) FILTER (WHERE query ~ 'river_'), 0) ||
		', of them fetches ' || coalesce(sum(calls) FILTER (WHERE query ~ 'WITH locked_jobs AS'), 0) ||
		', River NOTIFYs ' || coalesce(sum(calls) FILTER (WHERE query ~ 'topic_to_notify' OR (query ~ 'pg_notify' AND query ~ 'river_')), 0)
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$DB')" >>"$OUT/stmts.txt"
fi
wait $bp || true
# strace's output is complete once it has exited (it may outlast the window by
# the statements above).
if [ -n "${spid:-}" ]; then wait "$spid" || true; fi
awk -v pg=$((b_pg - a_pg)) -v r=$((b_r - a_r)) -v b=$((b_b - a_b)) -v hz="$hz" \
	'BEGIN { printf "10 s of CPU (cores): postgres %.2f  replicas %.2f  load tool %.2f\n", pg/hz/10, r/hz/10, b/hz/10 }'
echo "transactions committed (the same 10 s): $((b_x - a_x - 1))" # less the first read's own
grep -E "^(writes|write→delivery|deliveries):" "$OUT/bench.txt" || tail -5 "$OUT/bench.txt"
sed -n '/^timeline/,$p' "$OUT/bench.txt" # BENCH_ARGS=-timeline
cat "$OUT/listening.txt" "$OUT/stmts.txt" 2>/dev/null || true
if [ -s "$OUT/wakeups.txt" ]; then
	echo "wake-ups (SIGUSR1) of the listening backends, the same 10 s: $(grep -c 'SIGUSR1' "$OUT/wakeups.txt")"
	while read -r p app; do # strace prefixes [pid N] when it traces several
		n=$(grep -c "SIGUSR1" "$OUT/wakeups.txt")
		[ "$(wc -l <"$OUT/listeners.txt")" -gt 1 ] && n=$(grep -c "^\[pid *$p\] .*SIGUSR1" "$OUT/wakeups.txt")
		echo "  backend $p ($app): $n"
	done <"$OUT/listeners.txt"
fi
