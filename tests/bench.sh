#!/usr/bin/env bash
# bench.sh: labgrade's figures against labsim (`make bench`): wall time of
# `labgrade all` against the 6 s floor, static reads against separate
# kubectl calls, the split test's requests against a fixed sample, and peak
# memory. Figures, not pass/fail: it exits 0 unless it cannot run at all.
# Usage: bash tests/bench.sh [BUILD_DIR]
set -u
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$SRCDIR/$BUILD ;; esac
LABGRADE=$BUILD/labgrade
LABSIM=$BUILD/labsim
MANIFESTS=$SRCDIR/fixtures/manifests
SCENARIOS=$SRCDIR/fixtures/scenarios
FLOOR=6.0 # productpage's 3 s timeout x 2 tries: the slowest wait a grade needs
RUNS=${BENCH_RUNS:-3}
TMP=$(mktemp -d)
PIDS=""

cleanup() {
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

for b in "$LABGRADE" "$LABSIM"; do
	[ -x "$b" ] || { echo "bench: $b not built (run make first)"; exit 1; }
done
command -v kubectl >/dev/null || echo "bench: kubectl not found (kubectl figures skipped)"

# start_sim NAME SCENARIO: labsim on a scenario; sets KC and NAME.
start_sim() {
	NAME=$1
	KC=$TMP/$NAME.kubeconfig
	"$LABSIM" --kubeconfig "$KC" --scenario "$SCENARIOS/$2" \
		>"$TMP/$NAME.out" 2>"$TMP/$NAME.err" &
	PIDS="$PIDS $!"
	local i
	for i in $(seq 1 300); do
		grep -q '^ready$' "$TMP/$NAME.out" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: labsim ($2) did not start"; cat "$TMP/$NAME.err"
	return 1
}

kc() { kubectl --kubeconfig "$KC" --cache-dir "$TMP/kcache.$NAME" "$@"; }
lg() { NO_COLOR=1 LANG=C "$LABGRADE" --kubeconfig "$KC" --lang en "$@"; }

# now: seconds since the epoch, microseconds (bash 5's EPOCHREALTIME).
now() { echo "${EPOCHREALTIME/,/.}"; }
calc() { python3 -c "print($*)"; }
fmt() { python3 -c "print('%.3f' % ($*))"; }

# time_runs N CMD...: runs CMD N times; prints the median wall seconds.
time_runs() {
	local n=$1 i t0 t1 all=""
	shift
	for i in $(seq 1 "$n"); do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		all="$all $(calc "$t1 - $t0")"
	done
	python3 -c 'import statistics, sys
print("%.3f" % statistics.median(float(x) for x in sys.argv[1:]))' $all
}

# peak_kib CMD...: the child's maximum resident set size in KiB.
peak_kib() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$@" 2>&1 >/dev/null |
			awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
	else
		python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
	fi
}

# apply FILE...: lab step manifests into bookinfo (missing files skipped).
# APPLY_NS: the namespace (default bookinfo; empty: the context's, as the
# lab applies httpbin without -n).
apply() {
	local f ns=${APPLY_NS-bookinfo}
	for f in "$@"; do
		[ -e "$MANIFESTS/$f" ] || { echo "  (no $f: step skipped)"; continue; }
		kc apply ${ns:+-n "$ns"} -f "$MANIFESTS/$f" >/dev/null 2>&1 ||
			echo "  (kubectl apply $f failed)"
	done
}

# step ID FILE...: apply a lab step, then grade it (the journal records it).
step() {
	local id=$1 line
	shift
	apply "$@"
	if ! "$LABGRADE" list 2>/dev/null | grep -q "^$id "; then
		echo "  step $id: no such check yet"
		return
	fi
	line=$(lg check "$id" 2>/dev/null | grep -E "^[a-z]+ +$id ")
	echo "  step $id: ${line:-no verdict}"
}

