#!/usr/bin/env bash
# test_labsim_api.sh: labsim's API server on the wire (curl): discovery
# shape, authentication, RBAC denials, errors, lists, patches, fault knobs.
. "$(dirname "$0")/lib.sh"

# kc_field KEY: a base64 field of the current kubeconfig, decoded.
kc_field() { awk -v k="$1:" '$1 == k { print $2 }' "$KC" | base64 -d; }

# creds NAME: write the current kubeconfig's CA, cert and key to files.
creds() {
	kc_field certificate-authority-data >"$LIB_TMP/$1.ca"
	kc_field client-certificate-data >"$LIB_TMP/$1.crt" 2>/dev/null
	kc_field client-key-data >"$LIB_TMP/$1.key" 2>/dev/null
}

# api NAME METHOD PATH [curl args...]: body then a line "HTTP <code>".
api() {
	local n=$1 m=$2 p=$3
	shift 3
	curl -s -X "$m" --cacert "$LIB_TMP/$n.ca" --cert "$LIB_TMP/$n.crt" \
		--key "$LIB_TMP/$n.key" -w '\nHTTP %{http_code}' "$@" "$API$p"
}

start_labsim main --scenario "$(scenario complete)" || exit 1
creds main
full=$(api main GET /api/v1/namespaces) # for the truncation test below

# ---- discovery
out=$(api main GET /version)
expect_contains "/version is v1.32" '"gitVersion":"v1.32.' "$out"
out=$(api main GET /api)
expect_contains "/api is APIVersions" '"kind":"APIVersions","versions":["v1"]' "$out"
out=$(api main GET /api/v1)
expect_contains "/api/v1 lists pods" '"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod"' "$out"
expect_contains "/api/v1 lists pods/log" '"name":"pods/log"' "$out"
expect_contains "/api/v1 lists services/proxy" '"name":"services/proxy"' "$out"
expect_contains "/api/v1 short names" '"shortNames":["po"]' "$out"
out=$(api main GET /apis)
expect_contains "/apis is APIGroupList" '"kind":"APIGroupList"' "$out"
expect_contains "/apis has apps" '{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}]' "$out"
expect_contains "/apis has Istio (CRD present)" '"name":"networking.istio.io"' "$out"
expect_contains "Istio preferred version v1" '"preferredVersion":{"groupVersion":"networking.istio.io/v1"' "$out"
out=$(api main GET /apis/apps/v1)
expect_contains "deployments/scale listed" '"name":"deployments/scale"' "$out"
out=$(api main GET /apis/networking.istio.io/v1)
expect_contains "virtualservices listed" '"name":"virtualservices","singularName":"virtualservice","namespaced":true,"kind":"VirtualService"' "$out"
out=$(api main GET /apis/nope.example.com/v1)
expect_contains "unknown group 404" 'HTTP 404' "$out"
out=$(api main GET /openapi/v3)
expect_contains "openapi index has hashes" '"apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=' "$out"
url=$(printf '%s' "$out" | grep -o '/openapi/v3/apis/apps/v1?hash=[0-9A-F]*')
out=$(api main GET "$url")
expect_contains "openapi PATCH has GVK" '"patch":{"operationId":"patchDeploymentv1","x-kubernetes-group-version-kind":{"group":"apps","kind":"Deployment","version":"v1"}' "$out"
expect_contains "openapi PATCH has fieldValidation" '{"name":"fieldValidation","in":"query"' "$out"

