#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_grade_traffic.sh: wrong variants of the traffic steps against labsim.
# Each fails the right objective with the true cause in its hint and leaves
# every other objective's verdict and points as the right variant has them;
# and faults injected into the API never turn into a pass or a fail.
. "$(dirname "$0")/lib.sh"

M="$SRCDIR/fixtures/manifests"
SCALE=0.1
# The rubric's timing windows scaled like labsim's durations (policy).
R="$LIB_TMP/rubric.yaml"
python3 - "$SRCDIR/rubric.yaml" "$R" "$SCALE" <<'EOF'
import re, sys
src, dst, k = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = open(src).read()
for key in ("fault-min-seconds", "fault-max-seconds", "anonymous-max-seconds"):
    s, n = re.subn(r"(\n\s+%s: )([0-9.]+)" % key,
                   lambda m: m.group(1) + "%g" % (float(m.group(2)) * k), s)
    assert n == 1, key
open(dst, "w").write(s)
EOF

# jq_py FILE EXPR: a Python expression over the JSON report d, with r the
# results by id and a(ID) one result's assertions by key.
jq_py() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["id"]: x for x in d["results"]}
def a(i): return {x["key"]: x for x in r[i]["assertions"]}
print(eval(sys.argv[2]))' "$1" "$2"
}

# quiet CMD...: run CMD without its output.
quiet() { "$@" >/dev/null 2>&1; }

# stop_labsim: stop the current labsim now (cleanly, as lib.sh would).
stop_labsim() {
	kill -TERM "$LABSIM_PID" 2>/dev/null
	wait "$LABSIM_PID" 2>/dev/null
	local rc=$?
	LABSIM_PIDS=${LABSIM_PIDS/ $LABSIM_PID/}
	check "labsim ($1) stops cleanly" test "$rc" = 0 -o "$rc" = 143
}

# grade_scenario NAME [labsim args]: `labgrade all --no-journal` on a
# scenario; the report is $LIB_TMP/NAME.json, the exit status RC_NAME.
grade_scenario() {
	local name=$1
	shift
	start_labsim "$name" --time-scale "$SCALE" \
		--scenario "$(scenario "$name")" "$@" || return 1
	run_lg all --kubeconfig "$KC" --rubric "$R" --no-journal --lang en \
		--json "$LIB_TMP/$name.json"
	printf -v "RC_${name//-/_}" '%s' "$LG_RC"
	stop_labsim "$name"
}

# others WRONG RIGHT ID...: every objective but ID... has the same verdict
# and points in both reports.
others() {
	local wrong=$1 right=$2
	shift 2
	local ex
	ex=$(printf '"%s",' "$@")
	python3 - "$LIB_TMP/$wrong.json" "$LIB_TMP/$right.json" "[$ex]" <<'EOF'
import json, sys
w, r = (json.load(open(f)) for f in sys.argv[1:3])
ex = eval(sys.argv[3])
key = lambda d: {x["id"]: (x["verdict"], x["points"]) for x in d["results"]
                 if x["id"] not in ex}
if key(w) != key(r):
    print("wrong:", key(w)); print("right:", key(r)); sys.exit(1)
EOF
}

# wrong_variant WRONG RIGHT ID FAILED HINTKEY NEEDLE [EXCEPT...]: the
# report of WRONG fails ID with exactly the assertions FAILED (non-pending,
# comma-separated), the hint of HINTKEY names NEEDLE, exit status 1, no
# error anywhere, and the others as in RIGHT.
wrong_variant() {
	local w=$1 right=$2 id=$3 failed=$4 hk=$5 needle=$6
	shift 6
	local J="$LIB_TMP/$w.json" rc_var="RC_${w//-/_}"
	expect_eq "$w: exit status 1" 1 "${!rc_var:-unset}"
	expect_eq "$w: $id fails" fail "$(jq_py "$J" 'r["'"$id"'"]["verdict"]')"
	expect_eq "$w: failed assertions" "$failed" \
		"$(jq_py "$J" '",".join(x["key"] for x in r["'"$id"'"]["assertions"] if not x["ok"] and not x["pending"])')"
	expect_contains "$w: the $hk hint names the cause" "$needle" \
		"$(jq_py "$J" 'a("'"$id"'")["'"$hk"'"]["hint"]')"
	expect_eq "$w: no error verdict" 0 "$(jq_py "$J" 'd["counts"]["error"]')"
	check "$w: the other objectives as in $right" others "$w" "$right" \
		"$id" "$@"
}

# ---- right variants (the reference for the others' points)
for s in request-routing fault-injection traffic-shifting-50 \
	circuit-breaking circuit-breaking-5xx mirroring; do
	grade_scenario "$s"
	rc_var="RC_${s//-/_}"
	# the other objectives' steps are not applied here: pending, so 1
	expect_eq "$s (right): exit status 1 (other steps pending)" 1 \
		"${!rc_var:-unset}"
	expect_eq "$s (right): no fail, no error" "0 0" \
		"$(jq_py "$LIB_TMP/$s.json" '"%d %d" % (d["counts"]["fail"], d["counts"]["error"])')"
