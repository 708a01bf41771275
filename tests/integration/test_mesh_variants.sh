#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_mesh_variants.sh: the lab's wrong answers, applied with the real
# kubectl, must behave through the gateway as Istio 1.24 makes them behave
# (so a grader can tell them from the right ones); and pods created before
# the namespace label gain their sidecar with `kubectl rollout restart`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mesh_lib.sh"

SCALE=0.1
N=300

# ---- labelled after deploying: 1/1 until a rollout restart
start_labsim unl --time-scale "$SCALE" --scenario "$(scenario ns-unlabelled)" || exit 1
proxies() {
	kc get pods -n bookinfo -l app -o jsonpath='{range .items[*]}{.spec.containers[*].name}{"\n"}{end}' |
		grep -c istio-proxy
}
expect_eq "unlabelled: no Bookinfo pod has a sidecar" 0 "$(proxies)"
out=$(kc label namespace bookinfo istio-injection=enabled 2>&1)
expect_eq "kubectl label namespace" "namespace/bookinfo labeled" "$out"
expect_eq "labelled: running pods keep no sidecar" 0 "$(proxies)"
out=$(kc rollout restart deployment -n bookinfo 2>&1)
# six Bookinfo deployments and the gateway's
expect_eq "rollout restart restarts the seven deployments" 7 \
	"$(grep -c 'restarted$' <<<"$out")"
n=0
for i in $(seq 1 50); do
	n=$(proxies)
	[ "$n" = 6 ] && break
	sleep 0.1
done
expect_eq "after the restart every Bookinfo pod has istio-proxy" 6 "$n"
out=$(kc get pods -n bookinfo -l app 2>&1)
expect_eq "kubectl shows them 2/2 Running" 6 "$(grep -c ' 2/2 *Running' <<<"$out")"
GW=$(gateway_url bookinfo/bookinfo-gateway-istio)
check "the page still answers through the gateway" wait_http "$GW/productpage"

# ---- the wrong variants, from the completed gateway step
start_labsim var --time-scale "$SCALE" --scenario "$(scenario complete)" || exit 1
GW=$(gateway_url bookinfo/bookinfo-gateway-istio)
check "gateway announced and answering ($GW)" wait_http "$GW/productpage"
step "$MANIFESTS/destination-rule-all.yaml"
step "$MANIFESTS/virtual-service-all-v1.yaml"

# split SHARE FILE: after applying FILE, $N pages send about SHARE to v2
# and none to v3
split() {
	local share=$1 lo hi p v2
	step "$MANIFESTS/$2"
	read -r lo hi < <(binom_bounds "$N" "$share" 4.5)
	p=$(pages "$GW" "$N")
	v2=$(count 2 v2 <<<"$p")
	echo "# $2: $N pages, v1 $(count 2 v1 <<<"$p") v2 $v2 v3 $(count 2 v3 <<<"$p"); v2 bound [$lo, $hi]"
	expect_between "$2: v2's share" "$lo" "$hi" "$v2"
	expect_eq "$2: nothing to v3" 0 "$(count 2 v3 <<<"$p")"
	expect_eq "$2: black stars exactly on v2's pages" "$v2" \
		"$(count 3 black <<<"$p")"
}
split 0.1 virtual-service-reviews-90-10.yaml
split 0.2 virtual-service-reviews-80-20.yaml

step "$MANIFESTS/virtual-service-reviews-jason-v2-v3.yaml"
expect_eq "POST /login username=jason: 302" 302 "$(login_jason "$GW")"
P=$(pages "$GW" 6 jason)
expect_eq "jason-v2-v3: jason gets v2, black stars" 6 \
	"$(awk '$2 == "v2" && $3 == "black"' <<<"$P" | grep -c .)"
P=$(pages "$GW" 6)
expect_eq "jason-v2-v3: others get v3, red stars" 6 \
	"$(awk '$2 == "v3" && $3 == "red"' <<<"$P" | grep -c .)"

