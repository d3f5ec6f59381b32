#!/bin/sh
# The presence refresh with and without the index on replica (00044,
# docs/benchmarks.md "Presence refresh index"):
#   go build -o /tmp/familyhub ./cmd/familyhub
#   SCENARIOS="10000:1 10000:0.25 100000:1 100000:0.25 100000:0.05" \
#     go run ./cmd/pgrun -- cmd/familyhub-bench/presrefresh/run.sh /tmp/familyhub
# Each scenario ROWS:LIVE_SHARE migrates nothing again: it refills
# notify_device_presence (setup.sql), drops or makes the index, runs the
# refresh of each of the 4 live replicas 3 times (refresh.sql) and the
# presence upsert of 1,000 devices 3 times (upsert.sql) and the rewind's
# lowering of one family before and after and the read that puts back lost
# rows (rewind.sql), printing EXPLAIN
# (ANALYZE, BUFFERS) and the table's updated / HOT-updated rows.
set -e
BIN=$1
# The queries measured are the server's, as sqlc generated them from
# queries/notify.sql: prepared first in each psql session (querytext).
PREP=$(mktemp); trap 'rm -f "$PREP"' EXIT
go run ./cmd/familyhub-bench/presrefresh/querytext NotifyPresenceRefresh NotifyPresenceUpsert NotifyPresenceRewind NotifyPresenceLiveRows NotifyPresenceLiveRowsAll >"$PREP"
cd "$(dirname "$0")"
U=$TEST_DATABASE_URL
psql "$U" -qc "CREATE DATABASE presbench" 
DB=$(echo "$U" | sed 's#/postgres?#/presbench?#')
DATABASE_URL=$DB $BIN migrate >/dev/null 2>&1
for sc in $SCENARIOS; do
  n=${sc%:*}; share=${sc#*:}; set -- $n $share
  for idx in none replica; do
    echo "=== n=$1 live_share=$2 index=$idx"
    psql "$DB" -q -v ON_ERROR_STOP=1 -v n=$1 -v live_share=$2 -f setup.sql
    if [ $idx = replica ]; then psql "$DB" -qc "CREATE INDEX IF NOT EXISTS notify_device_presence_replica_idx ON notify_device_presence (replica); ANALYZE notify_device_presence"; else psql "$DB" -qc "DROP INDEX IF EXISTS notify_device_presence_replica_idx"; fi
    psql "$DB" -qc "SELECT pg_stat_reset_single_table_counters('notify_device_presence'::regclass)" >/dev/null
    for due in "65 s" "70 s" "75 s"; do psql "$DB" -q -v ON_ERROR_STOP=1 -v due="$due" -f "$PREP" -f refresh.sql; done
    sleep 1; psql "$DB" -qc "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'notify_device_presence'"
    for r in 1 2 3; do psql "$DB" -q -v ON_ERROR_STOP=1 -f "$PREP" -f upsert.sql; done
    psql "$DB" -q -v ON_ERROR_STOP=1 -f "$PREP" -f rewind.sql
  done
done
