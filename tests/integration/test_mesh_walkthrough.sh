#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_mesh_walkthrough.sh: the Istio Traffic Management lab done step by
# step with the real kubectl against labsim, from a cluster with Istio but
# no Bookinfo; after each step plain HTTP through the gateway (and the
# sidecars' metrics through the API server) must show what Istio 1.24 does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mesh_lib.sh"

SCALE=0.1 # every simulated duration x 0.1: the ~6 s step takes ~0.6 s
start_labsim walk --time-scale "$SCALE" \
	--scenario "$PARTS/00-cluster.yaml" \
	--scenario "$PARTS/00-istio-crds.yaml" \
	--scenario "$PARTS/01-gateway-api-crds.yaml" \
	--scenario "$PARTS/02-istiod.yaml" \
	--scenario "$PARTS/10-bookinfo-ns-unlabelled.yaml" \
	--scenario "$PARTS/25-addons.yaml" || exit 1

# ---- sidecar injection and Bookinfo, as the lab does it
out=$(kc label namespace bookinfo istio-injection=enabled 2>&1)
expect_eq "kubectl label namespace" "namespace/bookinfo labeled" "$out"
step "$PARTS/11-bookinfo.yaml"
step "$PARTS/12-bookinfo-reviews-v3.yaml"
out=$(kc get pods -n bookinfo -o jsonpath='{range .items[*]}{.metadata.name} {.spec.containers[*].name}{"\n"}{end}')
expect_eq "six Bookinfo pods" 6 "$(grep -c . <<<"$out")"
expect_eq "every Bookinfo pod has istio-proxy" 6 "$(grep -c ' istio-proxy' <<<"$out")"
out=$(kc get pods -n bookinfo 2>&1)
expect_eq "kubectl shows them 2/2 Running" 6 "$(grep -c ' 2/2 *Running' <<<"$out")"

# ---- the Gateway API gateway
step "$PARTS/20-bookinfo-gateway.yaml"
GW=""
for i in $(seq 1 50); do
	GW=$(nodeport_url bookinfo bookinfo-gateway-istio) && break
	sleep 0.1
done
check "Istio deployed bookinfo-gateway-istio with a NodePort ($GW)" test -n "$GW"
check "GET /productpage through the gateway answers 200" wait_http "$GW/productpage"
expect_eq "a path the HTTPRoute does not expose: 404" 404 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$GW/health")"
P=$(pages "$GW" 30)
echo "# no VirtualService, 30 pages: v1 $(count 2 v1 <<<"$P") v2 $(count 2 v2 <<<"$P") v3 $(count 2 v3 <<<"$P")"
check "no routing rules: round robin reaches v1, v2 and v3" \
	test "$(count 2 v1 <<<"$P")" -gt 0 -a "$(count 2 v2 <<<"$P")" -gt 0 \
	-a "$(count 2 v3 <<<"$P")" -gt 0

# ---- request routing: all to v1, then jason to v2
step "$MANIFESTS/destination-rule-all.yaml"
step "$MANIFESTS/virtual-service-all-v1.yaml"
P=$(pages "$GW" 6)
expect_eq "all-v1: six anonymous pages answer 200" 6 "$(count 1 200 <<<"$P")"
expect_eq "all-v1: six anonymous pages from reviews-v1" 6 "$(count 2 v1 <<<"$P")"
expect_eq "all-v1: no stars" 6 "$(count 3 none <<<"$P")"
step "$MANIFESTS/virtual-service-reviews-test-v2.yaml"
expect_eq "POST /login username=jason: 302" 302 "$(login_jason "$GW")"
check "login set Flask's session cookie" grep -q 'session' "$JAR"
P=$(pages "$GW" 6 jason)
expect_eq "test-v2: jason's six pages from reviews-v2" 6 "$(count 2 v2 <<<"$P")"
expect_eq "test-v2: jason sees black stars" 6 "$(count 3 black <<<"$P")"
P=$(pages "$GW" 6)
expect_eq "test-v2: anonymous still reviews-v1" 6 "$(count 2 v1 <<<"$P")"
out=$(curl -s -m 5 -H 'end-user: jason' "$GW/api/v1/products/0/reviews")
expect_contains "a client's own end-user header is not forwarded (v1)" \
	'"podname":"reviews-v1-' "$out"

# ---- fault injection: 7 s delay on ratings for jason
step "$MANIFESTS/virtual-service-ratings-test-delay.yaml"
PP=$(pod_of productpage v1)
dc() {
	metric "$PP" reporter=source destination_service_name=reviews \
		response_code=0 response_flags=DC
}
V2=$(pod_of reviews v2)
reset() {
	metric "$V2" reporter=destination destination_workload=reviews-v2 \
		response_code=0 response_flags=DC
}
dc0=$(dc) rs0=$(reset)
P=$(pages "$GW" 2 jason)
echo "# delay, jason: $(tr '\n' ';' <<<"$P")"
expect_eq "delay: jason's page stays 200" 2 "$(count 1 200 <<<"$P")"
expect_eq "delay: jason sees the reviews error" 2 "$(count 4 reviews <<<"$P")"
while read -r _ _ _ _ secs; do
	expect_between "delay: jason's page takes 3 s x 2 (scaled)" \
		"$(scaled 5.5)" "$(scaled 7.5)" "$secs"
done <<<"$P"
expect_eq "delay: productpage gave up on reviews twice a page (0 DC)" 4 \
	$(($(dc) - dc0))