# ratings-test-abort with reviews-test-v2: jason's v2 page, ratings 500
step "$MANIFESTS/virtual-service-reviews-test-v2.yaml"
step "$MANIFESTS/virtual-service-ratings-test-abort.yaml"
V2=$(pod_of reviews v2)
fi0=$(metric "$V2" reporter=source destination_service_name=ratings \
	response_code=500 response_flags=FI)
P=$(pages "$GW" 4 jason)
echo "# abort, jason: $(tr '\n' ';' <<<"$P")"
expect_eq "abort: jason's page from v2 with the ratings error" 4 \
	"$(awk '$1 == 200 && $2 == "v2" && $4 == "ratings"' <<<"$P" | grep -c .)"
while read -r _ _ _ _ secs; do
	expect_between "abort: fast, no delay" 0 "$(scaled 1.5)" "$secs"
done <<<"$P"
fi1=$(metric "$V2" reporter=source destination_service_name=ratings \
	response_code=500 response_flags=FI)
expect_eq "abort: reviews-v2's sidecar counts 4 ratings calls 500 FI" 4 \
	$((fi1 - fi0))
P=$(pages "$GW" 4)
expect_eq "abort: anonymous pages untouched (v1, no error)" 4 \
	"$(awk '$2 == "v1" && $4 == "-"' <<<"$P" | grep -c .)"

# a breaker NAMED reviews without subsets replaces destination-rule-all's
# reviews rule: every subset route finds no cluster (503 NC); with no
# cluster there is no cluster metadata, so Istio's stats filter names the
# service after the Host header
PP=$(pod_of productpage v1)
nc() {
	metric "$PP" reporter=source destination_service_name=reviews:9080 \
		destination_service=reviews:9080 \
		destination_service_namespace=unknown \
		response_code=503 response_flags=NC
}
expect_eq "before the bad breaker: no NC" 0 "$(nc)"
step "$MANIFESTS/destination-rule-reviews-cb-no-subsets.yaml"
expect_eq "the rule named reviews lost its subsets" "" \
	"$(kc get destinationrule reviews -n bookinfo -o jsonpath='{.spec.subsets}')"
P=$(pages "$GW" 5)
expect_eq "no-subsets: anonymous pages show the reviews error (200)" 5 \
	"$(awk '$1 == 200 && $4 == "reviews"' <<<"$P" | grep -c .)"
P=$(pages "$GW" 5 jason)
expect_eq "no-subsets: jason's pages too" 5 "$(count 4 reviews <<<"$P")"
n_nc=$(nc)
echo "# no-subsets: 10 pages -> $n_nc calls to reviews 503 NC"
expect_eq "no-subsets: productpage counts 503 NC (2 tries x 10 pages)" 20 "$n_nc"
expect_eq "no-subsets: the JSON API answers 503 or 500" 1 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$GW/api/v1/products/0/reviews" | grep -c '^50[03]$')"

# ==== Istio 1.24 semantics, one case each, on a fresh lab (DestinationRule
# all applied; no VirtualService)
start_labsim sem --time-scale "$SCALE" --scenario "$(scenario complete)" || exit 1
GW=$(gateway_url bookinfo/bookinfo-gateway-istio)
check "sem: gateway answering ($GW)" wait_http "$GW/productpage"
step "$MANIFESTS/destination-rule-all.yaml"
PP=$(pod_of productpage v1)
V2=$(pod_of reviews v2)
V3=$(pod_of reviews v3)
# a reviews version whose every answer is 503 (an image name labsim serves
# as failing), with its own subset in a second rule for host reviews
apply "reviews-v4, failing" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v4, labels: {app: reviews, version: v4}}
spec:
  replicas: 1
  selector: {matchLabels: {app: reviews, version: v4}}
  template:
    metadata: {labels: {app: reviews, version: v4}}
    spec:
      containers:
      - name: reviews
        image: docker.io/istio/examples-bookinfo-reviews-v1-http503:1.20.2
        ports: [{containerPort: 9080}]
