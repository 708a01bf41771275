#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_lab_grade.sh: the lab's traffic-management steps applied one by one
# with the real kubectl against labsim; after each, `labgrade check ID`
# passes that step; at the end `labgrade all` gives full marks for
# objectives 1-11 through the progress journal, in English and in Spanish.
. "$(dirname "$0")/lib.sh"

M="$SRCDIR/fixtures/manifests"
# Every simulated duration x 0.1 (the ~6 s fault takes ~0.6 s). The rubric's
# timing windows are policy, so the test grades with a rubric scaled alike;
# the circuit breaker's baseEjectionTime (3 min -> 18 s) never matters here:
# the lab's rule ejects after 5 consecutive 5xx (consecutiveErrors is
# ignored), overflow (UO) is no host failure, and no reviews pod fails.
SCALE=0.1
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
expect_contains "scaled rubric: the fault window is 0.5 to 0.8 s" \
	"fault-max-seconds: 0.8" "$(cat "$R")"

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

# grade NAME ID...: `labgrade check ID...` with the scaled rubric; the
# report goes to $J ($LIB_TMP/NAME.json).
grade() {
	local name=$1
	shift
	J="$LIB_TMP/$name.json"
	run_lg check "$@" --kubeconfig "$KC" --rubric "$R" --json "$J" \
		--lang en
}

# apply FILE...: the lab's `kubectl apply -n bookinfo -f FILE`.
apply() {
	local f out
	for f in "$@"; do
		out=$(kc apply -n bookinfo -f "$M/$f" 2>&1)
		check "kubectl apply -n bookinfo -f $f" test $? = 0 ||
			echo "$out"
	done
}

# journal_keys: the progress journal's keys, sorted, comma-separated.
journal_keys() {
	kc -n bookinfo get cm labgrade-progress -o json 2>/dev/null |
		python3 -c '
import json, sys
try:
    print(",".join(sorted(json.load(sys.stdin).get("data", {}))))
except Exception:
    print("absent")'
}

# keys_of ID PRED: the assertion keys of ID (in check order) for which
# the Python predicate over x holds, comma-separated.
keys_of() {
	jq_py "$J" '",".join(x["key"] for x in r["'"$1"'"]["assertions"] if '"$2"')'
}

start_labsim lab --time-scale "$SCALE" --scenario "$(scenario complete)" ||
	exit 1
T0=$(date +%s)

# ---- before any routing step: request-routing is pending, nothing earned
grade base request-routing
expect_eq "no step applied: request-routing is skip" skip \
	"$(jq_py "$J" 'r["request-routing"]["verdict"]')"
expect_eq "no step applied: every assertion pending" \
	"destination-rules,all-v1-config,all-v1-live,test-v2-config,test-v2-live" \
	"$(keys_of request-routing 'x["pending"]')"
expect_eq "no step applied: 0 points" 0 \
	"$(jq_py "$J" 'r["request-routing"]["points"]')"

# ---- step 1: destination-rule-all + virtual-service-all-v1
apply destination-rule-all.yaml virtual-service-all-v1.yaml
grade all-v1 request-routing
expect_eq "all-v1: exit status 1 (a pending step is not a pass)" 1 "$LG_RC"
expect_eq "all-v1: request-routing is skip (test-v2 not applied yet)" skip \
	"$(jq_py "$J" 'r["request-routing"]["verdict"]')"
expect_eq "all-v1: the all-v1 assertions hold, observed live" \
	"destination-rules,all-v1-config,all-v1-live" \
	"$(keys_of request-routing 'x["ok"] and x["source"] == "live" and not x["pending"]')"
expect_eq "all-v1: the test-v2 assertions are pending" \
	"test-v2-config,test-v2-live" \
	"$(keys_of request-routing 'x["pending"] and not x["ok"]')"
expect_contains "all-v1: the message names the next step" \
	"virtual-service-reviews-test-v2.yaml" \
	"$(jq_py "$J" 'r["request-routing"]["message"]')"
expect_eq "all-v1: 6 of 10 points" "6/10" \
	"$(jq_py "$J" '"%g/%g" % (r["request-routing"]["points"], r["request-routing"]["max_points"])')"
expect_contains "all-v1: anonymous pages observed on reviews-v1" \
	"reviews-v1 10" "$(jq_py "$J" 'a("request-routing")["all-v1-live"]["observed"]')"
expect_eq "all-v1: the journal holds the step" \
	"gateway,istio-install,request-routing.all-v1" "$(journal_keys)"

