#!/usr/bin/env bash
# lib.sh: helpers for integration tests: start/stop labsim, assertions.
# Source it from a test_*.sh. Every labsim started here is stopped on exit.
set -u
LIB_TMP=$(mktemp -d)
LABSIM_PIDS=""
T_N=0
T_FAILS=0
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCENARIOS="$SRCDIR/fixtures/scenarios"

lib_cleanup() {
	local status=$? p
	# A script that died (set -u, a crash) must not end as a pass.
	if [ "$status" != 0 ]; then
		echo "not ok - the test script itself exited with $status"
		T_FAILS=$((T_FAILS + 1))
	fi
	for p in $LABSIM_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $LABSIM_PIDS; do
		# labsim must stop cleanly on SIGTERM (and be leak-free under ASan)
		wait "$p" 2>/dev/null
		local rc=$?
		if [ "$rc" != 0 ] && [ "$rc" != 143 ]; then
			echo "not ok - labsim (pid $p) exited with $rc on SIGTERM"
			cat "$LIB_TMP"/labsim.*.err 2>/dev/null | tail -40
			T_FAILS=$((T_FAILS + 1))
		fi
	done
	rm -rf "$LIB_TMP"
	if [ "$T_FAILS" != 0 ]; then
		echo "# $T_FAILS of $T_N assertions failed"
		exit 1
	fi
	echo "# $T_N assertions passed"
	exit 0
}
trap lib_cleanup EXIT

# start_labsim NAME [labsim args...]: starts labsim with a kubeconfig at
# $LIB_TMP/NAME.kubeconfig; sets KC (kubeconfig path), API (URL) and the
# array GATEWAYS ("ns/svc url" lines). Waits for "ready" (30 s at most).
# Every labsim is seeded (LABSIM_SEED, default 1; a later --seed in the
# arguments wins), so its random draws repeat from run to run.
start_labsim() {
	local name=$1
	shift
	KC="$LIB_TMP/$name.kubeconfig"
	local out="$LIB_TMP/labsim.$name.out" err="$LIB_TMP/labsim.$name.err"
	"$LABSIM" --kubeconfig "$KC" --seed "${LABSIM_SEED:-1}" "$@" >"$out" 2>"$err" &
	local pid=$!
	LABSIM_PIDS="$LABSIM_PIDS $pid"
	LABSIM_PID=$pid
	local i
	for i in $(seq 1 300); do
		if grep -q '^ready$' "$out" 2>/dev/null; then
			API=$(awk '$1 == "api" { print $2 }' "$out")
			mapfile -t GATEWAYS < <(awk '$1 == "gateway" { print $2, $3 }' "$out")
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "labsim exited early:"; cat "$err"
			return 1
		fi
		sleep 0.1
	done
	echo "labsim did not become ready in 30 s:"; cat "$err"
	return 1
}

# scenario NAME: the path of a scenario directory under fixtures/scenarios.
scenario() { echo "$SCENARIOS/$1"; }

# gateway_url NS/SVC: the URL labsim announced for that gateway Service.
gateway_url() {
	local g
	for g in "${GATEWAYS[@]}"; do
		[ "${g%% *}" = "$1" ] && { echo "${g#* }"; return 0; }
	done
	return 1
}

# kc ARGS...: the real kubectl against the current labsim, fresh cache.
kc() { kubectl --kubeconfig "$KC" --cache-dir "$LIB_TMP/kcache.$LABSIM_PID" "$@"; }

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAILS=$((T_FAILS + 1)); echo "not ok $T_N - $*"; }

# check DESC CMD...: passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"
	else not_ok "$1: expected '$2', got '$3'"; fi
}

# expect_contains DESC NEEDLE HAYSTACK
expect_contains() {
	case "$3" in
	*"$2"*) ok "$1" ;;
	*) not_ok "$1: '$2' not found in:"; printf '%s\n' "$3" | sed 's/^/    /' | head -40 ;;
	esac
}

# run_lg ARGS...: runs labgrade; sets LG_OUT (stdout), LG_ERR, LG_RC.
run_lg() {
	local o="$LIB_TMP/lg.out" e="$LIB_TMP/lg.err"
	NO_COLOR=1 LANG=C "$LABGRADE" "$@" >"$o" 2>"$e"
	LG_RC=$?
	LG_OUT=$(cat "$o")
	LG_ERR=$(cat "$e")
}