EOF
kc wait --for=condition=Ready pod -n bookinfo -l version=v4 --timeout=20s >/dev/null 2>&1
V4=$(pod_of reviews v4)
# vs_reviews SUBSET [EXTRA]: VirtualService reviews, all to SUBSET, with
# EXTRA (YAML lines of the http route, 4-space indented) added
vs_reviews() {
	apply "VirtualService reviews -> $1${2:+ ($(tr -s ' \n' ' ' <<<"$2"))}" <<EOF
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: $1}
${2:-}
EOF
}
v4_rule() {
	apply "DestinationRule reviews-v4${1:+ with $1}" <<EOF
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-v4}
spec:
  host: reviews
  subsets:
  - name: v4
    labels: {version: v4}
${2:-}
EOF
}
v4_rule
src() { metric "$PP" reporter=source destination_service_name=reviews "$@"; }
tries() { metric "$V4" reporter=destination response_code=503; }
# retry_case DESC TRIES FLAGS: 2 pages (productpage calls reviews twice a
# page) make TRIES x 4 tries reach reviews-v4, and productpage's sidecar
# counts 4 calls 503 with FLAGS
retry_case() {
	local t0 f0 P
	t0=$(tries) f0=$(src response_code=503 "response_flags=$3")
	P=$(pages "$GW" 2)
	expect_eq "$1: the pages show the reviews error" 2 "$(count 4 reviews <<<"$P")"
	expect_eq "$1: reviews-v4's sidecar counts $2 tries per call" \
		$(($2 * 4)) $(($(tries) - t0))
	expect_eq "$1: productpage's sidecar counts 503 $3 per call" 4 \
		$(($(src response_code=503 "response_flags=$3") - f0))
}
vs_reviews v4
retry_case "default retry policy (2 retries on 503)" 3 URX
vs_reviews v4 '    retries: {attempts: 0}'
retry_case "retries.attempts 0: no retry" 1 -
vs_reviews v4 '    retries: {attempts: 1}'
retry_case "retries without retryOn: the default conditions" 2 URX
vs_reviews v4 '    retries: {attempts: 3, retryOn: gateway-error}'
retry_case "retryOn gateway-error retries a 503" 4 URX
vs_reviews v4 '    retries: {attempts: 3, retryOn: connect-failure}'
retry_case "retryOn connect-failure does not retry a 503" 1 -
vs_reviews v4
v4_rule "maxRetries 0 (subset-level policy)" '    trafficPolicy: {connectionPool: {http: {maxRetries: 0}}}'
retry_case "connectionPool.http.maxRetries 0: the retry overflows" 1 UO
# outlier detection (ejections last baseEjectionTime x 0.1 here)
v4_rule "consecutiveErrors 1 only" '    trafficPolicy: {outlierDetection: {consecutiveErrors: 1, interval: 1s, baseEjectionTime: 1s}}'
t0=$(tries) uh0=$(src response_code=503 response_flags=UH)
pages "$GW" 1 >/dev/null
expect_eq "consecutiveErrors is ignored: ejected after Envoy's default 5, not 1" \
	5 $(($(tries) - t0))
expect_eq "an ejected host on the retry answers 503 UH" 1 \
	$(($(src response_code=503 response_flags=UH) - uh0))
sleep 0.5
# two failing hosts: maxEjectionPercent and minHealthPercent
kc scale deployment reviews-v4 -n bookinfo --replicas=2 >/dev/null
for i in $(seq 1 50); do
	[ "$(kc get pods -n bookinfo -l version=v4 -o jsonpath='{range .items[*]}{.status.containerStatuses[*].ready}{"\n"}{end}' | grep -c 'true true')" = 2 ] && break
	sleep 0.1