# ---- step 2: reviews-test-v2
apply virtual-service-reviews-test-v2.yaml
grade test-v2 request-routing
expect_eq "test-v2: exit status" 0 "$LG_RC"
expect_eq "test-v2: request-routing passes, 10/10, live" "pass 10 live" \
	"$(jq_py "$J" '"%s %g %s" % (r["request-routing"]["verdict"], r["request-routing"]["points"], r["request-routing"]["source"])')"
expect_contains "test-v2: jason saw reviews-v2 with black stars" \
	"black stars 10" "$(jq_py "$J" 'a("request-routing")["test-v2-live"]["observed"]')"

# ---- step 3: ratings-test-delay
apply virtual-service-ratings-test-delay.yaml
grade delay fault-injection
expect_eq "delay: exit status" 0 "$LG_RC"
expect_eq "delay: fault-injection passes, 10/10, live" "pass 10 live" \
	"$(jq_py "$J" '"%s %g %s" % (r["fault-injection"]["verdict"], r["fault-injection"]["points"], r["fault-injection"]["source"])')"
echo "# delay, jason: $(jq_py "$J" 'a("fault-injection")["jason-delayed-live"]["observed"]')"
# the window is policy: the unscaled rubric (5-8 s) must reject ~0.6 s
run_lg check fault-injection --kubeconfig "$KC" --json "$LIB_TMP/d.json" \
	--rubric "$SRCDIR/rubric.yaml" \
	--no-journal --lang en
expect_eq "delay: the lab's 5-8 s window rejects the scaled ~0.6 s page" \
	"fail False" \
	"$(jq_py "$LIB_TMP/d.json" '"%s %s" % (r["fault-injection"]["verdict"], a("fault-injection")["jason-delayed-live"]["ok"])')"
grade delay-rr request-routing
expect_eq "delay: request-routing still passes (jason's fault shown)" pass \
	"$(jq_py "$J" 'r["request-routing"]["verdict"]')"

# ---- step 4: reviews-50-v3
apply virtual-service-reviews-50-v3.yaml
grade split traffic-shifting fault-injection
expect_eq "50/50: exit status 1 (the v3 step is pending)" 1 "$LG_RC"
expect_eq "50/50: traffic-shifting is skip (v3 step not applied yet)" skip \
	"$(jq_py "$J" 'r["traffic-shifting"]["verdict"]')"
expect_eq "50/50: the split assertions hold, live" "split-config,split-live" \
	"$(keys_of traffic-shifting 'x["ok"] and x["source"] == "live"')"
expect_eq "50/50: the all-v3 assertions are pending" \
	"all-v3-config,all-v3-live" "$(keys_of traffic-shifting 'x["pending"]')"
expect_contains "50/50: the sequential test accepted 50/50" "50/50 accepted" \
	"$(jq_py "$J" 'a("traffic-shifting")["split-live"]["observed"]')"
expect_eq "50/50: fault-injection (no longer in effect) from the journal" \
	"pass journal" \
	"$(jq_py "$J" 'r["fault-injection"]["verdict"] + " " + r["fault-injection"]["source"]')"

# ---- step 5: reviews-v3
apply virtual-service-reviews-v3.yaml
grade v3 traffic-shifting
expect_eq "v3: exit status" 0 "$LG_RC"
expect_eq "v3: traffic-shifting passes 10/10" "pass 10" \
	"$(jq_py "$J" '"%s %g" % (r["traffic-shifting"]["verdict"], r["traffic-shifting"]["points"])')"
expect_eq "v3: all-v3 live, the split from the journal" \
	"live live journal journal" \
	"$(jq_py "$J" '" ".join(a("traffic-shifting")[k]["source"] for k in ("all-v3-config", "all-v3-live", "split-config", "split-live"))')"
expect_contains "v3: every page red stars" "red stars 10" \
	"$(jq_py "$J" 'a("traffic-shifting")["all-v3-live"]["observed"]')"

# ---- step 6: the lab's circuit breaker (consecutiveErrors)
apply destination-rule-reviews-circuit-breaker.yaml
grade cb circuit-breaking
expect_eq "circuit breaker: exit status" 0 "$LG_RC"
expect_eq "circuit breaker: circuit-breaking passes 10/10" "pass 10" \
	"$(jq_py "$J" '"%s %g" % (r["circuit-breaking"]["verdict"], r["circuit-breaking"]["points"])')"
expect_contains "circuit breaker: overflow seen as 503 UO" "503 UO" \
	"$(jq_py "$J" 'a("circuit-breaking")["cb-overflow"]["observed"]')"
expect_contains "circuit breaker: warns that consecutiveErrors is ignored" \
	"consecutive5xxErrors: 1" \
	"$(jq_py "$J" '" ".join(r["circuit-breaking"]["warnings"])')"