expect_eq "delay: reviews-v2's sidecar saw those resets (0 DC)" 4 \
	$(($(reset) - rs0))
P=$(pages "$GW" 3)
expect_eq "delay: anonymous pages correct (v1, no error)" 3 \
	"$(awk '$2 == "v1" && $4 == "-"' <<<"$P" | grep -c .)"
while read -r _ _ _ _ secs; do
	expect_between "delay: anonymous page fast" 0 "$(scaled 1.5)" "$secs"
done <<<"$P"

# ---- traffic shifting: 50/50 v1/v3, then all v3
step "$MANIFESTS/virtual-service-reviews-50-v3.yaml"
N=300
read -r LO HI < <(binom_bounds "$N" 0.5 4.5)
P=$(pages "$GW" "$N")
V3=$(count 2 v3 <<<"$P")
echo "# 50/50: $N pages, v1 $(count 2 v1 <<<"$P"), v3 $V3; bound 50 % +/- 4.5 sigma = [$LO, $HI]"
expect_between "50-v3: v3 share within binomial bounds" "$LO" "$HI" "$V3"
expect_eq "50-v3: only v1 and v3" "$N" $(($(count 2 v1 <<<"$P") + V3))
step "$MANIFESTS/virtual-service-reviews-v3.yaml"
P=$(pages "$GW" 10)
expect_eq "v3: ten pages from reviews-v3" 10 "$(count 2 v3 <<<"$P")"
expect_eq "v3: red stars" 10 "$(count 3 red <<<"$P")"
# ratings' 7 s delay for jason is still in effect: v3 gives up at 2.5 s
V3=$(pod_of reviews v3) RT=$(pod_of ratings v1)
rt_v3() { metric "$RT" reporter=destination source_workload=reviews-v3; }
gave_up() {
	metric "$V3" reporter=source destination_service_name=ratings \
		response_code=0 response_flags=DI,DC
}
r0=$(rt_v3) g0=$(gave_up)
P=$(pages "$GW" 1 jason)
read -r code ver _ err secs <<<"$P"
expect_eq "v3 + delay: reviews-v3 gave up during the delay (0 DI,DC)" 1 \
	$(($(gave_up) - g0))
expect_eq "v3 + delay: so ratings never saw that call" "$r0" "$(rt_v3)"
expect_eq "v3 + delay: jason's page from v3 with the ratings error" \
	"200 v3 ratings" "$code $ver $err"
expect_between "v3 + delay: reviews-v3 waits 2.5 s for ratings" \
	"$(scaled 2.3)" "$(scaled 4)" "$secs"

# ---- circuit breaking: the same concurrent load without and with it
uo() {
	metric "$PP" reporter=source destination_service_name=reviews \
		response_code=503 response_flags=UO
}
R=$(parallel_get "$GW/productpage" 20)
expect_eq "no breaker: 20 concurrent requests, all 200" 20 "$(count 1 200 <<<"$R")"
expect_eq "no breaker: no 503 UO in productpage's sidecar" 0 "$(uo)"
step "$MANIFESTS/destination-rule-reviews-circuit-breaker.yaml"
R=$(parallel_get "$GW/productpage" 20)
n_uo=$(uo)
echo "# breaker: 20 concurrent -> $n_uo calls to reviews overflowed (503 UO)"
expect_eq "breaker: the pages stay 200" 20 "$(count 1 200 <<<"$R")"
# the 20 arrive together, so they start together (labsim's bursts): the
# first call of each page takes the one pending slot, the other 19 pages'
# calls overflow, and productpage's own retry overflows again
expect_eq "breaker: productpage's sidecar counts 503 UO to reviews (19 pages x 2 tries)" \
	38 "$n_uo"
before=$(uo)
pages "$GW" 10 >/dev/null
expect_eq "breaker: sequential requests do not overflow" "$before" "$(uo)"
out=$(kc delete -n bookinfo -f "$MANIFESTS/destination-rule-reviews-circuit-breaker.yaml" 2>&1)
expect_contains "kubectl delete -f the breaker" deleted "$out"

# ---- mirroring: v1 for users, 50 % copied to v2
step "$MANIFESTS/virtual-service-reviews-mirror.yaml"
dst_v2() { metric "$V2" reporter=destination destination_workload=reviews-v2; }
src_v2() { metric "$PP" reporter=source destination_workload=reviews-v2; }
RT=$(pod_of ratings v1)
rt_v2() { metric "$RT" reporter=destination source_workload=reviews-v2; }
d0=$(dst_v2) s0=$(src_v2) r0=$(rt_v2)
N=200
P=$(pages "$GW" "$N")
d1=$(dst_v2) s1=$(src_v2) r1=$(rt_v2)
read -r LO HI < <(binom_bounds "$N" 0.5 4.5)
echo "# mirror: $N pages, reviews-v2 destination counter +$((d1 - d0)); bound [$LO, $HI]"
expect_eq "mirror: users see only reviews-v1" "$N" "$(count 2 v1 <<<"$P")"
expect_between "mirror: reviews-v2 receives about half (destination side)" \
	"$LO" "$HI" $((d1 - d0))
expect_eq "mirror: the source side does not count the shadow calls" \
	"$s0" "$s1"
expect_eq "mirror: each shadow call made reviews-v2 call ratings" \
	$((d1 - d0)) $((r1 - r0))
