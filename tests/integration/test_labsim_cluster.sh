#!/usr/bin/env bash
# test_labsim_cluster.sh: labsim's cluster behaviour and data plane, scenario
# by scenario, seen as labgrade would see them: pods and their containers,
# Deployment availability, the gateway listener serving Bookinfo, login,
# routing, faults, mirroring, metrics through the pod proxy.
. "$(dirname "$0")/lib.sh"

MANIFESTS="$SRCDIR/fixtures/manifests"

# stop_labsim: SIGTERM the current labsim; it must exit 0 (or 143) and,
# under ASan, leak-free. Removes it from lib.sh's list.
stop_labsim() {
	local p=$LABSIM_PID rc
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	rc=$?
	LABSIM_PIDS=${LABSIM_PIDS/ $p/}
	if [ "$rc" = 0 ] || [ "$rc" = 143 ]; then
		ok "labsim ($1) stops cleanly on SIGTERM"
	else
		not_ok "labsim ($1) exited with $rc on SIGTERM"
		tail -30 "$LIB_TMP/labsim.$1.err"
	fi
}

# jpods NS: the pods of a namespace as JSON.
jpods() { kc get pods -n "$1" -o json; }

# containers_of APP: container counts of bookinfo pods with label app=APP.
containers_of() {
	kc get pods -n bookinfo -l "app=$1" -o json |
		jq -r '[.items[] | (.spec.containers | length)] | join(",")'
}

# sidecar_count: how many bookinfo app pods (not the gateway) have istio-proxy
app_pods_with_proxy() {
	jpods bookinfo | jq '[.items[] | select(.metadata.labels.app != null)
		| select(any(.spec.containers[]; .name == "istio-proxy"))] | length'
}

available() {
	kc get deploy -n "$1" "$2" -o json |
		jq -r '.status.conditions[] | select(.type == "Available") | .status'
}

gw() { gateway_url bookinfo/bookinfo-gateway-istio; }
has_gw() { gw >/dev/null; }
rollout_ok() { kc rollout status deploy -n bookinfo "$1" --timeout=5s >/dev/null; }

# reviews_pod [COOKIE]: the reviews pod that served /api/v1/products/0/reviews
reviews_pod() {
	curl -s -m 20 ${1:+-H "Cookie: $1"} "$(gw)/api/v1/products/0/reviews" |
		jq -r '.podname // "ERROR"'
}

login() {
	curl -s -m 5 -i -X POST -H "Referer: $(gw)/productpage" \
		-d 'username=jason&passwd=jason' "$(gw)/login" |
		tr -d '\r' | awk -F': ' 'tolower($1) == "set-cookie" { print $2 }' |
		cut -d';' -f1
}

# versions N [COOKIE]: the reviews versions serving N requests, counted.
versions() {
	local i
	for i in $(seq "$1"); do reviews_pod "${2:-}"; done |
		sed -E 's/^(reviews-v[0-9]).*/\1/' | sort | uniq -c |
		awk '{ printf "%s=%s ", $2, $1 }'
}

# ---------------------------------------------------------------- complete
start_labsim complete --scenario "$(scenario complete)" || exit 1
out=$(jpods bookinfo)
expect_eq "complete: 7 pods in bookinfo (6 Bookinfo + gateway)" 7 \
	"$(jq '.items | length' <<<"$out")"
expect_eq "complete: every Bookinfo pod has istio-proxy" 6 "$(app_pods_with_proxy)"
expect_eq "complete: productpage 2 containers" 2 "$(containers_of productpage)"
expect_eq "complete: reviews pods 2/2" "2,2,2" "$(containers_of reviews)"
expect_eq "complete: every Bookinfo pod Running and Ready" 7 \
	"$(jq '[.items[] | select(.status.phase == "Running")
	| select(all(.status.containerStatuses[]; .ready))] | length' <<<"$out")"
expect_eq "complete: sidecar status annotation" "istio-proxy" \
	"$(jq -r '[.items[] | select(.metadata.labels.app == "ratings")][0]
	.metadata.annotations["sidecar.istio.io/status"] | fromjson
	| .containers[0]' <<<"$out")"
expect_eq "complete: tlsMode label" istio \
	"$(jq -r '[.items[] | select(.metadata.labels.app == "details")][0]
	.metadata.labels["security.istio.io/tlsMode"]' <<<"$out")"
