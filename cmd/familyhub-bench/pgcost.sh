#!/usr/bin/env bash
# pgcost.sh: what a write costs PostgreSQL, counted rather than timed, for
# docs/benchmarks.md ("Sixth round"). For each binary, a throwaway cluster
# is migrated by it and seeded with 32 families, then one PostgreSQL backend
# (single-user mode, under valgrind) runs N transactions as the application
# writes them: BEGIN, the transaction's settings, its prepared statements,
# COMMIT. add: an item added with the client's id (the id claimed, the
# categories read for the name, the item inserted, filed); tick: an item
# ticked or unticked; complete: a task completed, then reopened in the next
# transaction (TaskComplete, TaskUncomplete); event: a calendar event's
# title changed through REST (CalendarEventUpdate); addone and tickone: an
# add and a tick as the application sends them today, one statement in a
# transaction of its own (db/txone.go: the settings with the generic plan,
# then ShoppingItemAddOne with the client's id and auto-categorisation on,
# or ShoppingItemTick ticking, then unticking in the next transaction);
# editone: a quantity patch as one statement (ShoppingItemEdit where dbsqlc
# has it, else ShoppingItemUpdate); insert: pgceiling.sh's one-row INSERT
# into shopping_items as the application announces it (after_commit), with
# every trigger; plain: pgceiling.sh's one-row INSERT into a plain table
# (bigserial key, int, text), the yardstick of issue 20.
# It prints the CPU instructions per transaction (the difference
# between a run of 250 and one of 50, so start-up and preparing cancel out).
# Counting instructions is deterministic to about 0.1 % and does not depend
# on what else the machine is doing; it does not see waits (WAL flushes,
# locks) or what the client and the kernel spend.
#
#   cmd/familyhub-bench/pgcost.sh [-k add|tick|complete|event|addone|tickone|editone|insert|plain] [-n ITEMS] [-p DIR] [-w] NAME=BINARY[@SQL]...
#
# -n ITEMS seeds each family's list with ITEMS items (default 1), to count
# what grows with a list's length.
# -p DIR also writes a callgrind profile of each binary's 250 transactions
# to DIR/NAME-KIND.callgrind (read it with callgrind_annotate --inclusive=yes).
# -w also counts the WAL each transaction writes: 250 more transactions sent
# by psql to the cluster (autovacuum off), read back with pg_waldump
# --stats=record: records and bytes per transaction, by kind of record,
# full-page images apart (a page's first change after a checkpoint).
# NAME=BINARY@SQL runs the file SQL with psql after seeding, before the
# counts: a schema change counted without building a binary for it.
# The statements sent are read from db/dbsqlc/shopping.sql.go of this
# tree (PGCOST_DBSQLC names another file), or from BINARY.sql.go when that
# file exists: copy the tree's db/dbsqlc/shopping.sql.go beside each
# binary built, and base and head of a statement change are counted in
# one invocation.
#
# Needs valgrind and the PostgreSQL server binaries (pg_ctl, postgres),
# and root (the cluster runs as the postgres user).
set -euo pipefail
KIND=add
PROFILE=
ITEMS=1
WAL=
while getopts "k:n:p:w" o; do
	case $o in
	k) KIND=$OPTARG ;;
	n) ITEMS=$OPTARG ;;
	p) PROFILE=$(cd "$OPTARG" && pwd) ;;
	w) WAL=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-k add|tick|complete|event|addone|tickone|editone|insert|plain] [-n ITEMS] [-p DIR] [-w] NAME=BINARY[@SQL]..." >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d)
chown postgres "$WORK"
trap 'su postgres -c "$BINDIR/pg_ctl -D $WORK/data -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
PORT=$((20000 + RANDOM % 10000))
as_pg() { su postgres -c "$1"; }

# fid k n: the bench's fixed ids (a: family n, b: its list, c: its item),
# so that scripts can name them.
fid() { printf '00000000-0000-4000-%s000-%012d' "$1" "$2"; }
# stmt NAME: a dbsqlc statement's text without its comment lines, on one
# line, ending in ";".
stmt() {
	awk -v n="$1" '$0 ~ "^const " n " = `" { on = 1; next } on && /^`/ { exit } on && !/^[[:space:]]*--/ { print }' \
		"$DBSQLC" | tr '\n' ' '
	echo ";"
}

