#!/usr/bin/env bash
# test_objectives_10.sh: troubleshooting (objective 10) and observability
# (the addons step) against labsim, the scenario set up with the real
# kubectl: the right cluster passes, and each thing a student breaks fails
# the right assertion with its cause in the hint (or warns, for the
# analyzer's findings).
. "$(dirname "$0")/lib.sh"

# rj FILE ID FIELD: verdict | points | failed | hints | warnings of ID.
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
    elif field == "warnings":
        print(" | ".join(r.get("warnings") or []))
    elif field == "points":
        print("%g" % (r.get("points") or 0))
    else:
        print(r.get(field) or "")
    break
else:
    print("absent")
EOF2
}

# grade_one ID: `labgrade check ID` with a JSON report in $J.
grade_one() {
	J="$LIB_TMP/$1.$T_N.json"
	run_lg check "$1" --kubeconfig "$KC" --no-journal --json "$J"
}

# traffic N: N product pages through the gateway, so that the sidecars
# count requests for Prometheus to scrape.
traffic() {
	local i url
	url=$(gateway_url bookinfo/bookinfo-gateway-istio) || return 1
	for i in $(seq 1 "$1"); do
		curl -s -o /dev/null "$url/productpage" || return 1
	done
}

start_labsim complete --scenario "$(scenario complete)" || exit 1
check "complete: pages sent through the gateway" traffic 12

# labsim itself, read with kubectl alone (no labgrade): Kiali's status,
# Prometheus' answer over the scraped sidecars, the proxies' xDS stats.
SVCP=/api/v1/namespaces/istio-system/services
out=$(kc get --raw "$SVCP/kiali:20001/proxy/kiali/api/status")
expect_contains "labsim: Kiali says running" '"Kiali state":"running"' "$out"
out=$(kc get --raw "$SVCP/prometheus:9090/proxy/api/v1/query?query=istio_requests_total%7Breporter%3D%22destination%22%2Cdestination_service_name%3D%22reviews%22%7D")
expect_contains "labsim: Prometheus answers a vector" '"resultType":"vector"' "$out"
expect_eq "labsim: only reviews' series, each with its pod" "True" \
	"$(python3 -c 'import json,sys
r = json.loads(sys.argv[1])["data"]["result"]
print(bool(r) and all(x["metric"]["destination_service_name"] == "reviews"
	and x["metric"]["pod"].startswith("reviews-")
	and x["metric"]["__name__"] == "istio_requests_total" for x in r))' "$out")"
out=$(kc get --raw "$SVCP/prometheus:9090/proxy/api/v1/query?query=sum(istio_requests_total)" 2>&1)
expect_contains "labsim: PromQL beyond selectors is refused (400)" "BadRequest" "$out"
PP=$(kc get pods -n bookinfo -l app=productpage -o name | head -1)
out=$(kc get --raw "/api/v1/namespaces/bookinfo/pods/${PP#pod/}:15020/proxy/stats/prometheus")
expect_contains "labsim: a sidecar's xds-grpc stream is up" \
	'envoy_cluster_upstream_cx_active{cluster_name="xds-grpc"} 1' "$out"

grade_one observability
expect_eq "complete: observability passes" "pass 0" "$(rj "$J" observability verdict) $LG_RC"
expect_eq "complete: observability earns 10" "10" "$(rj "$J" observability points)"
expect_contains "complete: Prometheus saw reviews' traffic" "reviews 1" \
	"$(rj "$J" observability observed)"
grade_one troubleshooting
expect_eq "complete: troubleshooting passes" "pass 0" "$(rj "$J" troubleshooting verdict) $LG_RC"
expect_contains "complete: every proxy connected" "proxies connected, none rejected" \
	"$(rj "$J" troubleshooting observed)"

# A route to a subset no DestinationRule defines: a warning, no lost point.
kc apply -n bookinfo -f - >/dev/null <<'EOF2'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v9}
EOF2
grade_one troubleshooting
expect_eq "undefined subset: still a pass" "pass" "$(rj "$J" troubleshooting verdict)"
expect_contains "undefined subset: IST0101 warning" "IST0101" \
	"$(rj "$J" troubleshooting warnings)"
kc delete virtualservice -n bookinfo reviews >/dev/null

# An EnvoyFilter that patches in a type Envoy does not know: ratings'
# proxy NACKs its listeners, and istiod counts it.
kc apply -n bookinfo -f - >/dev/null <<'EOF2'
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: ratings-lua
spec:
  workloadSelector:
    labels: {app: ratings}
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
    patch:
      operation: INSERT_BEFORE
      value:
        name: example.lua
        typed_config:
          "@type": type.googleapis.com/example.filters.http.Lua
