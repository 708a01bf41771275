#!/usr/bin/env bash
# test_gateways_9.sh: objective 9 against labsim, walked with the real
# kubectl as the lab does it: httpbin and its gateway applied without -n
# (so in the context's namespace, default), first the lab's Istio Gateway
# (nothing selects it on the lab's profile, and the lab text omits the
# VirtualService), then with an ingress gateway installed, then the Gateway
# API version with its ClusterIP annotation. Each wrong state fails the
# right assertion with its cause in the hint; Bookinfo's gateway is never
# taken for httpbin's. Then egress-gateway, which the default rubric does
# not grade.
. "$(dirname "$0")/lib.sh"

MANIFESTS="$SRCDIR/fixtures/manifests"

# rj FILE ID FIELD: verdict | points | failed | hints | observed of ID.
rj() {
	python3 - "$@" <<'EOF2'
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
    if field == "failed":
        print(",".join(x["key"] for x in a if not x.get("ok")))
    elif field == "hints":
        print(" | ".join(x.get("hint") or "" for x in a))
    elif field == "observed":
        print(" | ".join(x.get("observed") or "" for x in a))
    elif field == "evidence":
        print(" | ".join(r.get("evidence") or []))
    elif field == "points":
        print("%g" % (r.get("points") or 0))
    else:
        print(r.get(field) or r.get("message") or "")
    break
else:
    print("absent")
EOF2
}

# grade ID [ARGS...]: `labgrade check ID` with a JSON report in $J.
grade() {
	local id=$1
	shift
	J="$LIB_TMP/$id.$T_N.json"
	run_lg check "$id" --kubeconfig "$KC" --no-journal --json "$J" "$@"
}

# wait_ready SELECTOR NS: until a pod of SELECTOR in NS is Ready (10 s).
wait_ready() {
	local i
	for i in $(seq 1 100); do
		kc get pods -n "$2" -l "$1" -o jsonpath='{.items[*].status.conditions[?(@.type=="Ready")].status}' 2>/dev/null |
			grep -q True && return 0
		sleep 0.1
	done
	return 1
}

start_labsim lab --scenario "$(scenario complete)" || exit 1

# Nothing of the step yet: pending (skip, exit 1), the hint applies httpbin.
grade ingress-gateway
expect_eq "before the step: pending, exit 1" "skip 1" "$(rj "$J" ingress-gateway verdict) $LG_RC"
expect_contains "before the step: hint deploys httpbin without -n" \
	"kubectl apply -f samples/httpbin/httpbin.yaml" "$(rj "$J" ingress-gateway hints)"

# The lab's text: httpbin, then the Istio Gateway, without -n.
kc apply -f "$MANIFESTS/httpbin.yaml" >/dev/null
check "httpbin ready in default" wait_ready app=httpbin default
grade ingress-gateway
expect_eq "httpbin alone: fail gateway and traffic" \
	"fail httpbin-gateway,httpbin-reachable" \
	"$(rj "$J" ingress-gateway verdict) $(rj "$J" ingress-gateway failed)"
# Bookinfo's Gateway listens on port 80 for any host: still not httpbin's.
expect_contains "httpbin alone: Bookinfo's gateway is not httpbin's" \
	"no gateway listens for httpbin.example.com on port 80" "$(rj "$J" ingress-gateway observed)"
kc apply -f "$MANIFESTS/httpbin-gateway.yaml" >/dev/null
grade ingress-gateway
expect_eq "lab's Gateway alone: httpbin-ready holds" "3" "$(rj "$J" ingress-gateway points)"
expect_eq "lab's Gateway alone: gateway and traffic fail" \
	"httpbin-gateway,httpbin-reachable" "$(rj "$J" ingress-gateway failed)"
h=$(rj "$J" ingress-gateway hints)
expect_contains "lab's Gateway alone: IST0101 named" "IST0101, selector not found" "$h"
expect_contains "lab's Gateway alone: way out 1, install a gateway" \
	"components.ingressGateways[0].name=istio-ingressgateway" "$h"
expect_contains "lab's Gateway alone: way out 2, Gateway API" "Gateway API version" "$h"
expect_contains "lab's Gateway alone: the missing VirtualService" \
	"VirtualService with hosts [httpbin.example.com], gateways [httpbin-gateway]" "$h"

kc apply -f "$MANIFESTS/httpbin-virtual-service.yaml" >/dev/null
grade ingress-gateway
expect_eq "with its VirtualService: still fail (no ingress gateway)" \
	"fail httpbin-gateway,httpbin-reachable" \
	"$(rj "$J" ingress-gateway verdict) $(rj "$J" ingress-gateway failed)"