done
# eject_case DESC EXTRA FLAGS: one page (2 calls) with EXTRA in the
# outlierDetection; productpage counts 2 calls 503 FLAGS
eject_case() {
	local f0
	v4_rule "$1" "    trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1s$2}}"
	f0=$(src response_code=503 "response_flags=$3")
	pages "$GW" 1 >/dev/null
	expect_eq "$1: 2 calls 503 $3" 2 \
		$(($(src response_code=503 "response_flags=$3") - f0))
	sleep 0.5 # the ejections (0.1 s, 0.2 s the second time) end
}
eject_case "maxEjectionPercent 10 (default): the second host stays in" "" URX
eject_case "maxEjectionPercent 100: both ejected, the last retry finds none" \
	", maxEjectionPercent: 100" UH
eject_case "minHealthPercent 60: under it every host is used again (panic)" \
	", maxEjectionPercent: 100, minHealthPercent: 60" URX
kc scale deployment reviews-v4 -n bookinfo --replicas=1 >/dev/null
sleep 0.3
V4=$(pod_of reviews v4)
v4_rule "consecutiveGatewayErrors 1" '    trafficPolicy: {outlierDetection: {consecutiveGatewayErrors: 1, interval: 1s, baseEjectionTime: 1m}}'
t0=$(tries) uh0=$(src response_code=503 response_flags=UH)
pages "$GW" 2 >/dev/null
expect_eq "consecutiveGatewayErrors 1: one 503, then ejected" 1 $(($(tries) - t0))
expect_eq "consecutiveGatewayErrors 1: every call then 503 UH" 4 \
	$(($(src response_code=503 response_flags=UH) - uh0))
kc delete destinationrule reviews-v4 -n bookinfo >/dev/null

# mirroring: mirror + the deprecated integer mirrorPercent, and mirrors
dv() { metric "$1" reporter=destination destination_service_name=reviews; }
vs_reviews v1 '    mirror: {host: reviews, subset: v3}
    mirrorPercent: 100
    mirrors:
    - destination: {host: reviews, subset: v2}'
a2=$(dv "$V2") a3=$(dv "$V3")
P=$(pages "$GW" 10)
expect_eq "mirrors: users see only v1" 10 "$(count 2 v1 <<<"$P")"
expect_eq "mirrors: the mirrors list entry (no percentage: 100 %) reaches v2" \
	10 $(($(dv "$V2") - a2))
expect_eq "mirrors: mirrorPercent 100 (deprecated) is honoured" 10 \
	$(($(dv "$V3") - a3))
vs_reviews v1 '    mirror: {host: reviews, subset: v3}
    mirrorPercentage: {value: 0}'
a3=$(dv "$V3")
pages "$GW" 5 >/dev/null
expect_eq "mirrorPercentage 0: nothing mirrored" 0 $(($(dv "$V3") - a3))

# faults: no percentage is 0 %; delay and abort together
vs_reviews v2
vs_ratings() {
	apply "VirtualService ratings ($(tr -s ' \n' ' ' <<<"$1"))" <<EOF
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
$1
EOF
}
vs_ratings '  - fault: {delay: {fixedDelay: 7s}, abort: {httpStatus: 500}}
    route: [{destination: {host: ratings, subset: v1}}]'
P=$(pages "$GW" 3)
expect_eq "a fault without percentage applies to 0 %: black stars" 3 \
	"$(awk '$2 == "v2" && $3 == "black" && $4 == "-"' <<<"$P" | grep -c .)"
while read -r _ _ _ _ secs; do
	expect_between "a fault without percentage: no delay" 0 "$(scaled 1.5)" "$secs"
done <<<"$P"
vs_ratings '  - fault:
      delay: {fixedDelay: 2s, percentage: {value: 100}}
      abort: {httpStatus: 500, percentage: {value: 100}}
    route: [{destination: {host: ratings, subset: v1}}]'
difi() {
	metric "$V2" reporter=source destination_service_name=ratings \
		response_code=500 response_flags=DI,FI
}
d0=$(difi)
P=$(pages "$GW" 2)
expect_eq "delay and abort: the ratings error" 2 "$(count 4 ratings <<<"$P")"
expect_eq "delay and abort: reviews-v2 counts 500 DI,FI" 2 $(($(difi) - d0))
while read -r _ _ _ _ secs; do
	expect_between "delay and abort: delayed first" "$(scaled 2)" "$(scaled 4)" "$secs"
