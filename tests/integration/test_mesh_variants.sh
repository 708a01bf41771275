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