done
expect_eq "circuit-breaking (right): passes" pass \
	"$(jq_py "$LIB_TMP/circuit-breaking.json" 'r["circuit-breaking"]["verdict"]')"
expect_contains "circuit-breaking (right): the lab's consecutiveErrors warns" \
	"consecutive5xxErrors: 1" \
	"$(jq_py "$LIB_TMP/circuit-breaking.json" '" ".join(r["circuit-breaking"]["warnings"])')"

expect_eq "circuit-breaking-5xx (right): passes without the IST0133 warning" \
	"pass False" \
	"$(jq_py "$LIB_TMP/circuit-breaking-5xx.json" 'r["circuit-breaking"]["verdict"] + " " + str("IST0133" in " ".join(r["circuit-breaking"]["warnings"]))')"

# ---- a host that really fails (reviews-v1 answers 503), consecutive5xx 1:
# the breaker ejects it (503 UH) and passes; request-routing fails live,
# truly: anonymous users get no reviews.
grade_scenario circuit-breaking-failing-host
J="$LIB_TMP/circuit-breaking-failing-host.json"
expect_eq "failing host: exit status 1" 1 \
	"${RC_circuit_breaking_failing_host:-unset}"
expect_eq "failing host: circuit-breaking passes" pass \
	"$(jq_py "$J" 'r["circuit-breaking"]["verdict"]')"
expect_contains "failing host: ejection seen as 503 UH" "UH" \
	"$(jq_py "$J" 'a("circuit-breaking")["cb-overflow"]["observed"]')"
expect_eq "failing host: request-routing fails on all-v1-live only" \
	"fail all-v1-live" \
	"$(jq_py "$J" 'r["request-routing"]["verdict"] + " " + ",".join(x["key"] for x in r["request-routing"]["assertions"] if not x["ok"] and not x["pending"])')"
expect_contains "failing host: the hint says a pod is down" "a pod down" \
	"$(jq_py "$J" 'a("request-routing")["all-v1-live"]["hint"]')"

# ---- wrong variants
for s in request-routing-jason-v2-v3 traffic-shifting-80-20 \
	traffic-shifting-90-10 fault-injection-abort \
	circuit-breaking-no-subsets; do
	grade_scenario "$s"
done
wrong_variant request-routing-jason-v2-v3 request-routing request-routing \
	test-v2-config,test-v2-live test-v2-config "jason-v2-v3"
expect_contains "jason-v2-v3: the hint says anonymous users go to v3" \
	"anonymous users go to v3" \
	"$(jq_py "$LIB_TMP/request-routing-jason-v2-v3.json" 'a("request-routing")["test-v2-config"]["hint"]')"
wrong_variant traffic-shifting-80-20 traffic-shifting-50 traffic-shifting \
	split-config,split-live split-config "v1 80 %, v2 20 %"
wrong_variant traffic-shifting-90-10 traffic-shifting-50 traffic-shifting \
	split-config,split-live split-config "v1 90 %, v2 10 %"
# At 90/10 the sequential test may reject 50/50 before any v2 page came
# (0.9^17 is about 1 in 6): then the hint blames the configured weights,
# which is just as true. Either way it names the cause.
h=$(jq_py "$LIB_TMP/traffic-shifting-90-10.json" 'a("traffic-shifting")["split-live"]["hint"]')
case $h in
*reviews-v2* | *"configured weights"*) ok "90-10: the live hint names the cause" ;;
*) not_ok "90-10: the live hint names neither reviews-v2 nor the weights: $h" ;;
esac
wrong_variant fault-injection-abort fault-injection fault-injection \
	delay-config,jason-delayed-live delay-config "abort"
expect_contains "abort: the live hint says ratings fails at once" "abort" \
	"$(jq_py "$LIB_TMP/fault-injection-abort.json" 'a("fault-injection")["jason-delayed-live"]["hint"]')"
# A breaker NAMED reviews replaces destination-rule-all's subsets, which
# truly breaks request routing too (every subset route answers 503 NC):
# request-routing fails as well, with the same cause.
# (reviews gets no call at all, so Prometheus holds no reviews traffic:
# observability fails too, rightly)
wrong_variant circuit-breaking-no-subsets circuit-breaking circuit-breaking \
	cb-subsets-kept,cb-overflow cb-subsets-kept "subsets" request-routing \
	observability
expect_contains "no-subsets: the overflow hint says 503 NC, not the breaker" \
	"503 NC" \
	"$(jq_py "$LIB_TMP/circuit-breaking-no-subsets.json" 'a("circuit-breaking")["cb-overflow"]["hint"]')"
expect_contains "no-subsets: request-routing's hint names the breaker rule" \
	"circuit breaker" \
	"$(jq_py "$LIB_TMP/circuit-breaking-no-subsets.json" 'a("request-routing")["destination-rules"]["hint"]')"