done <<<"$P"

# route timeout
vs_ratings '  - fault: {delay: {fixedDelay: 2s, percentage: {value: 100}}}
    route: [{destination: {host: ratings, subset: v1}}]'
vs_reviews v2 '    timeout: 0.5s'
ut0=$(src response_code=504 response_flags=UT)
P=$(pages "$GW" 2)
expect_eq "route timeout 0.5s: the reviews error" 2 "$(count 4 reviews <<<"$P")"
expect_eq "route timeout: productpage counts 504 UT (2 calls a page, not retried)" 4 \
	$(($(src response_code=504 response_flags=UT) - ut0))

# perTryTimeout: each try cut at 0.5 s and, with retryOn 5xx, tried again
vs_reviews v2 '    retries: {attempts: 2, perTryTimeout: 0.5s, retryOn: 5xx}'
dc() {
	metric "$V2" reporter=destination response_code=0 response_flags=DC
}
ut0=$(src response_code=504 response_flags=UT) dc0=$(dc)
P=$(pages "$GW" 1)
expect_eq "perTryTimeout: the reviews error" 1 "$(count 4 reviews <<<"$P")"
expect_eq "perTryTimeout: reviews-v2 sees 3 tries a call cut (0 DC)" 6 \
	$(($(dc) - dc0))
expect_eq "perTryTimeout: productpage counts 504 UT a call" 2 \
	$(($(src response_code=504 response_flags=UT) - ut0))
read -r _ _ _ _ secs <<<"$P"
expect_between "perTryTimeout: 2 calls x 3 tries x 0.5 s (+ back-off)" \
	"$(scaled 3)" "$(scaled 4)" "$secs"

# match order and sourceLabels: the first rule that matches wins
vs_ratings '  - match: [{sourceLabels: {version: v3}}]
    fault: {abort: {httpStatus: 500, percentage: {value: 100}}}
    route: [{destination: {host: ratings, subset: v1}}]
  - route: [{destination: {host: ratings, subset: v1}}]'
vs_reviews v2
P=$(pages "$GW" 3)
expect_eq "sourceLabels version v3: reviews-v2's calls are not aborted" 3 \
	"$(awk '$2 == "v2" && $4 == "-"' <<<"$P" | grep -c .)"
vs_reviews v3
P=$(pages "$GW" 3)
expect_eq "sourceLabels version v3: reviews-v3's calls are" 3 \
	"$(awk '$2 == "v3" && $4 == "ratings"' <<<"$P" | grep -c .)"
vs_ratings '  - route: [{destination: {host: ratings, subset: v1}}]
  - match: [{sourceLabels: {version: v3}}]
    fault: {abort: {httpStatus: 500, percentage: {value: 100}}}
    route: [{destination: {host: ratings, subset: v1}}]'
P=$(pages "$GW" 3)
expect_eq "match order: a catch-all first shadows the abort" 3 \
	"$(awk '$2 == "v3" && $4 == "-"' <<<"$P" | grep -c .)"
kc delete virtualservice ratings -n bookinfo >/dev/null

# gateways: a VirtualService bound only to a gateway is not the sidecars'
apply "VirtualService reviews for a gateway only" <<'EOF'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  gateways: [bookinfo-gateway]
  http:
  - route: [{destination: {host: reviews, subset: v3}}]
EOF
P=$(pages "$GW" 30)
expect_eq "gateways [bookinfo-gateway]: sidecars ignore it (v1 and v2 seen)" \
	"yes yes" "$([ "$(count 2 v1 <<<"$P")" -gt 0 ] && echo yes) $([ "$(count 2 v2 <<<"$P")" -gt 0 ] && echo yes)"
kc patch virtualservice reviews -n bookinfo --type=merge \
	-p '{"spec":{"gateways":["bookinfo-gateway","mesh"]}}' >/dev/null