# ---- step 7: mirroring (the circuit breaker stays in place)
apply virtual-service-reviews-mirror.yaml
grade mirror mirroring
expect_eq "mirror: exit status" 0 "$LG_RC"
expect_eq "mirror: mirroring passes 10/10" "pass 10" \
	"$(jq_py "$J" '"%s %g" % (r["mirroring"]["verdict"], r["mirroring"]["points"])')"
expect_contains "mirror: users saw only reviews-v1" "reviews-v1 40" \
	"$(jq_py "$J" 'a("mirroring")["mirror-users-see-v1"]["observed"]')"

# ---- step 8: httpbin through its own gateway (objective 9), applied as
# the lab does, without -n (so in the context's namespace, default): the
# Gateway API version, annotated ClusterIP as Bookinfo's is
for f in httpbin.yaml httpbin-gateway-api.yaml; do
	check "kubectl apply -f $f" kc apply -f "$M/$f"
done >/dev/null
check "kubectl annotate gateway httpbin-gateway service-type=ClusterIP" \
	kc annotate gateway.gateway.networking.k8s.io httpbin-gateway \
	networking.istio.io/service-type=ClusterIP >/dev/null
for i in $(seq 1 100); do
	kc get pods -l gateway.networking.k8s.io/gateway-name=httpbin-gateway \
		2>/dev/null | grep -q Running && break
	sleep 0.1
done
grade ingress ingress-gateway
expect_eq "ingress: ingress-gateway passes 10/10" "pass 10" \
	"$(jq_py "$J" '"%s %g" % (r["ingress-gateway"]["verdict"], r["ingress-gateway"]["points"])')"

# ---- the completed lab: labgrade all, full marks through the journal
J="$LIB_TMP/all.json"
run_lg all --kubeconfig "$KC" --rubric "$R" --json "$J" --lang en
EN_OUT=$LG_OUT
expect_eq "all: exit status 0" 0 "$LG_RC"
expect_eq "all: 110/110 points, 11 pass (egress-gateway not counted)" "110/110 11" \
	"$(jq_py "$J" '"%g/%g %d" % (d["points"], d["max_points"], d["counts"]["pass"])')"
expect_eq "all: objectives 1-11 each pass with full points" "True" \
	"$(jq_py "$J" 'sorted(x["objective"] for x in d["results"] if x["verdict"] == "pass" and x["points"] == x["max_points"]) == list(range(1, 12))')"
expect_eq "all: egress-gateway, optional, is skipped" "skip" \
	"$(jq_py "$J" 'r["egress-gateway"]["verdict"]')"
expect_eq "all: steps no longer in effect come from the journal" \
	"fault-injection,request-routing,traffic-shifting" \
	"$(jq_py "$J" '",".join(sorted(x["id"] for x in d["results"] if x["source"] == "journal"))')"
expect_eq "all: each with the time it passed" "True" \
	"$(jq_py "$J" 'all(__import__("re").match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", r[i]["journal_time"] or "") for i in ("fault-injection", "request-routing", "traffic-shifting"))')"
expect_eq "all: the steps in effect are graded live" "live live" \
	"$(jq_py "$J" 'r["circuit-breaking"]["source"] + " " + r["mirroring"]["source"]')"
expect_eq "all: no warning" "[]" "$(jq_py "$J" 'd["warnings"]')"
expect_contains "all: the terminal shows the journal time" "(journal: 20" \
	"$EN_OUT"
expect_contains "all: English total" "Total: 110/110 points (pass 11, fail 0" \
	"$EN_OUT"

run_lg all --kubeconfig "$KC" --rubric "$R" --lang es
ES_OUT=$LG_OUT
expect_eq "todo: exit status 0" 0 "$LG_RC"
expect_contains "Spanish: verdicts" "superado mirroring" "$ES_OUT"
expect_contains "Spanish: total" "Total: 110/110 puntos (superado 11, fallido 0" \
	"$ES_OUT"
expect_contains "Spanish: journal" "(diario: 20" "$ES_OUT"
expect_contains "Spanish: the disturbing check says so" \
	"carga la malla" "$ES_OUT"
check "Spanish: no English status words" \
	test -z "$(grep -E -w 'pass|points|running|journal' <<<"$ES_OUT")"
echo "# labgrade all --lang en on the completed lab:"
sed 's/^/#   /' <<<"$EN_OUT"
echo "# labgrade all --lang es on the completed lab:"
sed 's/^/#   /' <<<"$ES_OUT"

T=$(($(date +%s) - T0))
check "the walkthrough took under 120 s ($T s)" test "$T" -lt 120
