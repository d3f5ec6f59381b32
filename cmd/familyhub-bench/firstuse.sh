#!/usr/bin/env bash
# firstuse.sh: what a PostgreSQL backend's FIRST add and tick cost beside
# its second, with no warm-up, with the eighteenth round's (statements
# prepared only) and with db.Warm's first execution rolled back
# (db/warm_exec.go), counted rather than timed, for docs/benchmarks.md
# ("Nineteenth round, first use, counted").
#
# A throwaway cluster is migrated by BINARY and seeded with one family (a
# member, a list with an item, a task); then one backend (single-user mode,
# under valgrind) runs a script per variant, and a cost is the difference
# of two scripts' instruction counts (each script starts the backend
# anew, so start-up cancels out):
#
#   E        nothing (the backend's start)
#   P        the settings and the 11 hot statements prepared (PREPARE, as
#            pgx's Parse: types inferred), as the eighteenth round's Warm
#   W        P, then the warm-up of db/warm_exec.go in SQL: a family, member,
#            list and task of its own, SET CONSTRAINTS ALL IMMEDIATE, the add,
#            tick, edit, completion and the reads, ROLLBACK
#   X+add1   X, then an add of the seeded family as txOne sends it (the
#            generic-plan settings, ShoppingItemAddOne with the client's id
#            and auto-categorisation, COMMIT); X+add2 two of them
#   X+tick1  likewise a tick (ShoppingItemTick), X+tick2 a tick and an untick
#   C+add1   only the add's two statements prepared, then the add: a cold
#            connection's first add (pgx prepares on first use)
#
# Counting instructions is deterministic to about 0.1 % of a run (a few
# 10,000 of a start's ~40 million): good for the first use's cost, not
# for a second add's exact figure (pgcost.sh counts that over 200).
#
#   cmd/familyhub-bench/firstuse.sh BINARY
#
# Needs valgrind, the PostgreSQL server binaries and root (the cluster
# runs as the postgres user).
set -euo pipefail
[ $# = 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
BIN=$(realpath "$1")
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DBSQLC=$(dirname "$0")/../../db/dbsqlc
WORK=$(mktemp -d)
chown postgres "$WORK"
trap 'su postgres -c "$BINDIR/pg_ctl -D $WORK/data -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
PORT=$((20000 + RANDOM % 10000))
as_pg() { su postgres -c "$1"; }

# stmt FILE NAME: a dbsqlc statement's text without its comment lines, on
# one line (single-user mode ends a command at a newline).
stmt() {
	awk -v n="$2" '$0 ~ "^const " n " = `" { on = 1; next } on && /^`/ { exit } on && !/^[[:space:]]*--/ { print }' \
		"$DBSQLC/$1.sql.go" | tr '\n' ' '
	echo ";"
}
F=00000000-0000-4000-a000-000000000001 # the seeded family, its list, item, task, member
L=00000000-0000-4000-b000-000000000001
I=00000000-0000-4000-c000-000000000001
T=00000000-0000-4000-d000-000000000001
U=00000000-0000-4000-8000-000000000001
WF=00000000-0000-4000-a000-0000000000ff # the warm-up's own (rolled back)
WL=00000000-0000-4000-b000-0000000000ff
WT=00000000-0000-4000-d000-0000000000ff
WI=00000000-0000-4000-c000-0000000000ff
WU=00000000-0000-4000-8000-0000000000ff
ROOM=9000 # db.shoppingItemsRoomBelow: MaxShoppingItemsPerList - shoppingItemsMargin

settings() { echo "PREPARE settings(text, text) AS SELECT set_config('familyhub.actor_id', \$1, true), set_config('familyhub.device_id', \$2, true), set_config('familyhub.announce', 'after_commit', true), set_config('plan_cache_mode', 'force_generic_plan', true);"; }
addone() { echo "PREPARE addone AS $(stmt shopping shoppingItemAddOne)"; }
prepared() { # P
	settings
	addone
	echo "PREPARE tick AS $(stmt shopping shoppingItemTick)"
	echo "PREPARE edit AS $(stmt shopping shoppingItemEdit)"
	echo "PREPARE complete AS $(stmt tasks taskCompleteOne)"
	echo "PREPARE since AS $(stmt realtime eventLogListSince)"
	echo "PREPARE seqget AS $(stmt realtime familySeqGet)"
	echo "PREPARE auth AS $(stmt sessions sessionAuthenticate)"
	echo "PREPARE lists AS $(stmt shopping shoppingListList)"
	echo "PREPARE list AS $(stmt shopping shoppingListGet)"
	echo "PREPARE items AS $(stmt shopping shoppingItemListByList)"
	echo "PREPARE cats AS $(stmt shopping shoppingCategoryList)"
}
warmup() { # db/warm_exec.go's steps, in its order
	echo "BEGIN;"
	echo "EXECUTE settings('$WU', 'warm-up');"
	echo "SET CONSTRAINTS ALL IMMEDIATE;"
	echo "INSERT INTO families (id, name) VALUES ('$WF', 'familyhub warm-up');"
	echo "INSERT INTO users (id, email, password_hash, display_name) VALUES ('$WU', 'warm-up-$WU@invalid', 'x', 'warm-up');"
	echo "INSERT INTO memberships (family_id, user_id, role) VALUES ('$WF', '$WU', 'member');"
	echo "INSERT INTO shopping_lists (id, family_id, name) VALUES ('$WL', '$WF', 'warm-up');"
	echo "INSERT INTO tasks (id, family_id, title) VALUES ('$WT', '$WF', 'warm-up');"
	echo "EXECUTE addone('$WI', 'milk', NULL, NULL, NULL, '$WL', '$WF', $ROOM, '\\x00', true, 'dairy', 'other');"
	echo "EXECUTE tick(true, '$WU', '$WI', '$WF', NULL);"
	echo "EXECUTE edit(true, '2', false, NULL, NULL, NULL, 1, '$WI', '$WF', NULL);"
	echo "EXECUTE complete('$WU', '$WT', '$WF', NULL, true);"
	echo "EXECUTE since('$WF', 0, 10);"
	echo "SET LOCAL plan_cache_mode = DEFAULT;"
	echo "EXECUTE seqget('$WF');"
	echo "EXECUTE auth('\\x00');"
	echo "EXECUTE lists('$WF');"
	echo "EXECUTE list('$WL', '$WF');"
	echo "EXECUTE items('$WL', '$WF');"
	echo "EXECUTE cats('$WF');"
	echo "ROLLBACK;"
}
add() { # n: the seeded family's n-th add
	echo "BEGIN;"
	echo "EXECUTE settings('$U', 'phone');"
	echo "EXECUTE addone('00000000-0000-4000-e000-00000000000$1', 'milk $1', NULL, NULL, NULL, '$L', '$F', $ROOM, '\\x00', true, 'dairy', 'other');"
	echo "COMMIT;"
}
tick() { # n: odd ticks, even unticks the seeded item
	local c=true
	[ $(($1 % 2)) = 1 ] || c=false
	echo "BEGIN;"
	echo "EXECUTE settings('$U', 'phone');"
	echo "EXECUTE tick($c, '$U', '$I', '$F', NULL);"
	echo "COMMIT;"
}
echo "SELECT 1;" >"$WORK/E.sql"
prepared >"$WORK/P.sql"
{ prepared; warmup; } >"$WORK/W.sql"
for x in P W; do
	for k in add tick; do
		{ cat "$WORK/$x.sql"; $k 1; } >"$WORK/$x+${k}1.sql"
		{ cat "$WORK/$x.sql"; $k 1; $k 2; } >"$WORK/$x+${k}2.sql"
	done
done
{ settings; addone; add 1; } >"$WORK/C+add1.sql"
{ settings; echo "PREPARE tick AS $(stmt shopping shoppingItemTick)"; tick 1; } >"$WORK/C+tick1.sql"
chmod 644 "$WORK"/*.sql

as_pg "$BINDIR/initdb -D $WORK/data -A trust -U postgres" >/dev/null
as_pg "$BINDIR/pg_ctl -D $WORK/data -l $WORK/log -o '-p $PORT -k $WORK -c listen_addresses=127.0.0.1' -w start" >/dev/null
url=postgres://postgres@127.0.0.1:$PORT
"$BINDIR/psql" "$url/postgres" -qc "CREATE DATABASE fhfirst"
DATABASE_URL="$url/fhfirst?sslmode=disable" "$BIN" migrate >/dev/null 2>&1
"$BINDIR/psql" "$url/fhfirst" -q -v ON_ERROR_STOP=1 -c "INSERT INTO families (id, name) VALUES ('$F', 'F');
	INSERT INTO users (id, email, password_hash, display_name) VALUES ('$U', 'first@example.org', 'x', 'First');
	INSERT INTO memberships (family_id, user_id, role) VALUES ('$F', '$U', 'member');
	INSERT INTO shopping_lists (id, family_id, name) VALUES ('$L', '$F', 'L');
	INSERT INTO shopping_items (id, family_id, list_id, name) VALUES ('$I', '$F', '$L', 'bread');
	INSERT INTO tasks (id, family_id, title) VALUES ('$T', '$F', 'Bins out');" -c "VACUUM"
as_pg "$BINDIR/pg_ctl -D $WORK/data -w stop" >/dev/null

declare -A N
for s in E P W C+add1 C+tick1 P+add1 P+add2 P+tick1 P+tick2 W+add1 W+add2 W+tick1 W+tick2; do
	# Each from the same seeded cluster: a copy, so no run sees another's rows.
	rm -rf "$WORK/run" && cp -a "$WORK/data" "$WORK/run"
	N[$s]=$(as_pg "valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null $BINDIR/postgres --single -D $WORK/run -c fsync=off fhfirst <'$WORK/$s.sql'" 2>&1 >"$WORK/$s.out" |
		awk '/I +refs/ { gsub(",", "", $NF); print $NF }')
	if grep -q ERROR "$WORK/$s.out"; then
		echo "$s: a statement failed:" >&2
		grep -m3 ERROR "$WORK/$s.out" >&2
		exit 1
	fi
done
d() { echo $(((N[$1] - N[$2]) / 1000)); }
echo "instructions (thousands), one backend:"
echo "  prepare the 11 hot statements and the settings (P - E):      $(d P E)"
echo "  the warm-up's execution, rolled back (W - P):                $(d W P)"
for k in add tick; do
	echo "  $k: first on a cold backend, preparing its two statements (C+${k}1 - E): $(d C+${k}1 E)"
	echo "  $k: first after preparing (P+${k}1 - P):                    $(d P+${k}1 P)"
	echo "  $k: second after preparing (P+${k}2 - P+${k}1):             $(d P+${k}2 P+${k}1)"
	echo "  $k: first after the warm-up (W+${k}1 - W):                  $(d W+${k}1 W)"
	echo "  $k: second after the warm-up (W+${k}2 - W+${k}1):           $(d W+${k}2 W+${k}1)"
done