expect_eq "complete: pod names NAME-hash10-rand5" 1 \
	"$(jq '[.items[].metadata.name | select(test("^details-v1-[a-z0-9]{10}-[a-z0-9]{5}$"))] | length' <<<"$out")"
expect_eq "complete: gateway pod has one container, no injection" 1 \
	"$(kc get pods -n bookinfo -l gateway.networking.k8s.io/gateway-name=bookinfo-gateway -o json |
	jq '.items[0].spec.containers | length')"
for d in productpage-v1 details-v1 ratings-v1 reviews-v1 reviews-v2 reviews-v3; do
	expect_eq "complete: $d Available" True "$(available bookinfo $d)"
done
expect_eq "complete: istiod Available" True "$(available istio-system istiod)"
expect_eq "complete: istiod label operator.istio.io/version" 1.24.2 \
	"$(kc get deploy -n istio-system istiod -o jsonpath='{.metadata.labels.operator\.istio\.io/version}')"
expect_eq "complete: Istio CRD Established" True \
	"$(kc get crd virtualservices.networking.istio.io -o json |
	jq -r '.status.conditions[] | select(.type == "Established") | .status')"
svc=$(kc get svc -n bookinfo bookinfo-gateway-istio -o json)
expect_eq "complete: gateway Service LoadBalancer" LoadBalancer \
	"$(jq -r .spec.type <<<"$svc")"
expect_eq "complete: gateway Service ports" "15021 80" \
	"$(jq -r '[.spec.ports[].port | tostring] | join(" ")' <<<"$svc")"
expect_eq "complete: gateway Service selector" bookinfo-gateway \
	"$(jq -r '.spec.selector["gateway.networking.k8s.io/gateway-name"]' <<<"$svc")"
np=$(jq -r '.spec.ports[] | select(.port == 80) | .nodePort' <<<"$svc")
expect_eq "complete: announced URL is the NodePort" "http://127.0.0.1:$np" "$(gw)"
expect_contains "complete: Gateway Programmed" '"Programmed:True"' \
	"$(kc get gtw -n bookinfo bookinfo-gateway -o json |
	jq -c '[.status.conditions[] | .type + ":" + .status]')"
expect_contains "complete: HTTPRoute Accepted and ResolvedRefs" \
	'["Accepted:True","ResolvedRefs:True"]' \
	"$(kc get httproute -n bookinfo bookinfo -o json |
	jq -c '[.status.parents[0].conditions[] | .type + ":" + .status]')"
expect_contains "complete: Endpoints of reviews list 3 ready pods" 3 \
	"$(kc get endpoints -n bookinfo reviews -o json | jq '.subsets[0].addresses | length')"

page=$(curl -s -m 5 "$(gw)/productpage")
expect_contains "complete: /productpage is the Bookinfo page" \
	"The Comedy of Errors" "$page"
expect_eq "complete: 'Reviews served by:' twice" 2 \
	"$(grep -c 'Reviews served by:' <<<"$page")"
expect_contains "complete: served-by names a reviews pod" \
	"$(printf 'Reviews served by:</dt>\n<dd>reviews-v')" "$page"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$(gw)/details/0")
expect_eq "complete: a path the HTTPRoute does not expose is 404" 404 "$code"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$(gw)/static/tailwind/tailwind.css")
expect_eq "complete: /static prefix is routed" 200 "$code"
api=$(curl -s -m 5 "$(gw)/api/v1/products")
expect_eq "complete: /api/v1/products JSON" "The Comedy of Errors" \
	"$(jq -r '.[0].title' <<<"$api")"
rev=$(curl -s -m 5 "$(gw)/api/v1/products/0/reviews")
expect_contains "complete: reviews JSON has podname" "reviews-v" \
	"$(jq -r .podname <<<"$rev")"
expect_eq "complete: reviews JSON has two reviews" 2 \
	"$(jq '.reviews | length' <<<"$rev")"