P=$(pages "$GW" 10)
expect_eq "gateways with mesh: the sidecars route to v3" 10 "$(count 2 v3 <<<"$P")"
kc delete virtualservice reviews -n bookinfo >/dev/null

# exportTo and other namespaces: a VirtualService elsewhere (FQDN host)
kc create namespace other >/dev/null
APPLY_NS=other apply "VirtualService in namespace other for reviews.bookinfo (FQDN)" <<'EOF'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-elsewhere, namespace: other}
spec:
  hosts: [reviews.bookinfo.svc.cluster.local]
  http:
  - route: [{destination: {host: reviews.bookinfo.svc.cluster.local, subset: v2}}]
EOF
P=$(pages "$GW" 10)
expect_eq "a VirtualService in another namespace applies (exported by default)" \
	10 "$(count 2 v2 <<<"$P")"
kc patch virtualservice reviews-elsewhere -n other --type=merge \
	-p '{"spec":{"exportTo":["."]}}' >/dev/null
P=$(pages "$GW" 30)
expect_eq "exportTo [.]: bookinfo's sidecars no longer see it" yes \
	"$([ "$(count 2 v2 <<<"$P")" -lt 30 ] && echo yes)"
kc delete namespace other >/dev/null
# DestinationRules: the client's namespace, the Service's, then the root
# namespace (istio-system); a rule in any other namespace does not apply
kc delete destinationrule reviews -n bookinfo >/dev/null
vs_reviews v3
dr_reviews_in() {
	APPLY_NS=$1 apply "DestinationRule for reviews.bookinfo in $1" <<EOF
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-$1, namespace: $1}
spec:
  host: reviews.bookinfo.svc.cluster.local
  subsets:
  - {name: v3, labels: {version: v3}}
EOF
}
dr_reviews_in istio-system
P=$(pages "$GW" 5)
expect_eq "a DestinationRule in the root namespace defines the subset" 5 \
	"$(count 2 v3 <<<"$P")"
kc delete destinationrule reviews-istio-system -n istio-system >/dev/null
kc create namespace third >/dev/null
dr_reviews_in third
nc0=$(metric "$PP" reporter=source destination_service_name=reviews:9080 response_flags=NC)
P=$(pages "$GW" 2)
expect_eq "a DestinationRule in a third namespace does not apply (503 NC)" 2 \
	"$(count 4 reviews <<<"$P")"
expect_eq "NC: labels from the Host header (reviews:9080), 2 calls a page" 4 \
	$(($(metric "$PP" reporter=source destination_service_name=reviews:9080 response_flags=NC) - nc0))
kc delete namespace third >/dev/null
step "$MANIFESTS/destination-rule-all.yaml"

# connection pools, concurrency and subset-level policies: the same 20
# simultaneous pages; every count is exact (arrivals gathered in a burst)
pool_rule() {
	apply "DestinationRule reviews: $1" <<EOF
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    connectionPool: {http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}}
  subsets:
  - name: v1
    labels: {version: v1}
$2
  - {name: v2, labels: {version: v2}}
  - {name: v3, labels: {version: v3}}
EOF
}
uo() { src response_code=503 response_flags=UO; }
# burst SUBSET EXPECTED DESC
burst() {
	local u0 R
	vs_reviews "$1"
	u0=$(uo)
	R=$(parallel_get "$GW/productpage" 20)
	expect_eq "$3: 20 pages 200" 20 "$(count 1 200 <<<"$R")"
	expect_eq "$3: $2 calls overflow (503 UO)" "$2" $(($(uo) - u0))
}
pool_rule "pending 1, one request a connection; v1 overrides the pool" \
	'    trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: 100}}}'
burst v2 38 "top-level pool (19 pages x 2 tries)"
burst v1 0 "v1's own connectionPool replaces the top-level one"
pool_rule "v1: http2MaxRequests 1" \
	'    trafficPolicy: {connectionPool: {http: {http2MaxRequests: 1}}}'