# ---- reads, lists, selectors, pagination
out=$(api main GET /api/v1/namespaces/bookinfo/pods/nope)
expect_contains "404 Status" '"message":"pods \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}' "$out"
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?labelSelector=app%3Dreviews')
expect_eq "labelSelector app=reviews: 3 pods" 3 "$(grep -o '"app":"reviews"' <<<"$out" | wc -l)"
expect_contains "list kind and resourceVersion" '"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"' "$out"
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?labelSelector=app%20in%20(reviews,ratings),version!%3Dv2')
expect_eq "set-based selector: 3 pods" 3 "$(grep -o '"pod-template-hash"' <<<"$out" | wc -l)"
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?labelSelector=!app')
expect_eq "!app selects only the gateway pod" 1 "$(grep -o '"pod-template-hash"' <<<"$out" | wc -l)"
expect_contains "!app: the gateway pod" '"name":"bookinfo-gateway-istio-' "$out"
out=$(api main GET '/api/v1/pods?fieldSelector=metadata.namespace%3Distio-system')
expect_contains "fieldSelector namespace" '"namespace":"istio-system"' "$out"
[[ "$out" != *'"namespace":"bookinfo"'* ]] && ok "fieldSelector excludes bookinfo" || not_ok "fieldSelector excludes bookinfo"
out=$(api main GET '/api/v1/namespaces/default/pods?fieldSelector=spec.bogus%3Dx')
expect_contains "unsupported field label 400 (even with nothing listed)" 'field label not supported: spec.bogus' "$out"
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?labelSelector=app%3Dx,version%20in%20(v1')
expect_contains "malformed label selector 400" '"reason":"BadRequest"' "$out"
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?labelSelector=(((')
expect_contains "label key with bad characters 400" '"reason":"BadRequest"' "$out"
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?labelSelector=app%20notin%20(reviews),!nokey,app==productpage')
expect_eq "notin, !key and == together" 1 "$(grep -o '"pod-template-hash"' <<<"$out" | wc -l)"
out=$(api main GET '/api/v1/namespaces/bookinfo/events?fieldSelector=involvedObject.name%3Dx,type%3DWarning')
expect_contains "event field selectors" 'HTTP 200' "$out"
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?limit=2')
tok=$(grep -o '"continue":"[0-9a-f]*"' <<<"$out" | cut -d'"' -f4)
check "limit=2 gives a continue token" test -n "$tok"
expect_eq "limit=2 gives 2 items" 2 "$(grep -o '"pod-template-hash"' <<<"$out" | wc -l)"
total=$(api main GET '/api/v1/namespaces/bookinfo/pods' | grep -o '"pod-template-hash"' | wc -l)
seen=2
while [ -n "$tok" ]; do
	out=$(api main GET "/api/v1/namespaces/bookinfo/pods?limit=2&continue=$tok")
	seen=$((seen + $(grep -o '"pod-template-hash"' <<<"$out" | wc -l)))
	tok=$(grep -o '"continue":"[0-9a-f]*"' <<<"$out" | cut -d'"' -f4)
done
expect_eq "pagination visits every pod once" "$total" "$seen"

# ---- writes
cm='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{"a":"1"}}'
out=$(api main POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' -d "$cm")
expect_contains "create 201" 'HTTP 201' "$out"
expect_contains "namespace defaulted from URL" '"namespace":"default"' "$out"
rv=$(grep -o '"resourceVersion":"[0-9]*"' <<<"$out" | cut -d'"' -f4)
out=$(api main POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' -d "$cm")
expect_contains "create again 409 AlreadyExists" '"reason":"AlreadyExists"' "$out"
out=$(api main POST /api/v1/namespaces/bookinfo/configmaps -H 'Content-Type: application/json' \
	-d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c2","namespace":"default"}}')
expect_contains "namespace mismatch 400" 'does not match the namespace sent on the request' "$out"
out=$(api main POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' \
	-d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}')
expect_contains "bad name 422 Invalid" '"reason":"Invalid"' "$out"
out=$(api main PATCH /api/v1/namespaces/default/configmaps/c1 -H 'Content-Type: application/merge-patch+json' -d '{"data":{"b":"2","a":null}}')
expect_contains "merge patch applied" '"data":{"b":"2"}' "$out"
out=$(api main PUT /api/v1/namespaces/default/configmaps/c1 -H 'Content-Type: application/json' \
	-d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\",\"resourceVersion\":\"$rv\"},\"data\":{}}")
expect_contains "PUT with stale resourceVersion 409 Conflict" '"reason":"Conflict"' "$out"
expect_contains "Conflict message" 'the object has been modified' "$out"
out=$(api main PATCH /api/v1/namespaces/default/configmaps/c1 -H 'Content-Type: application/json-patch+json' \
	-d '[{"op":"add","path":"/data/c","value":"3"},{"op":"test","path":"/data/b","value":"2"}]')
expect_contains "json patch applied" '"c":"3"' "$out"
out=$(api main PATCH /api/v1/namespaces/default/configmaps/c1 -H 'Content-Type: text/plain' -d '{}')
expect_contains "unknown patch type 415" 'HTTP 415' "$out"
out=$(api main DELETE /api/v1/namespaces/default/configmaps/c1)
expect_contains "delete answers Success" '"status":"Success"' "$out"
out=$(api main GET /api/v1/namespaces/default/configmaps/c1)
expect_contains "deleted object 404" 'HTTP 404' "$out"

# concurrent patches without a resourceVersion: none may be lost (the
# server retries its own conflicts, like GuaranteedUpdate)
api main POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' \
	-d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"race"},"data":{}}' >/dev/null
pids=""
for i in $(seq 1 20); do
	api main PATCH /api/v1/namespaces/default/configmaps/race -H 'Content-Type: application/merge-patch+json' \
		-d "{\"data\":{\"k$i\":\"v\"}}" >"$LIB_TMP/race.$i" &
	pids="$pids $!"
done
wait $pids
out=$(api main GET /api/v1/namespaces/default/configmaps/race)
expect_eq "20 concurrent patches: 20 keys" 20 "$(grep -o '"k[0-9]*":"v"' <<<"$out" | wc -l)"
expect_eq "20 concurrent patches: all 200" 20 "$(cat "$LIB_TMP"/race.* | grep -c 'HTTP 200')"

# strategic merge patch of a Deployment's containers, by name
dep=$(api main GET /apis/apps/v1/namespaces/bookinfo/deployments/ratings-v1)
img=$(grep -o '"image":"[^"]*"' <<<"$dep" | head -1)
out=$(api main PATCH /apis/apps/v1/namespaces/bookinfo/deployments/ratings-v1 \
	-H 'Content-Type: application/strategic-merge-patch+json' \
	-d '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"ratings"}],"containers":[{"name":"ratings","env":[{"name":"X","value":"1"}]}]}}}}')
expect_contains "strategic patch keeps the image" "$img" "$out"
expect_contains "strategic patch adds env" '"env":[{"name":"X","value":"1"}]' "$out"
[[ "$out" != *'$setElementOrder'* ]] && ok "directives removed" || not_ok "directives removed"
out=$(api main PATCH /apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/x \
	-H 'Content-Type: application/strategic-merge-patch+json' -d '{}')
expect_contains "strategic patch of a CRD kind 415" 'HTTP 415' "$out"

# status and scale subresources
vs='{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"st"},"spec":{"hosts":["a"]}}'
api main POST /apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices -H 'Content-Type: application/json' -d "$vs" >/dev/null
out=$(api main PATCH /apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/st/status \
	-H 'Content-Type: application/merge-patch+json' -d '{"spec":{"hosts":["b"]},"status":{"x":"y"}}')
expect_contains "status patch sets status" '"status":{"x":"y"}' "$out"
expect_contains "status patch leaves spec" '"hosts":["a"]' "$out"
out=$(api main PUT /apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/st/status -H 'Content-Type: application/json' \
	-d '{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"st","resourceVersion":"1"},"status":{}}')
expect_contains "status PUT with a stale resourceVersion: 409" '"reason":"Conflict"' "$out"
out=$(api main GET /apis/apps/v1/namespaces/bookinfo/deployments/details-v1/scale)
expect_contains "scale subresource" '"kind":"Scale","apiVersion":"autoscaling/v1"' "$out"
api main PATCH /apis/apps/v1/namespaces/bookinfo/deployments/details-v1/scale \
	-H 'Content-Type: application/merge-patch+json' -d '{"spec":{"replicas":3}}' >/dev/null
out=$(api main GET /apis/apps/v1/namespaces/bookinfo/deployments/details-v1)
expect_contains "scale patch sets spec.replicas" '"replicas":3' "$out"

# protobuf Namespace (what kubectl create namespace sends): k8s\0 envelope
printf 'k8s\0\x0a\x0f\x0a\x02v1\x12\x09Namespace\x12\x0c\x0a\x0a\x0a\x08proto-ns' >"$LIB_TMP/ns.pb"
out=$(api main POST /api/v1/namespaces -H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary "@$LIB_TMP/ns.pb")
expect_contains "protobuf Namespace created" '"name":"proto-ns"' "$out"

# watch: a stream of events, one JSON object a line
out=$(api main GET '/api/v1/namespaces/bookinfo/pods?watch=true&timeoutSeconds=1&labelSelector=app%3Dreviews' --max-time 10)
expect_eq "watch from scratch: 3 ADDED events" 3 "$(grep -c '^{"type":"ADDED","object":{' <<<"$out")"
rv=$(api main GET /api/v1/namespaces/default/configmaps | grep -o '"resourceVersion":"[0-9]*"' | head -1 | cut -d'"' -f4)
api main GET "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=2&resourceVersion=$rv" --max-time 10 >"$LIB_TMP/w.out" &
wpid=$!
sleep 0.5
api main POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' \
	-d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w1"}}' >/dev/null
sleep 0.3 # watches poll the store: a change undone within a poll is unseen
api main DELETE /api/v1/namespaces/default/configmaps/w1 >/dev/null
wait "$wpid"
out=$(cat "$LIB_TMP/w.out")
expect_contains "watch: ADDED after the list" '{"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"w1"' "$out"
expect_contains "watch: DELETED" '{"type":"DELETED","object":{"kind":"ConfigMap","metadata":{"name":"w1"' "$out"
expect_contains "watch ends with 200 at timeoutSeconds" 'HTTP 200' "$out"

# ---- auth and RBAC
out=$(curl -s --cacert "$LIB_TMP/main.ca" -w '\nHTTP %{http_code}' "$API/api/v1/namespaces")
expect_contains "no credentials 401" '"reason":"Unauthorized","code":401}' "$out"
out=$(curl -s --cacert "$LIB_TMP/main.ca" -H 'Authorization: Bearer 0123' "$API/api/v1/namespaces")
expect_contains "wrong token 401" '"code":401' "$out"

start_labsim expired --scenario "$(scenario complete)" --client-cert expired || exit 1
creds expired
out=$(api expired GET /api/v1/namespaces)
expect_contains "expired client cert 401" '"reason":"Unauthorized"' "$out"
start_labsim foreign --scenario "$(scenario complete)" --client-cert foreign || exit 1
creds foreign
out=$(api foreign GET /api/v1/namespaces)
expect_contains "foreign client cert 401" '"reason":"Unauthorized"' "$out"

start_labsim token --scenario "$(scenario complete)" --auth token --forbid pods:bookinfo || exit 1
creds token
tokn=$(awk '$1 == "token:" { print $2 }' "$KC")
check "token kubeconfig has no client cert" test ! -s "$LIB_TMP/token.crt"
out=$(curl -s --cacert "$LIB_TMP/token.ca" -H "Authorization: Bearer $tokn" "$API/api/v1/namespaces/bookinfo/pods")
expect_contains "forbid pods:bookinfo 403" '"message":"pods is forbidden: User \"labsim-admin\" cannot list resource \"pods\" in API group \"\" in the namespace \"bookinfo\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}' "$out"
out=$(curl -s --cacert "$LIB_TMP/token.ca" -H "Authorization: Bearer $tokn" -w '\nHTTP %{http_code}' "$API/api/v1/namespaces/default/pods")
expect_contains "other namespaces allowed" 'HTTP 200' "$out"
check "kubeconfig mode 0600" test "$(stat -c %a "$KC")" = 600

# ---- fault knobs
start_labsim f5xx --scenario "$(scenario complete)" --fault-5xx 1 || exit 1
creds f5xx
out=$(api f5xx GET /api/v1/namespaces)
expect_contains "5xx rate 1: 500 InternalError Status" '"reason":"InternalError","code":500}' "$out"
start_labsim ftrunc --scenario "$(scenario complete)" --fault-truncate 1 || exit 1
creds ftrunc
out=$(api ftrunc GET /api/v1/namespaces)
body=${out%$'\n'HTTP*}
check "truncation: body cut short (${#body} of ${#full})" test "${#body}" -lt $((${#full} * 3 / 4))
check "truncation: not a complete list" test "${body: -2}" != "]}"
if command -v jq >/dev/null; then
	check "truncation: not JSON (jq)" bash -c '! jq -e . >/dev/null 2>&1 <<<"$1"' _ "$body"
fi
start_labsim freset --scenario "$(scenario complete)" --fault-reset 1 || exit 1
creds freset
api freset GET /api/v1/namespaces >/dev/null
rc=$?
check "reset rate 1: connection dropped (curl $rc)" test "$rc" = 52 -o "$rc" = 56
start_labsim flat --scenario "$(scenario complete)" --fault-latency 400 || exit 1
creds flat
t=$(curl -s -o /dev/null -w '%{time_total}' --cacert "$LIB_TMP/flat.ca" --cert "$LIB_TMP/flat.crt" --key "$LIB_TMP/flat.key" "$API/version")
check "latency 400 ms: answer takes >= 0.4 s ($t)" awk -v t="$t" 'BEGIN { exit !(t >= 0.4) }'
start_labsim fhalf --scenario "$(scenario complete)" --fault-5xx 0.5 --seed 7 || exit 1
creds fhalf
n=0
for i in $(seq 1 40); do
	api fhalf GET /version | grep -q 'HTTP 500' && n=$((n + 1))
done
check "5xx rate 0.5: some but not all of 40 fail ($n)" test "$n" -gt 5 -a "$n" -lt 35

# ---- command line
out=$("$LABSIM" --help 2>&1)
rc=$?
expect_eq "--help exits 0" 0 "$rc"
expect_contains "--help shows usage" "usage: labsim --scenario PATH" "$out"
"$LABSIM" --kubeconfig "$LIB_TMP/x.kc" >/dev/null 2>&1
expect_eq "no --scenario: exit 2" 2 "$?"
"$LABSIM" --scenario "$(scenario complete)" --kubeconfig "$LIB_TMP/x.kc" --fault-5xx 2 >/dev/null 2>&1
expect_eq "--fault-5xx 2: exit 2" 2 "$?"
out=$("$LABSIM" --scenario "$LIB_TMP/nope.yaml" --kubeconfig "$LIB_TMP/x.kc" 2>&1)
rc=$?
expect_eq "missing scenario: exit 1" 1 "$rc"
expect_contains "missing scenario: says which" "nope.yaml" "$out"
port=$((20000 + RANDOM % 20000))
start_labsim fixed --scenario "$(scenario complete)" --api-port "$port" || exit 1
expect_eq "--api-port is used" "https://127.0.0.1:$port" "$API"
check "kubeconfig names the port" grep -q "server: https://127.0.0.1:$port" "$KC"