declare -A FIELDS
# statements: TICK, EDIT and FIELDS from $DBSQLC (the binary's statements).
statements() {
	# The tick: ShoppingItemTick where dbsqlc has it, else (before it was
	# written) ShoppingItemUpdate; a quantity patch likewise ShoppingItemEdit.
	TICK=ShoppingItemUpdate
	if grep -q '^const shoppingItemTick = ' "$DBSQLC"; then
		TICK=ShoppingItemTick
	fi
	EDIT=ShoppingItemUpdate
	if grep -q '^const shoppingItemEdit = ' "$DBSQLC"; then
		EDIT=ShoppingItemEdit
	fi

	# args NAME type|value: the parameters of dbsqlc's NAME in the order of
	# its Params struct (sqlc numbers them by first use), as the PREPARE's
	# types or as an EXECUTE's values (from i, id, f, g and c of the script's
	# loop): an add of "milk $i" with the client's id and auto-categorisation
	# on, filed by the dictionary; a tick ($c) by the bench's user.
	# Each statement's fields are read once, here: an awk per call (args runs
	# in a subshell, so it cannot fill a cache itself) made writing the
	# scripts take minutes on a busy machine.
	for n in ShoppingItemAddOne $TICK $EDIT; do
		FIELDS[$n]=$(awk -v n="$n" '$0 ~ "^type " n "Params struct" { on = 1; next } on && /^}/ { exit } on { print $1 }' \
			"$DBSQLC")
	done
}
args() {
	local sep= field t v
	for field in ${FIELDS[$1]}; do
		case $1.$field in
		ShoppingItemAddOne.ListID) t=uuid v="'$(fid b "$f")'" ;;
		ShoppingItemAddOne.FamilyID) t=uuid v="'$(fid a "$f")'" ;;
		ShoppingItemAddOne.RoomBelow) t=int v=9000 ;;
		ShoppingItemAddOne.ID) t=uuid v="'$id'" ;;
		ShoppingItemAddOne.RequestHash) t=bytea v="'\\x00'" ;;
		ShoppingItemAddOne.Auto) t=boolean v=true ;;
		ShoppingItemAddOne.Name) t=text v="'milk $i'" ;;
		ShoppingItemAddOne.Dictionary) t=text v="'dairy'" ;;
		ShoppingItemAddOne.Fallback) t=text v="'other'" ;;
		*.Checked) t=boolean v=$c ;;
		*.QuantitySet) t=boolean v=$qs ;;
		*.Quantity) t=text v=$q ;;
		*.Actor) t=uuid v="'00000000-0000-4000-8000-000000000001'" ;;
		ShoppingItemUpdate.ID | ShoppingItemTick.ID | ShoppingItemEdit.ID) t=uuid v="'$(fid c "$g")'" ;;
		ShoppingItemUpdate.FamilyID | ShoppingItemTick.FamilyID | ShoppingItemEdit.FamilyID) t=uuid v="'$(fid a "$g")'" ;;
		*Set) t=boolean v=false ;;
		*ID) t=uuid v=NULL ;;
		*.Position) t=integer v=NULL ;;
		*.IfVersion) t=bigint v=NULL ;;
		*) t=text v=NULL ;;
		esac
		if [ "$2" = type ]; then printf '%s%s' "$sep" "$t"; else printf '%s%s' "$sep" "$v"; fi
		sep=", "
	done
}

