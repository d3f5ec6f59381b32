#!/usr/bin/env bash
# compare.sh: the end-to-end, relay and idle-socket runs of docs/benchmarks.md,
# for this tree's build against a baseline build, on one durable PostgreSQL,
# in one run (so the ratios compare like with like on a shared machine).
#
#   cmd/familyhub-bench/compare.sh -u postgres://postgres@127.0.0.1:25432 \
#       -b /tmp/familyhub-base [-e /tmp/pg_eventserv] [-s relay,e2e,idle] [-o out/] \
#       [-r "100 300 600 1000 2000"] [-f 1000] [-n 2]
#
# -b: the baseline binary (e.g. `git worktree add /tmp/base main && cd /tmp/base
#     && go build -o /tmp/familyhub-base ./cmd/familyhub`).
# -e: a pg_eventserv binary for the relay comparison (optional; built from its
#     own repository, never vendored here).
# -r: end-to-end rates; -f: families; -n: relay rounds.
# Environment: AUTOS="true false" (auto-categorisation settings of the
# end-to-end step), BENCH_ARGS (more load-tool flags for that step, e.g.
# -client-ids=false as in the rounds before the ninth).
# The relay step runs, per round: new (an item INSERT per event, a durable
# commit), new-notify (the same replica fed FamilyHub-shaped notices from
# a transaction that only notifies, like the baseline's and pg_eventserv's
# senders: the fan-out alone), base, the minimal baseline relay, and
# pg_eventserv.
# Replicas listen on 127.0.0.1:18181-18182 (new) and 18191-18192 (base);
# databases fhc_new and fhc_base are created and reused. Everything started
# is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
URL=postgres://postgres@127.0.0.1:25432
BASE=
EVSERV=
STEPS=relay,e2e,idle
OUT=$(mktemp -d)
RATES="100 300 600 1000 2000"
FAMILIES=1000
ROUNDS=2
while getopts "u:b:e:s:o:r:f:n:" o; do
	case $o in
	u) URL=$OPTARG ;;
	b) BASE=$OPTARG ;;
	e) EVSERV=$OPTARG ;;
	s) STEPS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	r) RATES=$OPTARG ;;
	f) FAMILIES=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ -x "$BASE" ] || { echo "-b: baseline binary required" >&2; exit 2; }
mkdir -p "$OUT"
NEW=$ROOT/bin/familyhub
BENCH=$ROOT/bin/familyhub-bench
(cd "$ROOT" && go build -o "$NEW" ./cmd/familyhub && go build -o "$BENCH" ./cmd/familyhub-bench)
PSQL=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
for db in fhc_new fhc_base; do
	"$PSQL" "$URL/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
		"$PSQL" "$URL/postgres" -qc "CREATE DATABASE $db"
done
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# FAMILYHUB_REALTIME_MAX_PER_USER=0: the load tool opens up to thousands of sockets
# of one user (relay: one session), beyond the per-user default of 32.
start() { # binary db port [env...]
	local bin=$1 db=$2 port=$3
	shift 3
	env DATABASE_URL="$URL/$db?sslmode=disable" FAMILYHUB_ADDR=127.0.0.1:$port FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8 FAMILYHUB_REALTIME_MAX_PER_USER=0 \
		FAMILYHUB_SIGNUP=open FAMILYHUB_LOG_LEVEL=warn "$@" "$bin" serve >>"$OUT/replica-$port.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && return; sleep 0.2; done
	echo "replica on $port not ready" >&2
	exit 1
}
stop_all() { cleanup; PIDS=(); }