all=$(versions 30)
expect_contains "complete: no VirtualService: v1 serves some" "reviews-v1=" "$all"
expect_contains "complete: no VirtualService: v3 serves some" "reviews-v3=" "$all"
cookie=$(login)
expect_contains "complete: login sets Flask's session cookie" "session=" "$cookie"
page=$(curl -s -m 5 -H "Cookie: $cookie" "$(gw)/productpage")
expect_contains "complete: logged-in page names jason" ">jason<" "$page"
hdrs=$(curl -s -m 5 -i -H "Cookie: $cookie" "$(gw)/logout" | tr -d '\r')
expect_contains "complete: logout clears the cookie" "Set-Cookie: session=;" "$hdrs"

# kubectl applies lab steps; routing follows at once
kc apply -n bookinfo -f "$MANIFESTS/destination-rule-all.yaml" \
	-f "$MANIFESTS/virtual-service-reviews-v3.yaml" >/dev/null 2>&1
expect_eq "complete+reviews-v3: only v3" "reviews-v3=10 " "$(versions 10)"
expect_contains "complete+reviews-v3: red stars" "gap-x-1 text-red-500" \
	"$(curl -s -m 5 "$(gw)/productpage")"
kc delete -n bookinfo virtualservice reviews >/dev/null 2>&1

# metrics through the API server's pod proxy
pp=$(kc get pods -n bookinfo -l app=productpage -o jsonpath='{.items[0].metadata.name}')
m=$(kc get --raw "/api/v1/namespaces/bookinfo/pods/$pp:15020/proxy/stats/prometheus")
expect_contains "complete: productpage sidecar counts calls to reviews" \
	'reporter="source",source_workload="productpage-v1"' "$m"
expect_contains "complete: metrics carry response_flags" 'response_flags="-"' "$m"
ist=$(kc get pods -n istio-system -l app=istiod -o jsonpath='{.items[0].metadata.name}')
m=$(kc get --raw "/api/v1/namespaces/istio-system/pods/$ist:15014/proxy/metrics")
expect_contains "complete: istiod istio_build tag" \
	'istio_build{component="pilot",tag="1.24.2"} 1' "$m"
expect_contains "complete: istiod pilot_xds counts 7 proxies" \
	'pilot_xds{version="1.24.2"} 7' "$m"
logs=$(kc logs -n bookinfo "$pp" -c istio-proxy)
expect_contains "complete: istio-proxy access log" '"GET /reviews/0 HTTP/1.1" 200' "$logs"
out=$(kc get --raw "/api/v1/namespaces/bookinfo/services/productpage:9080/proxy/productpage")
expect_contains "complete: productpage through the service proxy" \
	"Reviews served by:" "$out"

# ownership: scale, rollout restart, delete
kc scale deploy -n bookinfo reviews-v1 --replicas=2 >/dev/null
expect_eq "scale: reviews-v1 has 2 pods" 2 \
	"$(kc get pods -n bookinfo -l app=reviews,version=v1 -o json | jq '.items | length')"
old=$(kc get pods -n bookinfo -l app=details -o jsonpath='{.items[0].metadata.name}')
kc rollout restart deploy -n bookinfo details-v1 >/dev/null
new=$(kc get pods -n bookinfo -l app=details -o jsonpath='{.items[*].metadata.name}')
check "rollout restart: details pod replaced" test "$old" != "$new"
check "rollout status succeeds" rollout_ok details-v1
kc delete deploy -n bookinfo ratings-v1 >/dev/null
expect_eq "delete Deployment: its pods go" 0 \
	"$(kc get pods -n bookinfo -l app=ratings -o json | jq '.items | length')"
stop_labsim complete

# ---------------------------------------------------------------- no-istiod
start_labsim no-istiod --scenario "$(scenario no-istiod)" || exit 1
expect_eq "no-istiod: no pod has istio-proxy" 0 "$(app_pods_with_proxy)"
expect_eq "no-istiod: pods 1/1" "1,1,1" "$(containers_of reviews)"
check "no-istiod: no gateway Service" \
	test -z "$(kc get svc -n bookinfo bookinfo-gateway-istio -o name 2>/dev/null)"
expect_contains "no-istiod: Gateway waits for a controller" '"Accepted:Unknown"' \
	"$(kc get gtw -n bookinfo bookinfo-gateway -o json |
	jq -c '[.status.conditions[] | .type + ":" + .status]')"
expect_eq "no-istiod: no gateway announced" 0 "${#GATEWAYS[@]}"
stop_labsim no-istiod

