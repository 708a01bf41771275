#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_mesh_realtime.sh: the fault-injection step in real time (time scale
# 1): with ratings delayed 7 s for jason, his page takes productpage's
# 3 s x 2 to reviews, while anonymous pages, sent meanwhile, stay fast.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mesh_lib.sh"

SCALE=1
start_labsim rt --time-scale "$SCALE" --scenario "$(scenario request-routing)" || exit 1
GW=$(gateway_url bookinfo/bookinfo-gateway-istio)
check "gateway announced and answering ($GW)" wait_http "$GW/productpage"
step "$MANIFESTS/virtual-service-ratings-test-delay.yaml"
expect_eq "POST /login username=jason: 302" 302 "$(login_jason "$GW")"

# jason's page in the background; anonymous pages while it waits
pages "$GW" 1 jason >"$LIB_TMP/jason.page" &
jpid=$!
sleep 0.5
A=$(pages "$GW" 3)
check "jason's page was still pending while the anonymous ones answered" \
	kill -0 "$jpid"
wait "$jpid"
J=$(cat "$LIB_TMP/jason.page")
echo "# jason: $J"
echo "# anonymous: $(tr '\n' ';' <<<"$A")"
read -r code _ _ err secs <<<"$J"
expect_eq "jason: 200 with the reviews error" "200 reviews" "$code $err"
expect_between "jason's page takes about 6 s (3 s timeout x 2)" 5.5 7.5 "$secs"
expect_eq "anonymous: three correct v1 pages" 3 \
	"$(awk '$1 == 200 && $2 == "v1" && $4 == "-"' <<<"$A" | grep -c .)"
while read -r _ _ _ _ secs; do
	expect_between "anonymous page fast" 0 1.5 "$secs"
done <<<"$A"