if [[ $STEPS == *relay* ]]; then
	# The relay inserts items from SQL, which the categoriser's sweep files
	# once a minute: up to a thousand updates at once, fanned out to every
	# socket, landing in whichever point runs then. Off: the relay measures
	# fan-out of its own events (the categoriser is measured end to end).
	start "$NEW" fhc_new 18181 FAMILYHUB_AUTO_CATEGORISE=false
	start "$BASE" fhc_base 18191 FAMILYHUB_AUTO_CATEGORISE=false
	if [ -n "$EVSERV" ]; then
		ES_HTTPHOST=127.0.0.1 ES_HTTPPORT=17700 DATABASE_URL="$URL/fhc_new?sslmode=disable" "$EVSERV" >>"$OUT/pg_eventserv.log" 2>&1 &
		PIDS+=($!)
		sleep 2
	fi
	for round in $(seq "$ROUNDS"); do
		for t in new new-notify base baseline ${EVSERV:+evserv}; do
			case $t in
			new) args=(-target fh -url http://127.0.0.1:18181 -database-url "$URL/fhc_new?sslmode=disable") ;;
			new-notify) args=(-target fh-notify -url http://127.0.0.1:18181 -database-url "$URL/fhc_new?sslmode=disable") ;;
			base) args=(-target fh -url http://127.0.0.1:18191 -database-url "$URL/fhc_base?sslmode=disable") ;;
			baseline) args=(-target baseline -database-url "$URL/fhc_new?sslmode=disable") ;;
			evserv) args=(-target ws://127.0.0.1:17700/listen/bench -database-url "$URL/fhc_new?sslmode=disable") ;;
			esac
			echo "== relay $t round $round" | tee -a "$OUT/relay.txt"
			"$BENCH" relay "${args[@]}" 2>&1 | tee -a "$OUT/relay.txt" || true
		done
	done
	for t in new base baseline ${EVSERV:+evserv}; do
		case $t in
		new) args=(-target fh -url http://127.0.0.1:18181 -database-url "$URL/fhc_new?sslmode=disable") ;;
		base) args=(-target fh -url http://127.0.0.1:18191 -database-url "$URL/fhc_base?sslmode=disable") ;;
		baseline) args=(-target baseline -database-url "$URL/fhc_new?sslmode=disable") ;;
		evserv) args=(-target ws://127.0.0.1:17700/listen/bench -database-url "$URL/fhc_new?sslmode=disable") ;;
		esac
		echo "== relay $t, listener killed halfway" | tee -a "$OUT/relay.txt"
		"$BENCH" relay "${args[@]}" -points 100x200,1000x50 -kill-listener 2>&1 | tee -a "$OUT/relay.txt" || true
	done
	stop_all
fi

if [[ $STEPS == *e2e* ]]; then
	for auto in ${AUTOS:-true false}; do
		start "$NEW" fhc_new 18181 FAMILYHUB_AUTO_CATEGORISE=$auto
		start "$NEW" fhc_new 18182 FAMILYHUB_AUTO_CATEGORISE=$auto
		start "$BASE" fhc_base 18191 FAMILYHUB_AUTO_CATEGORISE=$auto
		start "$BASE" fhc_base 18192 FAMILYHUB_AUTO_CATEGORISE=$auto
		for rate in $RATES; do
			for t in base new; do
				if [ $t = new ]; then urls=http://127.0.0.1:18181,http://127.0.0.1:18182; else urls=http://127.0.0.1:18191,http://127.0.0.1:18192; fi
				echo "== e2e $t auto_categorise=$auto rate=$rate" | tee -a "$OUT/e2e.txt"
				"$BENCH" -urls "$urls" -families "$FAMILIES" -devices 4 -rate "$rate" -duration 15s -drain 10s \
					-reuse "$OUT/families-$t.json" -json "$OUT/e2e-$t-$auto-$rate.json" ${BENCH_ARGS:-} 2>&1 | tee -a "$OUT/e2e.txt" || true
			done
		done
		stop_all
	done
fi

if [[ $STEPS == *idle* ]]; then
	for t in new base; do
		if [ $t = new ]; then start "$NEW" fhc_new 18181; else start "$BASE" fhc_base 18191; fi
		port=$([ $t = new ] && echo 18181 || echo 18191)
		echo "== idle $t: 10,000 sockets for 150 s" | tee -a "$OUT/idle.txt"
		"$BENCH" -urls "http://127.0.0.1:$port" -families 100 -devices 100 -rate 0 -duration 150s -sources 2 \
			-dial-concurrency 128 -reuse "$OUT/families-idle-$t.json" 2>&1 | tee -a "$OUT/idle.txt" || true
		stop_all
	done
fi
echo "results in $OUT"
