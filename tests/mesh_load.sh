#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mesh_load.sh: a figure, not a test: 200 concurrent gateway requests, each
# delayed 7 s by a fault, should all finish in about 7 s (labsim holds no
# thread per delayed request). Prints the wall time, the per-request time
# distribution, the status codes and labsim's thread count meanwhile.
# Usage: bash tests/mesh_load.sh [BUILD_DIR] (CONC=200 DELAY_S=7 to vary)
set -u
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$SRCDIR/$BUILD ;; esac
LABSIM=$BUILD/labsim
CONC=${CONC:-200}
TMP=$(mktemp -d)
PID=""

cleanup() {
	local rc
	if [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; then
		wait "$PID" 2>/dev/null
		rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 143 ] ||
			{ echo "mesh_load: labsim exited with $rc"; tail -20 "$TMP/err"; }
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$LABSIM" ] || { echo "mesh_load: $LABSIM not built"; exit 1; }
command -v kubectl >/dev/null || { echo "mesh_load: kubectl not found"; exit 1; }

echo "== $CONC concurrent gateway requests, each delayed 7 s"
"$LABSIM" --kubeconfig "$TMP/kc" --time-scale 1 \
	--scenario "$SRCDIR/fixtures/scenarios/complete" \
	--scenario "$SRCDIR/fixtures/scenarios/parts/03-istio-ingressgateway.yaml" \
	>"$TMP/out" 2>"$TMP/err" &
PID=$!
for i in $(seq 1 300); do
	grep -q '^ready$' "$TMP/out" 2>/dev/null && break
	sleep 0.1
done
GW=$(awk '$1 == "gateway" && $2 == "istio-system/istio-ingressgateway" { print $3 }' "$TMP/out")
[ -n "$GW" ] || { echo "mesh_load: no istio-ingressgateway URL"; cat "$TMP/err"; exit 1; }
kubectl --kubeconfig "$TMP/kc" --cache-dir "$TMP/kcache" apply -n bookinfo \
	-f "$SRCDIR/tests/data/mesh/productpage-delay-7s.yaml" >/dev/null || exit 1

# one request first: the delay is in effect
one=$(curl -s -m 30 -o /dev/null -w '%{http_code} %{time_total}' "$GW/productpage")
echo "one request alone: $one (code, seconds)"

idle=$(awk '/^Threads:/ { print $2 }' "/proc/$PID/status" 2>/dev/null)
args=()
for i in $(seq 1 "$CONC"); do args+=(-o /dev/null "$GW/productpage"); done
t0=${EPOCHREALTIME/,/.}
curl -s --no-progress-meter -m 60 --parallel --parallel-immediate \
	--parallel-max "$CONC" -w '%{http_code} %{time_total}\n' \
	"${args[@]}" >"$TMP/times" &
cpid=$!
sleep 3.5
threads=$(awk '/^Threads:/ { print $2 }' "/proc/$PID/status" 2>/dev/null)
conns=$(ss -Htn state established "( sport = :${GW##*:} )" 2>/dev/null | wc -l)
wait "$cpid"
t1=${EPOCHREALTIME/,/.}

python3 - "$t0" "$t1" "$TMP/times" "$CONC" "${threads:-?}" "$conns" "${idle:-?}" <<'EOF'
import sys
t0, t1, path, conc = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
codes, times = {}, []
for line in open(path):
    c, t = line.split()
    codes[c] = codes.get(c, 0) + 1
    times.append(float(t))
times.sort()
def q(p):
    return times[min(len(times) - 1, int(p * len(times)))] if times else float("nan")
print("requests %d of %d answered; codes %s" % (len(times), conc,
      ", ".join("%s x%d" % kv for kv in sorted(codes.items()))))
print("wall time for all: %.2f s (each delayed 7 s)" % (t1 - t0))
print("per request (s): min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f"
      % (q(0), q(0.5), q(0.9), q(0.99), times[-1] if times else float("nan")))
print("labsim threads 3.5 s into the wait: %s with %s gateway connections"
      " open (%s before the load)" % (sys.argv[5], sys.argv[6], sys.argv[7]))
EOF
exit 0
