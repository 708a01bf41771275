#!/usr/bin/env bash
# demo.sh BUILD_DIR: grade the simulated lab cluster (scenario "complete")
# with BUILD_DIR/labgrade, writing BUILD_DIR/demo/report.{xml,md,json}, and
# show the terminal view. Exits with labgrade's status.
set -u
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
out="$build/demo"
tmp=$(mktemp -d)
sim_pid=""

cleanup() {
	if [ -n "$sim_pid" ]; then
		kill -TERM "$sim_pid" 2>/dev/null
		wait "$sim_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$out"
"$build/labsim" --scenario "$src/fixtures/scenarios/complete" \
	--kubeconfig "$tmp/kubeconfig" >"$tmp/labsim.out" 2>"$tmp/labsim.err" &
sim_pid=$!
for _ in $(seq 1 300); do
	grep -q '^ready$' "$tmp/labsim.out" 2>/dev/null && break
	if ! kill -0 "$sim_pid" 2>/dev/null; then
		echo "demo: labsim exited early:" >&2
		cat "$tmp/labsim.err" >&2
		exit 3
	fi
	sleep 0.1
done
grep -q '^ready$' "$tmp/labsim.out" || {
	echo "demo: labsim did not become ready" >&2
	exit 3
}

echo "labsim: $(awk '$1 == "api" { print $2 }' "$tmp/labsim.out")"
"$build/labgrade" all --kubeconfig "$tmp/kubeconfig" \
	--rubric "$src/rubric.yaml" \
	--junit "$out/report.xml" --markdown "$out/report.md" \
	--json "$out/report.json"
status=$?
echo
echo "reports: $out/report.xml $out/report.md $out/report.json (exit $status)"
exit $status
