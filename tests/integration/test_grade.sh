#!/usr/bin/env bash
# test_grade.sh: `labgrade all` against every labsim scenario: exit status,
# each objective's verdict, the failed assertions, a hint, and that the three
# reports are well formed.
. "$(dirname "$0")/lib.sh"

# rq FILE ID FIELD: one field of result ID in a JSON report:
# verdict | message | failed (comma-separated keys) | hints (joined).
rq() {
	python3 - "$@" <<'EOF'
import json, sys
path, rid, field = sys.argv[1:4]
try:
    doc = json.load(open(path))
except Exception as e:
    print("unreadable report: %s" % e)
    sys.exit(0)
for r in doc.get("results", []):
    if r.get("id") != rid:
        continue
    a = r.get("assertions") or []
    if field == "explain":
        print("%s: %s" % (r.get("verdict"), r.get("message")))
        for x in a:
            print("  %s %s: %s" % ("ok" if x.get("ok") else "FAILED",
                                   x["key"], x.get("observed")))
        for e in r.get("evidence") or []:
            print("  evidence: %s" % e)
    elif field == "failed":
        print(",".join(x["key"] for x in a if not x.get("ok")))
    elif field == "hints":
        print(" | ".join(x.get("hint") or "" for x in a))
    else:
        print(r.get(field) or "")
    break
else:
    print("absent")
EOF
}

# grade NAME [labsim args]: start labsim on scenario NAME, grade it with all
# three reports; sets J (the JSON report path) and LG_RC.
grade() {
	local name=$1
	shift
	start_labsim "$name" --scenario "$(scenario "$name")" "$@" || {
		not_ok "$name: labsim started"
		return 1
	}
	J="$LIB_TMP/$name.json"
	run_lg all --kubeconfig "$KC" --json "$J" \
		--junit "$LIB_TMP/$name.xml" --markdown "$LIB_TMP/$name.md"
	check "$name: JUnit report is well-formed XML" \
		xmllint --noout "$LIB_TMP/$name.xml"
	check "$name: JSON report parses" python3 -c \
		'import json, sys; json.load(open(sys.argv[1]))' "$J"
	check "$name: Markdown report written" test -s "$LIB_TMP/$name.md"
}

# verdict_is NAME ID WANT: the verdict of ID, explained when it differs.
verdict_is() {
	local got
	got=$(rq "$J" "$2" verdict)
	expect_eq "$1: $2 verdict" "$3" "$got"
	[ "$got" = "$3" ] || rq "$J" "$2" explain | sed 's/^/    /'
}

# verdicts NAME V1 V2 V3: istio-install, sidecar-injection, gateway.
verdicts() {
	verdict_is "$1" istio-install "$2"
	verdict_is "$1" sidecar-injection "$3"
	verdict_is "$1" gateway "$4"
}

if grade complete; then
	# the traffic steps are not applied in this scenario: pending, exit 1
	expect_eq "complete: exit status" 1 "$LG_RC"
	verdicts complete pass pass pass
	verdict_is complete troubleshooting pass
	# the gateway check's page is the telemetry Prometheus then holds
	verdict_is complete observability pass
	expect_contains "complete: terminal view shows the total" \
		"Total: 50/110 points" "$LG_OUT"
fi

if grade no-istiod; then
	expect_eq "no-istiod: exit status" 1 "$LG_RC"
	verdicts no-istiod fail skip skip
	expect_contains "no-istiod: istiod-deployed failed" istiod-deployed \
		"$(rq "$J" istio-install failed)"
	expect_contains "no-istiod: hint names the install command" \
		"demo-profile-no-gateways.yaml" "$(rq "$J" istio-install hints)"
	expect_contains "no-istiod: skip names the prerequisite" \
		"prerequisite istio-install" "$(rq "$J" gateway message)"
fi

if grade no-istio-crds; then
	expect_eq "no-istio-crds: exit status" 1 "$LG_RC"
	expect_eq "no-istio-crds: istio-install verdict" fail \
		"$(rq "$J" istio-install verdict)"
	expect_contains "no-istio-crds: istio-crds failed" istio-crds \
		"$(rq "$J" istio-install failed)"
	expect_contains "no-istio-crds: hint names a missing CRD" \
		"networking.istio.io" "$(rq "$J" istio-install hints)"
fi

if grade ns-unlabelled; then
	expect_eq "ns-unlabelled: exit status" 1 "$LG_RC"
	verdicts ns-unlabelled pass fail pass
	expect_eq "ns-unlabelled: failed assertions" \
		"namespace-labelled,pods-have-sidecar" \
		"$(rq "$J" sidecar-injection failed)"
	expect_contains "ns-unlabelled: hint gives the label" \
		"istio-injection=enabled" "$(rq "$J" sidecar-injection hints)"
fi

if grade labelled-after-deploy; then
	expect_eq "labelled-after-deploy: exit status" 1 "$LG_RC"
	expect_eq "labelled-after-deploy: sidecar-injection verdict" fail \
		"$(rq "$J" sidecar-injection verdict)"
	expect_eq "labelled-after-deploy: failed assertions" \
		"pods-have-sidecar" "$(rq "$J" sidecar-injection failed)"
	expect_contains "labelled-after-deploy: hint restarts the pods" \
		"rollout restart" "$(rq "$J" sidecar-injection hints)"
	expect_contains "labelled-after-deploy: hint says 1/1" \
		"1/1" "$(rq "$J" sidecar-injection hints)"
fi

if grade deployment-unavailable; then
	expect_eq "deployment-unavailable: exit status" 1 "$LG_RC"
	expect_eq "deployment-unavailable: sidecar-injection verdict" fail \
		"$(rq "$J" sidecar-injection verdict)"
	expect_contains "deployment-unavailable: deployments-available failed" \
		deployments-available "$(rq "$J" sidecar-injection failed)"
	expect_contains "deployment-unavailable: names reviews-v3" reviews-v3 \
		"$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for r in d["results"]:
    for a in r.get("assertions") or []:
        if a["key"] == "deployments-available":
            print(a.get("observed"))' "$J")"
fi

if grade no-gateway; then
	expect_eq "no-gateway: exit status" 1 "$LG_RC"
	verdicts no-gateway pass pass fail
	expect_contains "no-gateway: gateway-configured failed" \
		gateway-configured "$(rq "$J" gateway failed)"
	expect_contains "no-gateway: hint names the manifest" \
		"bookinfo-gateway.yaml" "$(rq "$J" gateway hints)"
fi

if grade gateway-unreachable; then
	expect_eq "gateway-unreachable: exit status" 1 "$LG_RC"
	expect_eq "gateway-unreachable: gateway verdict" fail \
		"$(rq "$J" gateway verdict)"
	expect_contains "gateway-unreachable: reachability or programming" \
		"gateway-programmed" "$(rq "$J" gateway failed)"
	expect_contains "gateway-unreachable: hint looks at the pods" \
		"kubectl get pods -n bookinfo" "$(rq "$J" gateway hints)"
fi