# mem_split CMD...: at the child's largest RSS (sampled every 5 ms from
# /proc/PID/smaps_rollup), what is its own (private: heap, stacks, written
# library data) and what is shared library pages, which a batch of
# concurrent runs holds once.
mem_split() {
	python3 - "$@" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
best = None
while p.poll() is None:
    try:
        lines = open("/proc/%d/smaps_rollup" % p.pid).read().splitlines()[1:]
    except OSError:
        break
    d = {l.split(":")[0]: int(l.split()[1]) for l in lines if "kB" in l}
    if d and (best is None or d["Rss"] > best["Rss"]):
        best = d
    time.sleep(0.005)
if best:
    priv = best["Private_Clean"] + best["Private_Dirty"]
    print("rss %d KiB = private %d KiB (anonymous %d) + shared %d KiB"
          % (best["Rss"], priv, best["Anonymous"], best["Rss"] - priv))
else:
    print("not measured")
PY
}

echo "== 1. labgrade all against the ${FLOOR} s floor"
if start_sim fault fault-injection; then
	t=$(time_runs "$RUNS" lg all)
	echo "fault-injection step in effect (the ~6 s delay live): median of $RUNS: $t s, $(fmt "$t / $FLOOR") x the floor"
fi
if start_sim done complete; then
	echo "the completed lab, built step by step (each step graded once, so the journal holds it):"
	step request-routing destination-rule-all.yaml virtual-service-all-v1.yaml
	step request-routing virtual-service-reviews-test-v2.yaml
	step fault-injection virtual-service-ratings-test-delay.yaml
	step traffic-shifting virtual-service-all-v1.yaml virtual-service-reviews-50-v3.yaml
	step traffic-shifting virtual-service-reviews-v3.yaml
	step circuit-breaking destination-rule-reviews-circuit-breaker.yaml
	step mirroring virtual-service-reviews-mirror.yaml
	APPLY_NS= step ingress-gateway httpbin.yaml httpbin-gateway-api.yaml
	lg all >"$TMP/all.out" 2>&1
	echo "  labgrade all then says:"
	grep -E '^(pass|fail|error|skip|Total)' "$TMP/all.out" | sed 's/^/    /'
	t=$(time_runs "$RUNS" lg all)
	echo "completed lab: median of $RUNS: $t s, $(fmt "$t / $FLOOR") x the floor"
	echo "peak memory of labgrade all: $(peak_kib "$LABGRADE" --kubeconfig "$KC" all) KiB (budget 8192 KiB)"
	echo "  at that peak: $(mem_split "$LABGRADE" --kubeconfig "$KC" all)"
fi

echo
echo "== 2. static reads: one labgrade process vs separate kubectl calls"
if start_sim static complete; then
	# what istio-install and sidecar-injection read (checks/*.c): istiod,
	# five CRDs, the namespace, its Deployments and its Pods
	reads=(
		"get deployment istiod -n istio-system"
		"get crd virtualservices.networking.istio.io"
		"get crd destinationrules.networking.istio.io"
		"get crd gateways.networking.istio.io"
		"get crd gateways.gateway.networking.k8s.io"
		"get crd httproutes.gateway.networking.k8s.io"
		"get namespace bookinfo"
		"get deployments -n bookinfo"
		"get pods -n bookinfo"
	)
	t_lg=$(time_runs 5 lg check sidecar-injection --no-journal)
	echo "labgrade check sidecar-injection (+ istio-install), one process, ${#reads[@]} reads + 2 for the fingerprint: $t_lg s"
	if command -v kubectl >/dev/null; then
		kc get ns >/dev/null 2>&1 # warm kubectl's discovery cache: its best case
		all_kc() {
			local r
			for r in "${reads[@]}"; do kc $r -o json >/dev/null 2>&1; done
		}
		t_kc=$(time_runs 3 all_kc)
		echo "the same ${#reads[@]} reads as separate kubectl get calls (warm cache): $t_kc s"
		echo "kubectl / labgrade: $(fmt "$t_kc / $t_lg") x"
	fi
fi

echo
echo "== 3. traffic-shifting split: sequential test vs fixed sample"
cat >"$TMP/sprt.c" <<'EOF'
/* The expected requests of the split test and of a fixed-sample test with
 * the same error rates (rubric defaults unless given). */
#include <stdio.h>
#include <stdlib.h>
#include "harness/stats.h"