expect_contains "with its VirtualService: selector explained" \
	"selects istio: ingressgateway, but no pod has these labels" "$(rj "$J" ingress-gateway observed)"

# Way out 1: an ingress gateway installed (as istioctl's default profile).
kc apply -f "$SCENARIOS/parts/03-istio-ingressgateway.yaml" >/dev/null
check "istio-ingressgateway ready" wait_ready istio=ingressgateway istio-system
grade ingress-gateway
expect_eq "ingress gateway installed: pass, exit 0" "pass 0 10" \
	"$(rj "$J" ingress-gateway verdict) $LG_RC $(rj "$J" ingress-gateway points)"
expect_contains "ingress gateway installed: its own Service was used" \
	"Service istio-ingressgateway" "$(rj "$J" ingress-gateway evidence)"

# The VirtualService deleted again: the hint names it.
kc delete virtualservice httpbin >/dev/null
grade ingress-gateway
expect_eq "VirtualService deleted: fail" "fail httpbin-gateway,httpbin-reachable" \
	"$(rj "$J" ingress-gateway verdict) $(rj "$J" ingress-gateway failed)"
expect_contains "VirtualService deleted: hint" "the lab text omits it" \
	"$(rj "$J" ingress-gateway hints)"
expect_contains "VirtualService deleted: the gateway answers 404" "HTTP 404" \
	"$(rj "$J" ingress-gateway observed)"

# Way out 2: the Gateway API version, on a cluster without the ingress
# gateway; the lab annotates it ClusterIP and port-forwards.
start_labsim api --scenario "$(scenario complete)" || exit 1
kc apply -f "$MANIFESTS/httpbin.yaml" >/dev/null
check "api: httpbin ready" wait_ready app=httpbin default
kc apply -f "$MANIFESTS/httpbin-gateway-api.yaml" >/dev/null
kc annotate gateway.gateway.networking.k8s.io httpbin-gateway \
	networking.istio.io/service-type=ClusterIP >/dev/null
check "api: httpbin-gateway-istio ready" wait_ready \
	gateway.networking.k8s.io/gateway-name=httpbin-gateway default
grade ingress-gateway
expect_eq "Gateway API: pass, exit 0" "pass 0 10" \
	"$(rj "$J" ingress-gateway verdict) $LG_RC $(rj "$J" ingress-gateway points)"
expect_contains "Gateway API: httpbin's gateway Service, not Bookinfo's" \
	"httpbin's gateway Service: httpbin-gateway-istio" "$(rj "$J" ingress-gateway evidence)"

# --ingress-url pointing at Bookinfo's gateway (the wrong port-forward):
# a 404 whose hint asks which gateway the URL is.
BOOKINFO_URL=$(gateway_url bookinfo/bookinfo-gateway-istio)
grade ingress-gateway --ingress-url "$BOOKINFO_URL"
expect_eq "--ingress-url at Bookinfo's gateway: fail httpbin-reachable" \
	"fail httpbin-reachable" "$(rj "$J" ingress-gateway verdict) $(rj "$J" ingress-gateway failed)"
expect_contains "--ingress-url at Bookinfo's gateway: hint" \
	"is --ingress-url the port-forward of httpbin's gateway" "$(rj "$J" ingress-gateway hints)"
run_lg check ingress-gateway --kubeconfig "$KC" --ingress-url "ftp://x"
expect_eq "--ingress-url ftp://x: usage error" 2 "$LG_RC"
expect_contains "--ingress-url ftp://x: says which option" "--ingress-url needs" "$LG_ERR"

# The HTTPRoute sent to the wrong port.
kc patch httproute httpbin --type=json \
	-p '[{"op":"replace","path":"/spec/rules/0/backendRefs/0/port","value":80}]' >/dev/null
grade ingress-gateway
expect_eq "route to port 80: fail httpbin-gateway" "fail" "$(rj "$J" ingress-gateway verdict)"
expect_contains "route to port 80: observed" \
	"to httpbin.default.svc.cluster.local port 80, not httpbin" "$(rj "$J" ingress-gateway observed)"

# RBAC refusing the pod list: the grade could not finish.
start_labsim forbid --scenario "$(scenario complete)" --forbid pods || exit 1
grade ingress-gateway
expect_eq "pods forbidden: error, exit 3" "error 3" "$(rj "$J" ingress-gateway verdict) $LG_RC"

# egress-gateway: not graded by the default rubric.
grade egress-gateway
expect_eq "egress-gateway: skipped by default" "skip" "$(rj "$J" egress-gateway verdict)"
