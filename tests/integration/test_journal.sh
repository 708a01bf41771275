#!/usr/bin/env bash
# test_journal.sh: the progress journal against labsim: what `labgrade all`
# records, that it is the only write, --no-journal, two runs at once, a
# step taken from the journal, and a journal labgrade may not read or write.
. "$(dirname "$0")/lib.sh"

CM=labgrade-progress

# keys: the data keys of the journal ConfigMap, sorted, comma-separated;
# "absent" when there is no ConfigMap.
keys() {
	kc -n bookinfo get cm "$CM" -o json 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception:
    print("absent"); sys.exit(0)
print(",".join(sorted((d.get("data") or {}).keys())))'
}

# entry KEY: the raw value of one journal key ("" when absent).
entry() {
	kc -n bookinfo get cm "$CM" -o json 2>/dev/null | python3 -c '
import json, sys
print((json.load(sys.stdin).get("data") or {}).get(sys.argv[1], ""))' "$1"
}

# snapshot FILE: every object kubectl can list, as "kind ns/name rv" lines,
# without the journal's ConfigMap.
snapshot() {
	local kinds
	kinds=$(kc api-resources --verbs=list -o name 2>/dev/null |
		grep -v -e '^events' -e 'selfsubject' | paste -sd, -)
	kc get "$kinds" -A -o json 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin)["items"]:
    m = o["metadata"]
    if o["kind"] == "ConfigMap" and m["name"] == "labgrade-progress":
        continue
    print(o["kind"], "%s/%s" % (m.get("namespace", ""), m["name"]),
          m.get("resourceVersion"))' | sort >"$1"
}

# quiet CMD...: run CMD without its output (kubectl's apply warning).
quiet() { "$@" >/dev/null 2>&1; }

# jq_py FILE EXPR: evaluate a Python expression over the JSON report d.
jq_py() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["id"]: x for x in d["results"]}
print(eval(sys.argv[2]))' "$1" "$2"
}

# --- 1. labgrade all records the passing checks, and writes nothing else
if start_labsim j1 --scenario "$(scenario complete)"; then
	expect_eq "no journal before the first run" absent "$(keys)"
	snapshot "$LIB_TMP/before"
	check "snapshot lists the cluster's objects" \
		grep -q "Deployment bookinfo/productpage-v1" "$LIB_TMP/before"
	J="$LIB_TMP/j1.json"
	run_lg all --kubeconfig "$KC" --json "$J" --lang en
	expect_eq "complete: exit status (traffic steps pending)" 1 "$LG_RC"
	# observability runs after the gateway check, whose page reaches
	# productpage, details and reviews: Prometheus holds their traffic
	expect_eq "journal holds the passing checks" \
		"gateway,istio-install,observability,sidecar-injection,troubleshooting" \
		"$(keys)"
	expect_contains "an entry has time, points and evidence" \
		'"points":10,"max_points":10,"evidence":"' "$(entry gateway)"
	expect_eq "nothing pending is recorded" "" "$(entry request-routing)"
	snapshot "$LIB_TMP/after"
	check "the journal is the only write (every other object unchanged)" \
		diff -u "$LIB_TMP/before" "$LIB_TMP/after"
	expect_eq "no warning in the report" "[]" "$(jq_py "$J" 'd["warnings"]')"
	expect_eq "live results say so" "live" \
		"$(jq_py "$J" 'r["gateway"]["source"]')"
	expect_eq "live assertions say so" "live" \
		"$(jq_py "$J" 'r["gateway"]["assertions"][0]["source"]')"

	# --- 2. steps passed earlier come from the journal
	T=2026-11-25T10:00:00Z
	V='{"time":"'$T'","points":5,"max_points":5,"evidence":"seen earlier"}'
	cat >"$LIB_TMP/cm.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: $CM
  namespace: bookinfo
data:
  request-routing.all-v1: '$V'
  request-routing.test-v2: '$V'
