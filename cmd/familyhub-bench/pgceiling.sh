#!/usr/bin/env bash
# pgceiling.sh: the durable-commit ceiling of one PostgreSQL, for
# docs/benchmarks.md. pgbench runs one-row INSERT transactions against:
#
#   plain        a plain table
#   notify       the same plus pg_notify in the transaction
#   fh-<name>    shopping_items with FamilyHub's triggers, 32 families, as
#                migrated by the familyhub binary <name>=<path> (e.g. the
#                baseline build and this tree's build), written as psql
#                would (the trigger notifies inside the transaction)
#   fh-<name>-app  the same written as the application does after migration
#                00013 (familyhub.announce = after_commit, then the notice
#                sent by familyhub_notify_async); skipped for binaries
#                without that migration
#
# and reports tps, WAL flushes per commit (pg_stat_wal.wal_sync), WAL
# records per commit and, when the server runs on this machine and its data
# directory is readable (root), PostgreSQL's CPU per pgbench transaction:
# every server process's user and system time over the run (the
# postmaster's own, its live children's and, through its cutime/cstime,
# the backends that ended), so backends, WAL writer and checkpointer alike;
# per client count, each repeated -r times. At 1 client that is the CPU a
# write costs PostgreSQL without group commit's help.
#
#   cmd/familyhub-bench/pgceiling.sh -u postgres://postgres@127.0.0.1:25432 \
#       -b base=/tmp/familyhub-base -b new=bin/familyhub [-c "1 8 32"] [-t 10] [-r 3] [-s]
#
# -s starts each FamilyHub database as a pruned one is after its first
# week: 80,000 events written, the older half deleted (as the daily prune
# job does) and the table vacuumed, so that new events fill freed pages
# (migration 00045: event_log's BRIN index then wrote a record per event).
#
# The server must be durable (fsync on, synchronous_commit on: the
# defaults) and otherwise idle. Creates and drops databases pgc_*.
set -euo pipefail

URL=postgres://postgres@127.0.0.1:25432
CLIENTS="1 8 32"
SECS=10
REPEAT=3
STEADY=
declare -a BINS=()
while getopts "u:b:c:t:r:s" o; do
	case $o in
	u) URL=$OPTARG ;;
	b) BINS+=("$OPTARG") ;;
	c) CLIENTS=$OPTARG ;;
	t) SECS=$OPTARG ;;
	r) REPEAT=$OPTARG ;;
	s) STEADY=1 ;;
	*) exit 2 ;;
	esac
done
BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
q() { "$BINDIR/psql" "$URL/$1" -Atqc "$2"; }

q postgres "SHOW fsync" | grep -q on || { echo "fsync is off: not a durable server" >&2; exit 1; }
DATADIR=$(q postgres "SHOW data_directory")
TCK=$(getconf CLK_TCK)
# pgcpu: the server's CPU time so far in clock ticks, or nothing when its
# processes cannot be read from here.
pgcpu() {
	local pm
	pm=$(head -1 "$DATADIR/postmaster.pid" 2>/dev/null) || return 0
	[ -r "/proc/$pm/stat" ] || return 0
	# After the ")" of comm: state is field 1, ppid 2, utime 12, stime 13,
	# cutime 14, cstime 15.
	for f in /proc/[0-9]*/stat; do
		sed 's/^.*) //' "$f" 2>/dev/null || true # a process may end meanwhile
	done | awk -v pm="$pm" -v self="$(sed 's/^.*) //' "/proc/$pm/stat")" '
		$2 == pm { t += $12 + $13 }
		END { split(self, x, " "); print t + x[12] + x[13] + x[14] + x[15] }'
}

setup_plain() {
	q postgres "DROP DATABASE IF EXISTS pgc_plain" >/dev/null
	q postgres "CREATE DATABASE pgc_plain" >/dev/null
	q pgc_plain "CREATE TABLE t (id bigserial PRIMARY KEY, family int NOT NULL, v text NOT NULL)"
	printf '\\set f random(1, 32)\nINSERT INTO t (family, v) VALUES (:f, '"'"'x'"'"');\n' >"$WORK/plain.sql"
	printf '\\set f random(1, 32)\nBEGIN;\nINSERT INTO t (family, v) VALUES (:f, '"'"'x'"'"');\nSELECT pg_notify('"'"'bench'"'"', :f::text);\nCOMMIT;\n' >"$WORK/notify.sql"
}