# ---------------------------------------------------------------- no-istio-crds
start_labsim no-istio-crds --scenario "$(scenario no-istio-crds)" || exit 1
check "no-istio-crds: no VirtualService CRD" \
	test -z "$(kc get crd -o name | grep networking.istio.io)"
expect_eq "no-istio-crds: istiod Available" True "$(available istio-system istiod)"
expect_eq "no-istio-crds: injection still works" 6 "$(app_pods_with_proxy)"
stop_labsim no-istio-crds

# ---------------------------------------------------------------- ns-unlabelled
start_labsim ns-unlabelled --scenario "$(scenario ns-unlabelled)" || exit 1
expect_eq "ns-unlabelled: no pod has istio-proxy" 0 "$(app_pods_with_proxy)"
expect_eq "ns-unlabelled: no sidecar status annotation" 0 \
	"$(jpods bookinfo | jq '[.items[] | select(.metadata.annotations["sidecar.istio.io/status"] != null)] | length')"
expect_eq "ns-unlabelled: Bookinfo still serves" 200 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$(gw)/productpage")"
stop_labsim ns-unlabelled

# ---------------------------------------------------------------- labelled-after-deploy
start_labsim lad --scenario "$(scenario labelled-after-deploy)" || exit 1
expect_eq "labelled-after-deploy: namespace is labelled" enabled \
	"$(kc get ns bookinfo -o jsonpath='{.metadata.labels.istio-injection}')"
expect_eq "labelled-after-deploy: pods still 1/1" 0 "$(app_pods_with_proxy)"
kc rollout restart deploy -n bookinfo productpage-v1 >/dev/null
expect_eq "labelled-after-deploy: restarted pod gets the sidecar" 2 \
	"$(containers_of productpage)"
kc label ns bookinfo istio-injection- >/dev/null
kc delete pod -n bookinfo -l app=details >/dev/null
expect_eq "label removed: the replacement pod has no sidecar" 1 \
	"$(containers_of details)"
stop_labsim lad

# ---------------------------------------------------------------- deployment-unavailable
start_labsim du --scenario "$(scenario deployment-unavailable)" || exit 1
expect_eq "deployment-unavailable: reviews-v3 not Available" False \
	"$(available bookinfo reviews-v3)"
expect_eq "deployment-unavailable: reviews-v1 Available" True \
	"$(available bookinfo reviews-v1)"
out=$(kc get pods -n bookinfo -l app=reviews,version=v3 -o json)
expect_eq "deployment-unavailable: reviews-v3 pod Pending" Pending \
	"$(jq -r '.items[0].status.phase' <<<"$out")"
expect_eq "deployment-unavailable: ImagePullBackOff" ImagePullBackOff \
	"$(jq -r '.items[0].status.containerStatuses[] | select(.name == "reviews")
	| .state.waiting.reason' <<<"$out")"
expect_contains "deployment-unavailable: a Failed pull Event" \
	"Failed to pull image" "$(kc get events -n bookinfo -o json |
	jq -r '.items[] | select(.reason == "Failed") | .message')"
expect_eq "deployment-unavailable: v3 never serves" "" \
	"$(versions 15 | grep -o 'reviews-v3')"
stop_labsim du

# ---------------------------------------------------------------- no-gateway
start_labsim no-gateway --scenario "$(scenario no-gateway)" || exit 1
expect_eq "no-gateway: no gateway announced" 0 "${#GATEWAYS[@]}"
check "no-gateway: no Gateway objects" \
	test -z "$(kc get gtw -A -o name 2>/dev/null)"
stop_labsim no-gateway

# ---------------------------------------------------------------- gateway-unreachable
start_labsim gu --scenario "$(scenario gateway-unreachable)" || exit 1
expect_eq "gateway-unreachable: gateway Deployment at 0 replicas" 0 \
	"$(kc get deploy -n bookinfo bookinfo-gateway-istio -o jsonpath='{.spec.replicas}')"
check "gateway-unreachable: the NodePort is still announced" has_gw
curl -s -m 3 -o /dev/null "$(gw)/productpage"
expect_eq "gateway-unreachable: connection refused (curl exit 7)" 7 "$?"
kc scale deploy -n bookinfo bookinfo-gateway-istio --replicas=1 >/dev/null
expect_eq "gateway-unreachable: scaled back up, it answers" 200 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$(gw)/productpage")"
stop_labsim gu

