#!/usr/bin/env bash
# test_grade_fix.sh: the fixes the hints give really fix the cluster: a
# student's broken lab, the hint's kubectl command run with the real kubectl,
# then a pass. Also the other gateway realisation (Istio API) on a live API.
. "$(dirname "$0")/lib.sh"

# verdict FILE ID
verdict() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next((r["verdict"] for r in d["results"] if r["id"] == sys.argv[2]),
           "absent"))' "$@"
}

hints() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["id"] == sys.argv[2]:
        print(" | ".join(a.get("hint") or "" for a in r["assertions"]))' "$@"
}

# --- pods created before the label: the hint's restart fixes them ------
start_labsim lad --scenario "$(scenario labelled-after-deploy)" || exit 1
J="$LIB_TMP/lad1.json"
run_lg check sidecar-injection --kubeconfig "$KC" --json "$J"
expect_eq "labelled-after-deploy: fails first" fail \
	"$(verdict "$J" sidecar-injection)"
cmd=$(hints "$J" sidecar-injection | grep -o 'kubectl rollout restart deployment -n [a-z-]*' | head -1)
expect_eq "labelled-after-deploy: hint gives the restart" \
	"kubectl rollout restart deployment -n bookinfo" "$cmd"
check "labelled-after-deploy: kubectl rollout restart works" \
	kc rollout restart deployment -n bookinfo
J="$LIB_TMP/lad2.json"
run_lg check sidecar-injection --kubeconfig "$KC" --json "$J"
expect_eq "labelled-after-deploy: passes after the restart" pass \
	"$(verdict "$J" sidecar-injection)"
expect_eq "labelled-after-deploy: exit 0 after the restart" 0 "$LG_RC"

# --- no gateway: an Istio Gateway binds to nothing (IST0101) ------------
start_labsim nogw --scenario "$(scenario no-gateway)" || exit 1
cat >"$LIB_TMP/istio-gw.yaml" <<'EOF'
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
  namespace: bookinfo
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bookinfo
  namespace: bookinfo
spec:
  hosts: ["*"]
  gateways: [bookinfo-gateway]
  http:
  - match:
    - uri: {exact: /productpage}
    route:
    - destination: {host: productpage, port: {number: 9080}}
EOF
check "no-gateway: kubectl apply of an Istio Gateway works" \
	kc apply -f "$LIB_TMP/istio-gw.yaml"
J="$LIB_TMP/nogw1.json"
run_lg check gateway --kubeconfig "$KC" --json "$J"
expect_eq "Istio Gateway without ingress pods: fail" fail \
	"$(verdict "$J" gateway)"
expect_contains "Istio Gateway without ingress pods: explains the profile" \
	"demo-profile-no-gateways" "$(hints "$J" gateway)"

# --- the lab's Gateway API manifest fixes it ------------------------------
check "no-gateway: kubectl apply of the lab's Gateway works" \
	kc apply -f "$SCENARIOS/parts/20-bookinfo-gateway.yaml"
J="$LIB_TMP/nogw2.json"
run_lg check gateway --kubeconfig "$KC" --json "$J"
expect_eq "Gateway API gateway applied: pass" pass "$(verdict "$J" gateway)"
expect_eq "Gateway API gateway applied: exit 0" 0 "$LG_RC"