burst v1 38 "http2MaxRequests 1 bounds active requests"
pool_rule "v1: maxConnections 1, pending 1" \
	'    trafficPolicy: {connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}}'
burst v1 36 "tcp.maxConnections 1 + 1 pending (18 pages x 2 tries)"
u0=$(uo)
pages "$GW" 5 >/dev/null
expect_eq "sequential pages never overflow" 0 $(($(uo) - u0))
step "$MANIFESTS/destination-rule-all.yaml"

# GAMMA: an HTTPRoute whose parentRef is the reviews Service
apply "Services reviews-v1 and reviews-v2, HTTPRoute reviews -> reviews-v2" <<'EOF'
apiVersion: v1
kind: Service
metadata: {name: reviews-v1, labels: {app: reviews}}
spec:
  ports: [{port: 9080, name: http}]
  selector: {app: reviews, version: v1}
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v2, labels: {app: reviews}}
spec:
  ports: [{port: 9080, name: http}]
  selector: {app: reviews, version: v2}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews}
spec:
  parentRefs:
  - {group: "", kind: Service, name: reviews, port: 9080}
  rules:
  - backendRefs: [{name: reviews-v2, port: 9080}]
EOF
kc delete virtualservice reviews -n bookinfo >/dev/null
P=$(pages "$GW" 10)
expect_eq "GAMMA route-reviews-v2: every page from v2" 10 "$(count 2 v2 <<<"$P")"
kc patch httproute reviews -n bookinfo --type=merge -p \
	'{"spec":{"rules":[{"backendRefs":[{"name":"reviews-v1","port":9080,"weight":50},{"name":"reviews-v2","port":9080,"weight":50}]}]}}' >/dev/null
P=$(pages "$GW" 40)
expect_eq "GAMMA 50/50: v1 and v2 both, never v3" "yes yes 0" \
	"$([ "$(count 2 v1 <<<"$P")" -gt 0 ] && echo yes) $([ "$(count 2 v2 <<<"$P")" -gt 0 ] && echo yes) $(count 2 v3 <<<"$P")"

# the injector's four webhooks (Istio 1.24)
# inject NS NSLABELS PODLABELS PODANNOTATIONS: containers of a new pod
inject() {
	kc create namespace "$1" >/dev/null
	[ -n "$2" ] && kc label namespace "$1" $2 >/dev/null
	kc apply -n "$1" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: p${3:+, $3}}, annotations: {${4:-}}}
spec:
  containers: [{name: app, image: docker.io/istio/examples-bookinfo-details-v1:1.20.2}]
EOF
	kc get pod p -n "$1" -o jsonpath='{.spec.containers[*].name}'
}
expect_eq "injection: istio-injection=enabled" "app istio-proxy" \
	"$(inject inj-a istio-injection=enabled)"
expect_eq "injection: istio.io/rev naming the installed revision" "app istio-proxy" \
	"$(inject inj-b istio.io/rev=default)"
expect_eq "injection: istio.io/rev naming no installed revision" "app" \
	"$(inject inj-c istio.io/rev=canary)"
expect_eq "injection: pod label inject=true, namespace unlabelled" "app istio-proxy" \
	"$(inject inj-d "" 'sidecar.istio.io/inject: "true"')"
expect_eq "injection: pod label inject=true, namespace istio-injection=disabled" "app" \
	"$(inject inj-e istio-injection=disabled 'sidecar.istio.io/inject: "true"')"
expect_eq "injection: pod label inject=true, namespace with istio.io/rev=canary" "app" \
	"$(inject inj-f istio.io/rev=canary 'sidecar.istio.io/inject: "true"')"
expect_eq "injection: pod label inject=false opts out" "app" \
	"$(inject inj-g istio-injection=enabled 'sidecar.istio.io/inject: "false"')"
expect_eq "injection: the deprecated annotation inject=false opts out" "app" \
	"$(inject inj-h istio-injection=enabled "" '"sidecar.istio.io/inject": "false"')"