expect_eq "no-subsets: the breaker's config points are kept" \
	"cb-connection-pool,cb-outlier-detection,cb-sequential-control" \
	"$(jq_py "$LIB_TMP/circuit-breaking-no-subsets.json" '",".join(x["key"] for x in r["circuit-breaking"]["assertions"] if x["ok"])')"

# ---- a wrong mirror on top of a right cluster: no mirrorPercentage (100 %)
start_labsim mirror-100 --time-scale "$SCALE" --scenario "$(scenario mirroring)" ||
	exit 1
sed '/mirrorPercentage:/,+1d' "$M/virtual-service-reviews-mirror.yaml" \
	>"$LIB_TMP/mirror-100.yaml"
check "kubectl apply: a mirror without mirrorPercentage" \
	quiet kc apply -n bookinfo -f "$LIB_TMP/mirror-100.yaml"
run_lg all --kubeconfig "$KC" --rubric "$R" --no-journal --lang en \
	--json "$LIB_TMP/mirror-100.json"
RC_mirror_100=$LG_RC # read by wrong_variant
stop_labsim mirror-100
wrong_variant mirror-100 mirroring mirroring mirror-config mirror-config \
	"50"

# ---- faults injected into the API (500s, resets, truncated bodies):
# never a pass that was not earned, never a fail; the exit status says the
# grade is incomplete.
# Baselines (fault-free) are the right variants graded above. labsim's
# draws are seeded, but concurrent checks take them in varying order, so
# each round is a fresh sample; the properties must hold for every one.
hit=0 rounds=0 bad=0

# fault_round SCENARIO LABEL: one `labgrade all` against the current
# (faulty) labsim, judged against the scenario's fault-free report.
fault_round() {
	local J="$LIB_TMP/fault.json" out
	run_lg all --kubeconfig "$KC" --rubric "$R" --no-journal --lang en \
		--json "$J"
	rounds=$((rounds + 1))
	out=$(python3 - "$J" "$LIB_TMP/$1.json" "$LG_RC" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print(0, "no JSON report: %s" % e); sys.exit(0)
base = json.load(open(sys.argv[2]))
rc = int(sys.argv[3])
b = {x["id"]: x for x in base["results"]}
problems, hit = [], 0
for x in d["results"]:
    ref = b[x["id"]]
    # a traffic check that itself met the fault (not its prerequisite)
    if x["verdict"] == "error" and x["objective"] >= 4 \
       and "prerequisite" not in (x["message"] or ""):
        hit = 1
    if x["verdict"] not in (ref["verdict"], "error"):
        problems.append("%s: %s (fault-free: %s)" % (x["id"], x["verdict"],
                                                    ref["verdict"]))
    if x["verdict"] == "pass" and "injected fault" in " ".join(x["evidence"]):
        problems.append("%s: pass with an API failure in its evidence"
                        % x["id"])
    if x["verdict"] == "pass" and x["points"] != ref["points"]:
        problems.append("%s: pass with %g points (fault-free %g)"
                        % (x["id"], x["points"], ref["points"]))
skips = any(x["verdict"] == "skip" for x in d["results"])
want = 3 if d["counts"]["error"] else (1 if d["counts"]["fail"] or skips
                                       else 0)
if rc != want:
    problems.append("exit status %d, expected %d" % (rc, want))
print(hit, "; ".join(problems))
EOF
)
	hit=$((hit + ${out%% *}))
	if [ "${out#* }" != "" ]; then
		bad=$((bad + 1))
		echo "# $2: ${out#* }"
	fi
	if grep -q Sanitizer <<<"$LG_ERR"; then
		bad=$((bad + 1))
		echo "# $2: sanitizer:"
		head -20 <<<"$LG_ERR"
	fi
}

for s in traffic-shifting-50 fault-injection mirroring circuit-breaking; do
	for spec in "5xx 0.05 1" "5xx 0.3 2" "reset 0.05 3" "truncate 0.05 4"; do
		read -r kind rate seed <<<"$spec"
		start_labsim "fault-$s-$kind-$seed" --time-scale "$SCALE" \
			--scenario "$(scenario "$s")" "--fault-$kind" "$rate" \
			--seed "$seed" || continue
		fault_round "$s" "$s $spec round 1"
		fault_round "$s" "$s $spec round 2"
		stop_labsim "fault-$s-$kind-$seed"
	done
done
# Most faults land on the first checks' many reads; make sure some landed
# on a traffic check's own reads (about 1 run in 4 at this rate).
if start_labsim fault-hunt --time-scale "$SCALE" \
	--scenario "$(scenario traffic-shifting-50)" --fault-5xx 0.05 \
	--seed 5; then
	for i in $(seq 1 40); do
		[ "$hit" -gt 0 ] && break
		fault_round traffic-shifting-50 "hunt round $i"
	done
	stop_labsim fault-hunt
fi
expect_eq "faults: verdicts fault-free or error, exit 3 on error, sanitizers quiet ($rounds runs)" \
	0 "$bad"
check "faults: some traffic check itself hit a fault ($hit of $rounds runs)" \
	test "$hit" -gt 0