EOF2
ISTIOD=$(kc get pods -n istio-system -l app=istiod -o name | head -1)
out=$(kc get --raw "/api/v1/namespaces/istio-system/pods/${ISTIOD#pod/}:15014/proxy/metrics")
expect_contains "labsim: istiod names the rejecting proxy" \
	'pilot_xds_lds_reject{node="sidecar~' "$out"
expect_contains "labsim: istiod counts LDS rejects" \
	'pilot_total_xds_rejects{type="lds"} 1' "$out"
grade_one troubleshooting
expect_eq "rejected config: fail" "fail proxies-synced" \
	"$(rj "$J" troubleshooting verdict) $(rj "$J" troubleshooting failed)"
expect_contains "rejected config: the ratings proxy is named" "rejected 0 CDS and 1 LDS" \
	"$(rj "$J" troubleshooting observed)"
expect_contains "rejected config: hint reads its log" "-c istio-proxy" \
	"$(rj "$J" troubleshooting hints)"
kc delete envoyfilter -n bookinfo ratings-lua >/dev/null
grade_one troubleshooting
expect_eq "filter deleted: pass again" "pass" "$(rj "$J" troubleshooting verdict)"

# A crash-looping ratings-v1: pods-healthy fails and says how to see why.
kc apply -f "$(scenario crashloop)/13-ratings-crashloop.yaml" >/dev/null
for i in $(seq 1 50); do
	kc get pods -n bookinfo 2>/dev/null | grep -q CrashLoopBackOff && break
	sleep 0.2
done
grade_one troubleshooting
expect_eq "crashloop: fail pods-healthy" "fail pods-healthy" \
	"$(rj "$J" troubleshooting verdict) $(rj "$J" troubleshooting failed)"
expect_contains "crashloop: hint reads the previous log" "--previous" \
	"$(rj "$J" troubleshooting hints)"

# Prometheus scaled to 0: its Service has no endpoint.
kc scale deployment prometheus -n istio-system --replicas=0 >/dev/null
grade_one observability
expect_eq "prometheus at 0: fail" "fail 1" "$(rj "$J" observability verdict) $LG_RC"
expect_contains "prometheus at 0: both assertions" "addons-available,prometheus-metrics" \
	"$(rj "$J" observability failed)"
expect_contains "prometheus at 0: hint" "Prometheus does not answer" \
	"$(rj "$J" observability hints)"

# Grafana deleted: the hint names its manifest.
kc delete deployment grafana -n istio-system >/dev/null
grade_one observability
expect_contains "grafana deleted: hint applies its addon" \
	"kubectl apply -f samples/addons/grafana.yaml" "$(rj "$J" observability hints)"
expect_contains "grafana deleted: observed" "deployment grafana: not found" \
	"$(rj "$J" observability observed)"

# Without the addons at all, and with RBAC refusing istio-system's
# Services (labsim's --forbid names a resource, not a subresource).
start_labsim no-addons --scenario "$(scenario no-addons)" || exit 1
grade_one observability
expect_eq "no-addons: every assertion fails" \
	"fail addons-available,kiali-answers,prometheus-metrics" \
	"$(rj "$J" observability verdict) $(rj "$J" observability failed)"
expect_contains "no-addons: jaeger's manifest named" "samples/addons/jaeger.yaml" \
	"$(rj "$J" observability hints)"
start_labsim forbid --scenario "$(scenario complete)" \
	--forbid services:istio-system || exit 1
grade_one observability
expect_eq "services forbidden: error, exit 3" "error 3" \
	"$(rj "$J" observability verdict) $LG_RC"

# The scenario with the rejected EnvoyFilter, graded whole: troubleshooting
# fails on ratings' proxy and every other objective is as on complete.
all_verdicts() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (x["id"], x["verdict"]) for x in d["results"]
	if x["id"] != "troubleshooting"))' "$1"
}
start_labsim ref --scenario "$(scenario complete)" || exit 1
run_lg all --kubeconfig "$KC" --no-journal --json "$LIB_TMP/ref.json"
start_labsim rejected --scenario "$(scenario troubleshooting-rejected-config)" ||
	exit 1
J="$LIB_TMP/rejected.json"
run_lg all --kubeconfig "$KC" --no-journal --json "$J"
expect_eq "rejected-config scenario: troubleshooting fails proxies-synced" \
	"fail proxies-synced" \
	"$(rj "$J" troubleshooting verdict) $(rj "$J" troubleshooting failed)"
expect_contains "rejected-config scenario: ratings named" "ratings-v1-" \
	"$(rj "$J" troubleshooting observed)"
expect_eq "rejected-config scenario: the other objectives as on complete" \
	"$(all_verdicts "$LIB_TMP/ref.json")" "$(all_verdicts "$J")"