# ---------------------------------------------------------------- lab steps
start_labsim rr --scenario "$(scenario request-routing)" || exit 1
expect_eq "request-routing: anonymous always v1" "reviews-v1=10 " "$(versions 10)"
cookie=$(login)
expect_eq "request-routing: jason always v2" "reviews-v2=10 " "$(versions 10 "$cookie")"
expect_contains "request-routing: jason sees black stars" "gap-x-1 text-black-500" \
	"$(curl -s -m 5 -H "Cookie: $cookie" "$(gw)/productpage")"
stop_labsim rr

# 7 s delay for jason at time scale 0.05: productpage gives up after
# 2 x 3 s = 6 s virtual, 0.3 s real
start_labsim fi --scenario "$(scenario fault-injection)" --time-scale 0.05 || exit 1
cookie=$(login)
t0=$(date +%s%N)
page=$(curl -s -m 10 -H "Cookie: $cookie" "$(gw)/productpage")
ms=$((($(date +%s%N) - t0) / 1000000))
expect_contains "fault-injection: jason gets the reviews error" \
	"Sorry, product reviews are currently unavailable for this book." "$page"
check "fault-injection: took about 6 s scaled ($ms ms)" test "$ms" -ge 280 -a "$ms" -lt 1500
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" \
	"$(gw)/api/v1/products/0/reviews")
expect_eq "fault-injection: JSON API answers 500 for jason" 500 "$code"
t0=$(date +%s%N)
curl -s -m 10 -o /dev/null "$(gw)/productpage"
ms=$((($(date +%s%N) - t0) / 1000000))
check "fault-injection: anonymous stays fast ($ms ms)" test "$ms" -lt 250
stop_labsim fi

start_labsim ts --scenario "$(scenario traffic-shifting-50)" || exit 1
out=$(versions 40)
expect_contains "traffic-shifting-50: v1 serves" "reviews-v1=" "$out"
expect_contains "traffic-shifting-50: v3 serves" "reviews-v3=" "$out"
check "traffic-shifting-50: never v2 ($out)" test -z "$(grep -o reviews-v2 <<<"$out")"
stop_labsim ts

start_labsim cbns --scenario "$(scenario circuit-breaking-no-subsets)" || exit 1
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$(gw)/api/v1/products/0/reviews")
expect_eq "circuit breaker named reviews: subset routes fail (503)" 503 "$code"
pp=$(kc get pods -n bookinfo -l app=productpage -o jsonpath='{.items[0].metadata.name}')
expect_contains "circuit breaker named reviews: flag NC" 'response_flags="NC"' \
	"$(kc get --raw "/api/v1/namespaces/bookinfo/pods/$pp:15020/proxy/stats/prometheus")"
stop_labsim cbns

start_labsim mir --scenario "$(scenario mirroring)" || exit 1
out=$(versions 40)
expect_eq "mirroring: users see only v1" "reviews-v1=40 " "$out"
v2=$(kc get pods -n bookinfo -l app=reviews,version=v2 -o jsonpath='{.items[0].metadata.name}')
n=$(kc get --raw "/api/v1/namespaces/bookinfo/pods/$v2:15020/proxy/stats/prometheus" |
	awk '/^istio_requests_total\{reporter="destination"/ && /destination_service_name="reviews"/ { s += $NF } END { print s + 0 }')
check "mirroring: reviews-v2 received about half as mirrors ($n of 40)" \
	test "$n" -ge 8 -a "$n" -le 32
stop_labsim mir

# circuit breaker (the lab's rule: maxConnections 1, 1 pending, 1 request
# per connection): overflow (503 UO at productpage's sidecar) only under
# concurrent load, never in a sequential control
start_labsim cb --scenario "$(scenario circuit-breaking)" || exit 1
pp=$(kc get pods -n bookinfo -l app=productpage -o jsonpath='{.items[0].metadata.name}')
uo() {
	kc get --raw "/api/v1/namespaces/bookinfo/pods/$pp:15020/proxy/stats/prometheus" |
		awk '/destination_service_name="reviews"/ && /response_flags="UO"/ { s += $NF } END { print s + 0 }'
}
for i in $(seq 20); do curl -s -m 5 -o /dev/null "$(gw)/api/v1/products/0/reviews"; done
expect_eq "circuit-breaking: sequential control, no overflow" 0 "$(uo)"
seq 80 | xargs -P 12 -I{} curl -s -m 10 -o /dev/null "$(gw)/api/v1/products/0/reviews"
n=$(uo)
check "circuit-breaking: concurrent load overflows ($n UO)" test "$n" -gt 0
stop_labsim cb