EOF
	check "kubectl adds step entries" quiet kc apply -f "$LIB_TMP/cm.yaml"
	snapshot "$LIB_TMP/before"
	J="$LIB_TMP/j1b.json"
	run_lg all --kubeconfig "$KC" --json "$J" --markdown "$LIB_TMP/j1b.md" \
		--junit "$LIB_TMP/j1b.xml" --lang en
	expect_eq "request-routing passes from the journal" pass \
		"$(jq_py "$J" 'r["request-routing"]["verdict"]')"
	expect_eq "result source is the journal" journal \
		"$(jq_py "$J" 'r["request-routing"]["source"]')"
	expect_eq "result journal_time" "$T" \
		"$(jq_py "$J" 'r["request-routing"]["journal_time"]')"
	expect_eq "every assertion from the journal, with its time" "True" \
		"$(jq_py "$J" 'all(a["source"] == "journal" and a["journal_time"] == "'$T'" for a in r["request-routing"]["assertions"])')"
	expect_contains "terminal view shows the journal time" \
		"(journal: $T)" "$LG_OUT"
	expect_contains "Markdown says it came from the journal" \
		"From the progress journal: passed at $T" "$(cat "$LIB_TMP/j1b.md")"
	expect_contains "JUnit says it came from the journal" \
		"from the progress journal, passed at $T" "$(cat "$LIB_TMP/j1b.xml")"
	expect_eq "a pass from the journal is not recorded again" "$V" \
		"$(entry request-routing.all-v1)"
	expect_eq "nor under the check's own id" "" "$(entry request-routing)"
	snapshot "$LIB_TMP/after"
	check "second run: still the only write" \
		diff -u "$LIB_TMP/before" "$LIB_TMP/after"

	# --- 3. --no-journal neither reads nor writes
	RV=$(kc -n bookinfo get cm "$CM" -o jsonpath='{.metadata.resourceVersion}')
	J="$LIB_TMP/j1c.json"
	run_lg all --kubeconfig "$KC" --json "$J" --no-journal --lang en
	expect_eq "--no-journal: request-routing is not taken from it" skip \
		"$(jq_py "$J" 'r["request-routing"]["verdict"]')"
	expect_eq "--no-journal: its steps are pending" "True" \
		"$(jq_py "$J" 'all(a["pending"] for a in r["request-routing"]["assertions"])')"
	expect_eq "--no-journal: the journal was not written" "$RV" \
		"$(kc -n bookinfo get cm "$CM" -o jsonpath='{.metadata.resourceVersion}')"
fi

# --- 4. --no-journal on a fresh cluster creates nothing
if start_labsim j2 --scenario "$(scenario complete)"; then
	run_lg all --kubeconfig "$KC" --no-journal
	expect_eq "--no-journal: exit status (traffic steps pending)" 1 \
		"$LG_RC"
	expect_eq "--no-journal: no ConfigMap created" absent "$(keys)"
fi

# --- 5. two runs at once both leave their entries (atomic updates)
if start_labsim j3 --scenario "$(scenario complete)"; then
	lost=0
	for round in 1 2 3 4 5; do
		kc -n bookinfo delete cm "$CM" --ignore-not-found >/dev/null
		NO_COLOR=1 "$LABGRADE" check gateway --kubeconfig "$KC" \
			>"$LIB_TMP/a.out" 2>&1 &
		a=$!
		NO_COLOR=1 "$LABGRADE" check sidecar-injection \
			--kubeconfig "$KC" >"$LIB_TMP/b.out" 2>&1 &
		b=$!
		wait $a
		wait $b
		got=$(keys)
		if [ "$got" != "gateway,istio-install,sidecar-injection" ]; then
			lost=$((lost + 1))
			echo "# round $round: journal holds '$got'"
			cat "$LIB_TMP/a.out" "$LIB_TMP/b.out"
		fi
	done
	expect_eq "concurrent runs: no entry lost in 5 rounds" 0 "$lost"
fi

# --- 6. a journal labgrade may not read: the steps that needed it are
# errors naming the cause (exit 3), the live verdicts stand
if start_labsim j4 --scenario "$(scenario complete)" \
	--forbid configmaps:bookinfo; then
	J="$LIB_TMP/j4.json"
	run_lg all --kubeconfig "$KC" --json "$J" --lang en
	expect_eq "forbidden journal: the grade is incomplete" 3 "$LG_RC"
	expect_contains "forbidden journal: the cause on stderr" \
		"warning: cannot read the progress journal bookinfo/labgrade-progress: GET" "$LG_ERR"
	expect_contains "forbidden journal: write warning on stderr" \
		"warning: journal not updated" "$LG_ERR"
	expect_eq "forbidden journal: live verdicts stand" "pass pass pass" \
		"$(jq_py "$J" '" ".join(r[i]["verdict"] for i in ("istio-install", "sidecar-injection", "gateway"))')"
	expect_eq "forbidden journal: both warnings in the report" "2" \
		"$(jq_py "$J" 'len(d["warnings"])')"
	expect_eq "forbidden journal: a check with a step not in effect is an error" \
		"error" "$(jq_py "$J" 'r["request-routing"]["verdict"]')"
	expect_contains "forbidden journal: its message names the cause" \
		"cannot read the progress journal bookinfo/labgrade-progress" \
		"$(jq_py "$J" 'r["request-routing"]["message"]')"
	expect_contains "forbidden journal: evidence of a passing check" \
		"journal not updated" \
		"$(jq_py "$J" '" ".join(r["gateway"]["evidence"])')"
fi

# --- 7. a journal read that fails on the server every time (the one retry
# cannot help): the cause is named, the grade incomplete. (A body cut short
# is tested in test_journal.c: here the ConfigMap would have to exist
# before the faults start.)
if start_labsim j6 --scenario "$(scenario complete)" --fault-5xx 1; then
	run_lg all --kubeconfig "$KC" --lang en --timeout 5
	expect_eq "journal read 500: the grade is incomplete" 3 "$LG_RC"
	expect_contains "journal read 500: the journal's cause on stderr" \
		"cannot read the progress journal bookinfo/labgrade-progress: GET /api/v1/namespaces/bookinfo/configmaps/labgrade-progress: the API server failed (500" \
		"$LG_ERR"
fi
