#!/usr/bin/env bash
# run.sh: runs every tests/integration/test_*.sh; each prints "ok N - name" /
# "not ok N - name" lines (TAP-like) and exits non-zero on any failure.
# Needs LABGRADE and LABSIM (paths to the binaries) in the environment.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${LABGRADE:?set LABGRADE}" "${LABSIM:?set LABSIM}"
export LABGRADE LABSIM
pass=0 fail=0 failed=""
for t in "$here"/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log=$(mktemp)
	if timeout 600 bash "$t" >"$log" 2>&1; then
		n=$(grep -c '^ok ' "$log")
		echo "  PASS    $name ($n assertions)"
		pass=$((pass + 1))
	else
		echo "  FAIL    $name"
		sed 's/^/    | /' "$log"
		fail=$((fail + 1))
		failed="$failed $name"
	fi
	rm -f "$log"
done
echo "integration: $pass passed, $fail failed"
[ "$fail" = 0 ]