# the ingress task, Gateway API realisation: Host routing to httpbin; the
# Istio-API Gateway (selector istio: ingressgateway) binds to nothing
start_labsim hb --scenario "$(scenario complete)" || exit 1
kc apply -n bookinfo -f "$MANIFESTS/httpbin.yaml" \
	-f "$MANIFESTS/httpbin-gateway-api.yaml" >/dev/null
np=$(kc get svc -n bookinfo httpbin-gateway-istio -o json |
	jq -r '.spec.ports[] | select(.port == 80) | .nodePort')
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
	-H 'Host: httpbin.example.com' "http://127.0.0.1:$np/status/200")
expect_eq "httpbin via Gateway API with Host: 200" 200 "$code"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
	-H 'Host: other.example.com' "http://127.0.0.1:$np/status/200")
expect_eq "httpbin via Gateway API, wrong Host: 404" 404 "$code"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
	-H 'Host: httpbin.example.com' "http://127.0.0.1:$np/status/418")
expect_eq "httpbin /status/418 answers 418" 418 "$code"
# a ClusterIP gateway (the lab's annotation) gets no NodePort
kc annotate gtw -n bookinfo bookinfo-gateway \
	networking.istio.io/service-type=ClusterIP >/dev/null
svc=$(kc get svc -n bookinfo bookinfo-gateway-istio -o json)
expect_eq "annotated ClusterIP: Service type" ClusterIP "$(jq -r .spec.type <<<"$svc")"
expect_eq "annotated ClusterIP: no nodePort" null \
	"$(jq -r '.spec.ports[] | select(.port == 80) | .nodePort' <<<"$svc")"
expect_contains "annotated ClusterIP: Gateway address is the cluster IP" \
	"$(jq -r .spec.clusterIP <<<"$svc")" \
	"$(kc get gtw -n bookinfo bookinfo-gateway -o jsonpath='{.status.addresses[0].value}')"
if [ "$(id -u)" = 0 ]; then
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
		"http://$(jq -r .spec.clusterIP <<<"$svc")/productpage")
	expect_eq "annotated ClusterIP: reachable on the cluster IP from the node" 200 "$code"
fi
stop_labsim hb

# istiod down: the injector's failurePolicy Fail refuses new pods of
# injected namespaces (ReplicaFailure); back up, they are created
start_labsim down --scenario "$(scenario complete)" || exit 1
kc scale deploy -n istio-system istiod --replicas=0 >/dev/null
kc delete pod -n bookinfo -l app=details >/dev/null
expect_eq "istiod down: details pod not recreated" 0 \
	"$(kc get pods -n bookinfo -l app=details -o json | jq '.items | length')"
expect_contains "istiod down: ReplicaFailure FailedCreate" \
	"ReplicaFailure:True:FailedCreate" \
	"$(kc get deploy -n bookinfo details-v1 -o json |
	jq -r '[.status.conditions[] | .type + ":" + .status + ":" + (.reason // "")] | join(" ")')"
expect_eq "istiod down: details-v1 not Available" False "$(available bookinfo details-v1)"
kc scale deploy -n istio-system istiod --replicas=1 >/dev/null
expect_eq "istiod back: details pod created with its sidecar" 2 \
	"$(containers_of details)"
# a bare pod (kubectl run) is injected and runs
kc run -n bookinfo curl --image=curlimages/curl:8.11.0 --labels=app=curl \
	--command -- sleep 3600 >/dev/null 2>&1
expect_eq "kubectl run: pod injected (2 containers)" 2 "$(containers_of curl)"
expect_eq "kubectl run: pod Running" Running \
	"$(kc get pod -n bookinfo curl -o jsonpath='{.status.phase}')"