int main(int argc, char **argv)
{
	double p0 = argc > 1 ? strtod(argv[1], NULL) : 0.5;
	double d = argc > 2 ? strtod(argv[2], NULL) : 0.3;
	double a = argc > 3 ? strtod(argv[3], NULL) : 0.001;
	double b = argc > 4 ? strtod(argv[4], NULL) : 0.01;
	struct lg_sprt s;
	struct lg_sprt_oc at_h0, at_h1;
	struct lg_error err = {0};

	if (lg_sprt_init(&s, p0, d, a, b, 0, &err) != LG_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	lg_sprt_oc(&s, p0, &at_h0);
	lg_sprt_oc(&s, p0 + d, &at_h1);
	printf("%u %.1f %.1f %.5f %.5f %u\n",
	       lg_fixed_sample_size(p0, d, a, b), at_h0.asn, at_h1.asn,
	       at_h0.p_reject, at_h1.p_accept, s.n_max);
	return 0;
}
EOF
if cc -std=c11 -D_GNU_SOURCE -O2 -I"$SRCDIR" -o "$TMP/sprt" "$TMP/sprt.c" \
	"$SRCDIR/harness/stats.c" "$SRCDIR/harness/xalloc.c" \
	"$SRCDIR/harness/buf.c" -lm 2>"$TMP/cc.err"; then
	read -r fixed asn0 asn1 pr pa cap < <("$TMP/sprt")
	echo "fixed-sample test (alpha 0.001, beta 0.01, 50/50 +- 30 %): $fixed requests"
	echo "sequential test, expected requests: $asn0 on a true 50/50 ($(fmt "$asn0 / $fixed") x fixed), $asn1 at 80/20 ($(fmt "$asn1 / $fixed") x fixed); cap $cap"
	echo "its exact error rates: P(fail | 50/50) = $pr, P(pass | 80/20) = $pa"
else
	echo "cannot build the SPRT calculator:"; cat "$TMP/cc.err"
fi
if "$LABGRADE" list 2>/dev/null | grep -q '^traffic-shifting ' &&
	start_sim split traffic-shifting-50; then
	ns=""
	for i in $(seq 1 10); do
		lg check traffic-shifting --no-journal --json "$TMP/ts.json" \
			>/dev/null 2>&1
		n=$(python3 -c 'import json, re, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["id"] != "traffic-shifting":
        continue
    for line in r["evidence"] + [a.get("observed") or "" for a in r["assertions"]]:
        m = re.search(r"after (\d+) requests", line)
        if m:
            print(m.group(1)); sys.exit(0)' "$TMP/ts.json")
		ns="$ns ${n:-}"
	done
	if [ -n "${ns// /}" ]; then
		mean=$(python3 -c 'import sys; v = [int(x) for x in sys.argv[1:]]
print("%.1f" % (sum(v) / len(v)))' $ns)
		echo "labgrade check traffic-shifting on a 50/50 split, 10 runs: requests$ns; mean $mean${fixed:+ ($(fmt "$mean / $fixed") x fixed)}"
	else
		echo "labgrade check traffic-shifting: no 'after N requests' in its evidence"
	fi
fi

echo
echo "== 4. peak memory"
if [ -x /usr/bin/time ]; then
	echo "(measured with /usr/bin/time -v, in section 1 for labgrade all)"
else
	echo "/usr/bin/time is missing: peak memory from getrusage(RUSAGE_CHILDREN)"
fi
if [ -n "${KC:-}" ] && start_sim mem complete; then
	echo "labgrade all on the complete scenario: $(peak_kib "$LABGRADE" --kubeconfig "$KC" all) KiB"
fi
echo; echo "== 5. the data plane under load"; bash "$SRCDIR/tests/mesh_load.sh" "$BUILD" || echo "bench: tests/mesh_load.sh failed"

echo; echo "== 6. parsing"
# A 100k-key rubric: labgrade parses all of it (duplicate-key check
# included) before the schema refuses the first unknown key, so the time is
# the YAML parser's plus one process start.
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("version: 1\n")
    for i in range(100000):
        f.write("key-%d: %d\n" % (i, i))' "$TMP/big.yaml"
t0=$(now)
"$LABGRADE" all --rubric "$TMP/big.yaml" --kubeconfig /nonexistent >/dev/null 2>&1
t1=$(now)
echo "yaml: 100k keys parsed in $(fmt "$t1 - $t0") s"
exit 0