script() { # n run: the run's number keeps its ids apart from the other run's
	local i=0 f=1 g=1 c=false qs=false q=NULL id= # set by the loop, for args
	echo "PREPARE settings(text) AS SELECT set_config('familyhub.announce', 'after_commit', true), set_config('familyhub.actor_id', \$1, true);"
	# The one-statement writes (db/txone.go): their settings, and the
	# statements' text as dbsqlc has it (queries/shopping.sql).
	echo "PREPARE settings1(text) AS SELECT set_config('familyhub.actor_id', \$1, true), set_config('familyhub.device_id', 'phone', true), set_config('familyhub.announce', 'after_commit', true), set_config('plan_cache_mode', 'force_generic_plan', true);"
	echo "PREPARE addone($(args ShoppingItemAddOne type)) AS $(stmt shoppingItemAddOne)"
	echo "PREPARE tickone($(args $TICK type)) AS $(stmt "$(echo "${TICK:0:1}" | tr A-Z a-z)${TICK:1}")"
	echo "PREPARE editone($(args $EDIT type)) AS $(stmt "$(echo "${EDIT:0:1}" | tr A-Z a-z)${EDIT:1}")"
	# pgceiling.sh's two inserts: shopping_items with its triggers, a plain table.
	echo "PREPARE ins(int) AS INSERT INTO shopping_items (family_id, list_id, name) SELECT family_id, list_id, 'milk' FROM bench_fam WHERE n = \$1;"
	echo "PREPARE plain(int) AS INSERT INTO bench_plain (family, v) VALUES (\$1, 'x');"
	# An add as the app makes it (db.Tx.ShoppingItemAdd with the client's id):
	# claim the id, read the categories for the name, insert the item filed.
	echo "PREPARE claim(uuid, int) AS INSERT INTO client_creates (id, family_id, kind, request_hash, result_ids) SELECT \$1, family_id, 'shopping-item', '\\x00', ARRAY[\$1] FROM bench_fam WHERE n = \$2 ON CONFLICT (id) DO NOTHING RETURNING id;"
	echo "PREPARE cats(int, text) AS SELECT count(*) FROM (SELECT c.id, c.name, (m.category_id IS NOT NULL) AS learned FROM shopping_categories c LEFT JOIN shopping_category_memory m ON m.family_id = c.family_id AND m.category_id = c.id AND m.name_key = familyhub_shopping_name_key(\$2) WHERE c.family_id = (SELECT family_id FROM bench_fam WHERE n = \$1)) c;"
	echo "PREPARE add(uuid, int, text) AS INSERT INTO shopping_items (id, family_id, list_id, name, category_id, category_source, position) SELECT \$1, b.family_id, b.list_id, \$3, b.category_id, 'auto', coalesce((SELECT max(i.position) + 1 FROM shopping_items i WHERE i.list_id = b.list_id), 0) FROM bench_fam b WHERE n = \$2 RETURNING *;"
	echo "PREPARE tick(int) AS UPDATE shopping_items SET checked = NOT checked, checked_at = CASE WHEN checked THEN NULL ELSE now() END, checked_by = CASE WHEN checked THEN NULL ELSE '00000000-0000-4000-8000-000000000001'::uuid END WHERE id = (SELECT item_id FROM bench_fam WHERE n = \$1) RETURNING *;"
	# A task completed and reopened as queries/tasks.sql writes it
	# (TaskComplete, TaskUncomplete).
	echo "PREPARE complete(int, uuid) AS UPDATE tasks SET completed_at = coalesce(completed_at, now()), completed_by = CASE WHEN completed_at IS NULL THEN \$2 ELSE completed_by END WHERE id = (SELECT task_id FROM bench_fam WHERE n = \$1) AND family_id = (SELECT family_id FROM bench_fam WHERE n = \$1) AND recurrence IS NULL RETURNING *;"
	echo "PREPARE reopen(int) AS UPDATE tasks SET completed_at = NULL, completed_by = NULL WHERE id = (SELECT task_id FROM bench_fam WHERE n = \$1) AND family_id = (SELECT family_id FROM bench_fam WHERE n = \$1) AND recurrence IS NULL RETURNING *;"
	# An event's title changed through REST, as queries/calendar.sql writes
	# it (CalendarEventUpdate with interchange false: the SEQUENCE goes up).
	echo "PREPARE event(int, text) AS UPDATE calendar_events SET title = \$2, notes = '', location = '', starts_at = '2026-12-24 18:00+00', ends_at = '2026-12-24 20:00+00', all_day = false, rrule = NULL, exdates = '{}'::timestamptz[], sequence = CASE WHEN false THEN NULL::integer ELSE sequence + 1 END, ical = CASE WHEN false THEN NULL ELSE ical END, source_etag = CASE WHEN false THEN NULL ELSE source_etag END WHERE id = (SELECT event_id FROM bench_fam WHERE n = \$1) AND family_id = (SELECT family_id FROM bench_fam WHERE n = \$1) RETURNING *;"
	for i in $(seq "$1"); do
		id=$(printf '00000000-0000-4000-8%03d-%012d' "$2" "$i")
		f=$((i % 32 + 1))
		echo "BEGIN;"
		if [ "$KIND" = addone ]; then
			echo "EXECUTE settings1('00000000-0000-4000-8000-000000000001');"
			echo "EXECUTE addone($(args ShoppingItemAddOne value));"
			echo "COMMIT;"
			continue
		elif [ "$KIND" = tickone ]; then
			# Odd: the item of family (i+1)/2 ticked; even: unticked.
			g=$(((i - 1) / 2 % 32 + 1))
			c=false
			[ $((i % 2)) = 1 ] && c=true
			echo "EXECUTE settings1('00000000-0000-4000-8000-000000000001');"
			echo "EXECUTE tickone($(args $TICK value));"
			echo "COMMIT;"
			continue
		elif [ "$KIND" = plain ]; then
			echo "EXECUTE plain($f);"
			echo "COMMIT;"
			continue
		elif [ "$KIND" = insert ]; then
			echo "EXECUTE settings1('00000000-0000-4000-8000-000000000001');"
			echo "EXECUTE ins($f);"
			echo "COMMIT;"
			continue
		elif [ "$KIND" = editone ]; then
			# The quantity of family f's item, a new one each time.
			g=$f c=NULL qs=true q="'$2.$i'"
			echo "EXECUTE settings1('00000000-0000-4000-8000-000000000001');"
			echo "EXECUTE editone($(args $EDIT value));"
			echo "COMMIT;"
			continue
		fi
		echo "EXECUTE settings('00000000-0000-4000-8000-000000000001');"
		if [ "$KIND" = add ]; then
			echo "EXECUTE claim('$id', $f);"
			echo "EXECUTE cats($f, 'milk $i');"
			echo "EXECUTE add('$id', $f, 'milk $i');"
		elif [ "$KIND" = complete ]; then
			# Odd: the task of family (i+1)/2 completed; even: reopened. Both
			# runs have an even count, so every task is open between them.
			g=$(((i - 1) / 2 % 32 + 1))
			if [ $((i % 2)) = 1 ]; then
				echo "EXECUTE complete($g, '00000000-0000-4000-8000-000000000001');"
			else
				echo "EXECUTE reopen($g);"
			fi
		elif [ "$KIND" = event ]; then
			echo "EXECUTE event($f, 'Dentist $2.$i');"
		else
			echo "EXECUTE tick($f);"
		fi
		echo "COMMIT;"
	done
}
scripts() {
	script 50 1 >"$WORK/s50.sql"
	script 250 2 >"$WORK/s250.sql"
	# The profile runs after both counts on the same cluster: ids of its own, or
	# every add of it would fail on an id the count already inserted.
	script 250 3 >"$WORK/s250p.sql"
	# The WAL count runs last, ids of its own too.
	script 250 4 >"$WORK/s250w.sql"
	chmod 644 "$WORK"/*.sql
}

count() { # script → instructions
	as_pg "valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null $BINDIR/postgres --single -D $WORK/data -c fsync=off fhcost <$1" 2>&1 >/dev/null |
		awk '/I +refs/ { gsub(",", "", $NF); print $NF }'
}

for b in "$@"; do
	name=${b%%=*}
	bin=${b#*=}
	extra=
	case $bin in *@*) extra=${bin#*@} bin=${bin%%@*} ;; esac
	# The statements sent are the binary's own when its dbsqlc was copied
	# beside it (BINARY.sql.go), so that base and head of a statement
	# change are counted in one invocation.
	DBSQLC=${PGCOST_DBSQLC:-$HERE/../../db/dbsqlc/shopping.sql.go}
	[ ! -f "$bin.sql.go" ] || DBSQLC=$bin.sql.go
	statements
	scripts
	rm -rf "$WORK/data"
	as_pg "$BINDIR/initdb -D $WORK/data -A trust -U postgres" >/dev/null
	as_pg "$BINDIR/pg_ctl -D $WORK/data -l $WORK/log -o '-p $PORT -k $WORK -c listen_addresses=127.0.0.1' -w start" >/dev/null
	url=postgres://postgres@127.0.0.1:$PORT
	"$BINDIR/psql" "$url/postgres" -qc "CREATE DATABASE fhcost"
	DATABASE_URL="$url/fhcost?sslmode=disable" "$bin" migrate >/dev/null 2>&1
	"$BINDIR/psql" "$url/fhcost" -qc "CREATE TABLE bench_fam (n int PRIMARY KEY, family_id uuid, list_id uuid, item_id uuid);
		CREATE TABLE bench_plain (id bigserial PRIMARY KEY, family int NOT NULL, v text NOT NULL);
		INSERT INTO families (id, name) SELECT format('00000000-0000-4000-a000-%s', lpad(g::text, 12, '0'))::uuid, 'f' || g FROM generate_series(1, 32) g;
		INSERT INTO bench_fam SELECT g, format('00000000-0000-4000-a000-%s', lpad(g::text, 12, '0'))::uuid, format('00000000-0000-4000-b000-%s', lpad(g::text, 12, '0'))::uuid, format('00000000-0000-4000-c000-%s', lpad(g::text, 12, '0'))::uuid FROM generate_series(1, 32) g;
		INSERT INTO shopping_lists (id, family_id, name) SELECT list_id, family_id, 'L' FROM bench_fam;
		INSERT INTO shopping_items (id, family_id, list_id, name) SELECT item_id, family_id, list_id, 'bread' FROM bench_fam;
		INSERT INTO shopping_items (family_id, list_id, name, position) SELECT family_id, list_id, 'bread ' || g, g FROM bench_fam, generate_series(1, $ITEMS - 1) g;
		ALTER TABLE bench_fam ADD COLUMN category_id uuid;
		UPDATE bench_fam b SET category_id = (SELECT min(c.id::text)::uuid FROM shopping_categories c WHERE c.family_id = b.family_id);
		INSERT INTO users (id, email, password_hash, display_name) VALUES ('00000000-0000-4000-8000-000000000001', 'cost@example.org', 'x', 'Cost');
		ALTER TABLE bench_fam ADD COLUMN task_id uuid, ADD COLUMN event_id uuid;
		UPDATE bench_fam SET task_id = gen_random_uuid(), event_id = gen_random_uuid();
		INSERT INTO tasks (id, family_id, title) SELECT task_id, family_id, 'Bins out' FROM bench_fam;
		INSERT INTO calendar_events (id, family_id, title, starts_at, ends_at) SELECT event_id, family_id, 'Dentist', '2026-12-24 18:00+00', '2026-12-24 20:00+00' FROM bench_fam;"
	# Seeded rows (items, their events) read for the first time would cost the first count alone
	# (hint bits): set them now, as on a list in use.
	[ -z "$extra" ] || "$BINDIR/psql" "$url/fhcost" -q -v ON_ERROR_STOP=1 -f "$extra" >/dev/null
	[ "$ITEMS" = 1 ] || "$BINDIR/psql" "$url/fhcost" -qc "VACUUM"
	as_pg "$BINDIR/pg_ctl -D $WORK/data -w stop" >/dev/null
	a=$(count "$WORK/s50.sql")
	z=$(count "$WORK/s250.sql")
	echo "$name $KIND ($ITEMS items a list): $(((z - a) / 200)) instructions per transaction"
	if [ -n "$PROFILE" ]; then
		as_pg "valgrind --tool=callgrind --callgrind-out-file=$WORK/profile $BINDIR/postgres --single -D $WORK/data -c fsync=off fhcost <$WORK/s250p.sql" >/dev/null 2>&1
		cp "$WORK/profile" "$PROFILE/$name-$KIND.callgrind"
	fi
	if [ -n "$WAL" ]; then
		as_pg "$BINDIR/pg_ctl -D $WORK/data -l $WORK/log -o '-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c autovacuum=off' -w start" >/dev/null
		start=$("$BINDIR/psql" "$url/fhcost" -Atc "SELECT pg_current_wal_insert_lsn()")
		"$BINDIR/psql" "$url/fhcost" -q -o /dev/null -f "$WORK/s250w.sql" >/dev/null 2>&1
		end=$("$BINDIR/psql" "$url/fhcost" -Atc "SELECT pg_current_wal_flush_lsn()")
		as_pg "$BINDIR/pg_ctl -D $WORK/data -w stop" >/dev/null
		# Per transaction: records, their bytes, full-page images' bytes.
		"$BINDIR/pg_waldump" -p "$WORK/data/pg_wal" -s "$start" -e "$end" --stats=record 2>/dev/null |
			awk -v n="$name" '$2 ~ /^[0-9]+$/ && $2 > 0 && $1 != "Total" {
				gsub(/[()]/, " "); split($0, f, " +")
				printf "%s   %-28s %6.2f records %8.1f bytes %8.1f FPI bytes\n", n, $1, $2 / 250, $4 / 250, $6 / 250 }
			$1 == "Total" { printf "%s WAL per transaction: %.2f records, %.0f bytes and %.0f bytes of full-page images\n", n, $2 / 250, $3 / 250, $5 / 250 }'
	fi
done