# the addons answer through the service proxy
expect_contains "kiali through the service proxy" "Kiali" \
	"$(kc get --raw /api/v1/namespaces/istio-system/services/kiali:20001/proxy/)"
expect_contains "prometheus query API through the service proxy" '"status":"success"' \
	"$(kc get --raw '/api/v1/namespaces/istio-system/services/prometheus:9090/proxy/api/v1/query?query=up')"
stop_labsim down

# a scenario document of a kind labsim does not serve stops it, with FILE:LINE
bad="$LIB_TMP/bad-scenario"
mkdir -p "$bad"
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n' >"$bad/01-bad.yaml"
"$LABSIM" --kubeconfig "$LIB_TMP/bad.kubeconfig" --scenario "$bad" \
	>"$LIB_TMP/bad.out" 2>"$LIB_TMP/bad.err"
rc=$?
check "unserved kind: labsim refuses the scenario (rc $rc)" test "$rc" != 0
expect_contains "unserved kind: error names FILE:LINE" "01-bad.yaml:6:" \
	"$(cat "$LIB_TMP/bad.err")"

# the lab's own ending: Gateway annotated ClusterIP, reached by port-forward
start_labsim cip --scenario "$(scenario complete-clusterip)" || exit 1
svc=$(kc get svc -n bookinfo bookinfo-gateway-istio -o json)
expect_eq "complete-clusterip: Service ClusterIP" ClusterIP "$(jq -r .spec.type <<<"$svc")"
expect_contains "complete-clusterip: Gateway Programmed" '"Programmed:True"' \
	"$(kc get gtw -n bookinfo bookinfo-gateway -o json |
	jq -c '[.status.conditions[] | .type + ":" + .status]')"
expect_contains "complete-clusterip: announced (port-forward) URL serves Bookinfo" \
	"Reviews served by:" "$(curl -s -m 5 "$(gw)/productpage")"
stop_labsim cip

# the ingress task, Istio-API realisations
start_labsim ig --scenario "$(scenario ingress-istio-gateway)" || exit 1
check "ingress-istio-gateway: no ingressgateway, so only bookinfo's gateway" \
	test "${#GATEWAYS[@]}" = 1
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
	-H 'Host: httpbin.example.com' "$(gw)/status/200")
expect_eq "ingress-istio-gateway: bookinfo's gateway does not serve httpbin" 404 "$code"
stop_labsim ig
start_labsim igi --scenario "$(scenario ingress-istio-gateway-installed)" || exit 1
url=$(gateway_url istio-system/istio-ingressgateway)
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
	-H 'Host: httpbin.example.com' "$url/status/200")
expect_eq "ingress-istio-gateway-installed: httpbin via ingressgateway" 200 "$code"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url/status/200")
expect_eq "ingress-istio-gateway-installed: wrong Host 404" 404 "$code"
stop_labsim igi

# a crash-looping container: Running, not Ready, restarts counted; the
# rollout keeps the old ready pod
start_labsim crash --scenario "$(scenario crashloop)" || exit 1
out=$(kc get pods -n bookinfo -l app=ratings -o json)
expect_eq "crashloop: CrashLoopBackOff with restarts" "CrashLoopBackOff 6" \
	"$(jq -r '.items[].status.containerStatuses[] | select(.state.waiting)
	| .state.waiting.reason + " " + (.restartCount | tostring)' <<<"$out")"
expect_eq "crashloop: the old pod still serves" True "$(available bookinfo ratings-v1)"
stop_labsim crash

# an HTTPRoute in another namespace than its Gateway (listener allows Same)
start_labsim xns --scenario "$(scenario no-gateway)" || exit 1
kc apply -n bookinfo -f "$SCENARIOS/parts/20-bookinfo-gateway.yaml" >/dev/null
cat >"$LIB_TMP/route-default.yaml" <<'YAML'
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bookinfo
  namespace: default
spec:
  parentRefs:
  - name: bookinfo-gateway
    namespace: bookinfo
  rules:
  - matches:
    - path:
        type: Exact
        value: /productpage
    backendRefs:
    - name: productpage
      namespace: bookinfo
      port: 9080
