#!/usr/bin/env bash
# relaymodes.sh: does it matter to fan-out whether a family's sockets share
# one session and no device_id (the issue's setup), have a device_id each,
# or a session each? (docs/benchmarks.md, issue 20.) Counted figures: the
# replica's CPU time, write system calls and allocations per message
# delivered, per mode on a fresh replica fed FamilyHub-shaped notices
# (relay -target fh-notify). Run it under pgrun, which sets TEST_DATABASE_URL:
#
#   go run ./cmd/pgrun -- cmd/familyhub-bench/relaymodes.sh BINARY [ROUNDS] [POINT]
#
# ROUNDS (default 2) repeats the three modes in turn; POINT defaults to 1000x50.
set -euo pipefail
BIN=${1:?usage: relaymodes.sh BINARY [ROUNDS] [POINT]}
ROUNDS=${2:-2}
POINT=${3:-1000x50}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/bin/familyhub-bench
(cd "$ROOT" && go build -o "$BENCH" ./cmd/familyhub-bench)
PSQL=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
U=${TEST_DATABASE_URL:?run under pgrun}
U=${U%%\?*}
"$PSQL" "${U%/*}/postgres" -qc "CREATE DATABASE fh_relaymodes"
DB="${U%/*}/fh_relaymodes?sslmode=disable"
LOG=$(mktemp)
FPID=
trap '[ -n "$FPID" ] && kill "$FPID" 2>/dev/null; rm -f "$LOG"' EXIT
for round in $(seq "$ROUNDS"); do
	for mode in one devices sessions; do
		env DATABASE_URL="$DB" FAMILYHUB_ADDR=127.0.0.1:18281 FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8 FAMILYHUB_SIGNUP=open \
			FAMILYHUB_REALTIME_MAX_PER_USER=0 FAMILYHUB_LOG_LEVEL=warn FAMILYHUB_AUTO_CATEGORISE=false "$BIN" serve >>"$LOG" 2>&1 &
		FPID=$!
		ready=
		for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:18281/readyz && ready=1 && break; sleep 0.2; done
		[ -n "$ready" ] || { echo "relaymodes.sh: $BIN did not become ready; its log:" >&2; tail -n 20 "$LOG" >&2; exit 1; }
		"$PSQL" "$DB" -qc "DELETE FROM auth_failures WHERE kind = 'signup'" # one sign-up per run
		flag=
		case $mode in devices) flag=-distinct-devices ;; sessions) flag=-distinct-sessions ;; esac
		echo "== round $round: $mode; load average $(cut -d' ' -f1-3 /proc/loadavg)"
		"$BENCH" relay -target fh-notify -url http://127.0.0.1:18281 -database-url "$DB" -points "$POINT" -duration 10s -cpu-pid "$FPID" $flag | tail -n +2
		kill "$FPID"
		wait "$FPID" 2>/dev/null || true
		FPID=
	done
done