setup_fh() { # name binary
	local db=pgc_$1
	q postgres "DROP DATABASE IF EXISTS $db" >/dev/null
	q postgres "CREATE DATABASE $db" >/dev/null
	DATABASE_URL="$URL/$db?sslmode=disable" "$2" migrate >/dev/null 2>&1
	q "$db" "CREATE TABLE bench_fam (n int PRIMARY KEY, family_id uuid, list_id uuid);
		INSERT INTO families (name) SELECT 'f' || g FROM generate_series(1, 32) g;
		INSERT INTO bench_fam SELECT row_number() OVER (), id, gen_random_uuid() FROM families;
		INSERT INTO shopping_lists (id, family_id, name) SELECT list_id, family_id, 'L' FROM bench_fam;"
	if [ -n "$STEADY" ]; then
		q "$db" "INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
			SELECT (SELECT family_id FROM bench_fam WHERE n = 1), 1000000000 + g, 'TASK_UPDATED', 'familyhub_tasks',
			       gen_random_uuid(), 'insert', now() - CASE WHEN g <= 40000 THEN interval '8 days' ELSE interval '6 days' END
			FROM generate_series(1, 80000) g;
			DELETE FROM event_log WHERE at < now() - interval '7 days';"
		q "$db" "VACUUM event_log"
	fi
	printf '\\set f random(1, 32)\nINSERT INTO shopping_items (family_id, list_id, name) SELECT family_id, list_id, '"'"'milk'"'"' FROM bench_fam WHERE n = :f;\n' >"$WORK/$1.sql"
	if q "$db" "SELECT 1 FROM pg_proc WHERE proname = 'familyhub_notify_async'" | grep -q 1; then
		printf '\\set f random(1, 32)\nBEGIN;\nSELECT set_config('"'"'familyhub.announce'"'"', '"'"'after_commit'"'"', true);\nINSERT INTO shopping_items (family_id, list_id, name) SELECT family_id, list_id, '"'"'milk'"'"' FROM bench_fam WHERE n = :f;\nCOMMIT;\nSELECT familyhub_notify_async(ARRAY['"'"'familyhub_shopping'"'"'], ARRAY[:f::text]);\n' >"$WORK/$1-app.sql"
	fi
}

run() { # label db script clients
	local before after out tps txs cpu0 cpu1
	before=$(q "$2" "SELECT s.wal_sync, s.wal_records, d.xact_commit FROM pg_stat_wal s, pg_stat_database d WHERE d.datname = current_database()")
	cpu0=$(pgcpu)
	out=$("$BINDIR/pgbench" -n -c "$4" -j "$(( $4 < 2 ? 1 : 2 ))" -T "$SECS" -f "$3" "$URL/$2" 2>/dev/null)
	tps=$(awk '/^tps/ {printf "%.0f", $3}' <<<"$out")
	txs=$(awk '/actually processed/ {print $NF}' <<<"$out")
	sleep 1 # let the statistics collector catch up, and the postmaster reap pgbench's backends
	cpu1=$(pgcpu)
	after=$(q "$2" "SELECT s.wal_sync, s.wal_records, d.xact_commit FROM pg_stat_wal s, pg_stat_database d WHERE d.datname = current_database()")
	awk -v b="$before" -v a="$after" -v l="$1" -v c="$4" -v t="$tps" -v tx="${txs:-0}" -v c0="${cpu0:-}" -v c1="${cpu1:-}" -v hz="$TCK" 'BEGIN {
		split(b, x, "|"); split(a, y, "|"); n = y[3] - x[3]; if (n < 1) n = 1
		cpu = (c0 != "" && c1 != "" && tx > 0) ? sprintf(" pg_cpu_us/tx=%.0f", (c1 - c0) / hz * 1e6 / tx) : ""
		printf "%-14s clients=%-3s tps=%-6s wal_flushes/commit=%.2f wal_records/commit=%.1f%s\n", l, c, t, (y[1]-x[1])/n, (y[2]-x[2])/n, cpu }'
}

setup_plain
declare -a CASES=("plain pgc_plain $WORK/plain.sql" "notify pgc_plain $WORK/notify.sql")
for b in "${BINS[@]}"; do
	name=${b%%=*}
	setup_fh "$name" "${b#*=}"
	CASES+=("fh-$name pgc_$name $WORK/$name.sql")
	[ -f "$WORK/$name-app.sql" ] && CASES+=("fh-$name-app pgc_$name $WORK/$name-app.sql")
done
for ((r = 1; r <= REPEAT; r++)); do
	echo "# round $r"
	for c in $CLIENTS; do
		for cs in "${CASES[@]}"; do
			# shellcheck disable=SC2086
			run $cs "$c"
		done
	done
done