YAML
kc delete httproute -n bookinfo bookinfo >/dev/null
kc apply -f "$LIB_TMP/route-default.yaml" >/dev/null
expect_contains "route in another namespace: not accepted" \
	"Accepted:False:NotAllowedByListeners" \
	"$(kc get httproute -n default bookinfo -o json |
	jq -r '[.status.parents[0].conditions[] | .type + ":" + .status + ":" + .reason] | join(" ")')"
np=$(kc get svc -n bookinfo bookinfo-gateway-istio -o json |
	jq -r '.spec.ports[] | select(.port == 80) | .nodePort')
expect_eq "route in another namespace: gateway answers 404" 404 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$np/productpage")"
expect_eq "route in another namespace: attachedRoutes 0" 0 \
	"$(kc get gtw -n bookinfo bookinfo-gateway -o jsonpath='{.status.listeners[0].attachedRoutes}')"
stop_labsim xns

# a route in bookinfo whose backend lives in another namespace: refused
# (RefNotPermitted, 500) until a ReferenceGrant there allows it
start_labsim rg --scenario "$(scenario complete)" || exit 1
kc create namespace other >/dev/null 2>&1 ||
	printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n' | kc apply -f - >/dev/null
cat >"$LIB_TMP/other.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: productpage
  namespace: other
spec:
  selector:
    app: productpage
  ports:
  - name: http
    port: 9080
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bookinfo
  namespace: bookinfo
spec:
  parentRefs:
  - name: bookinfo-gateway
  rules:
  - matches:
    - path:
        type: Exact
        value: /productpage
    backendRefs:
    - name: productpage
      namespace: other
      port: 9080
YAML
kc apply -f "$LIB_TMP/other.yaml" >/dev/null
expect_contains "cross-namespace backend: RefNotPermitted" \
	"ResolvedRefs:False:RefNotPermitted" \
	"$(kc get httproute -n bookinfo bookinfo -o json |
	jq -r '[.status.parents[0].conditions[] | .type + ":" + .status + ":" + .reason] | join(" ")')"
expect_eq "cross-namespace backend: 500 without a grant" 500 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$(gw)/productpage")"
printf 'apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: from-bookinfo\n  namespace: other\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    namespace: bookinfo\n  to:\n  - group: ""\n    kind: Service\n' |
	kc apply -f - >/dev/null
expect_contains "with a ReferenceGrant: resolved" "ResolvedRefs:True" \
	"$(kc get httproute -n bookinfo bookinfo -o json |
	jq -r '[.status.parents[0].conditions[] | .type + ":" + .status] | join(" ")')"
stop_labsim rg

# deleting the route, then the Gateway (its Deployment, Service and
# ServiceAccount go with it), then the namespace
start_labsim del --scenario "$(scenario complete)" || exit 1
url=$(gw)
kc delete httproute -n bookinfo bookinfo >/dev/null
expect_eq "route deleted: gateway answers 404" 404 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url/productpage")"
kc delete gtw -n bookinfo bookinfo-gateway >/dev/null
expect_eq "Gateway deleted: its Service goes too" "" \
	"$(kc get svc -n bookinfo -o name | grep bookinfo-gateway-istio)"
curl -s -m 3 -o /dev/null "$url/productpage"
expect_eq "Gateway deleted: nothing listens (curl exit 7)" 7 "$?"
kc delete ns bookinfo >/dev/null
expect_eq "namespace deleted: its pods are gone" 0 \
	"$(kc get pods -A -o json | jq '[.items[] | select(.metadata.namespace == "bookinfo")] | length')"
stop_labsim del

# outlier detection where a host really fails: reviews-v1 answers 503,
# consecutive5xxErrors 1 ejects it, later calls get 503 UH
start_labsim fh --scenario "$(scenario circuit-breaking-failing-host)" || exit 1
for i in $(seq 5); do curl -s -m 5 -o /dev/null "$(gw)/api/v1/products/0/reviews"; done
pp=$(kc get pods -n bookinfo -l app=productpage -o jsonpath='{.items[0].metadata.name}')
m=$(kc get --raw "/api/v1/namespaces/bookinfo/pods/$pp:15020/proxy/stats/prometheus")
expect_contains "failing host: 503 from the host itself" \
	'response_code="503",response_flags="-"' "$m"
expect_contains "failing host: ejected, then 503 UH" \
	'response_code="503",response_flags="UH"' "$m"
stop_labsim fh
