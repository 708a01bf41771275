#!/usr/bin/env bash
# test_kubectl.sh: the real kubectl (1.32) against labsim: discovery,
# get, apply, label, annotate, delete, rollout restart, create namespace,
# and the errors kubectl users see.
. "$(dirname "$0")/lib.sh"

start_labsim main --scenario "$(scenario complete)" || exit 1

# ---- get
out=$(kc get ns 2>&1)
expect_contains "get ns lists bookinfo" "bookinfo" "$out"
expect_contains "get ns lists istio-system" "istio-system" "$out"
out=$(kc get pods -n bookinfo -o name 2>&1)
expect_contains "get pods -n bookinfo" "pod/productpage-v1-" "$out"
out=$(kc get pods -n bookinfo 2>&1)
expect_contains "server-side table: pod columns" "READY   STATUS    RESTARTS   AGE" "$out"
expect_contains "server-side table: sidecar pods 2/2 Running" "2/2     Running" "$out"
out=$(kc get svc productpage -n bookinfo -o wide 2>&1)
expect_contains "service table with -o wide" "9080/TCP" "$out"
expect_contains "service selector column" "app=productpage" "$out"
out=$(kc get pods -A 2>&1)
expect_contains "get pods -A has a NAMESPACE column" "NAMESPACE" "$out"
expect_contains "get pods -A spans namespaces" "istio-system" "$out"
out=$(kc get pods -n bookinfo -l app=reviews -o name 2>&1)
expect_eq "get -l app=reviews: 3 pods" 3 "$(grep -c '^pod/reviews-v' <<<"$out")"
out=$(kc get pods -n bookinfo -l 'app in (reviews,ratings),version!=v2' -o name 2>&1)
expect_eq "set-based selector: 3 pods" 3 "$(wc -l <<<"$out")"
out=$(kc get pods -n bookinfo -o json 2>&1)
expect_contains "-o json is a List" '"kind": "List"' "$out"
out=$(kc get deploy productpage-v1 -n bookinfo -o yaml 2>&1)
expect_contains "-o yaml" "kind: Deployment" "$out"
out=$(kc get deploy productpage-v1 -n bookinfo -o jsonpath='{.metadata.name}' 2>&1)
expect_eq "-o jsonpath" "productpage-v1" "$out"
out=$(kc get pod nope -n bookinfo 2>&1)
expect_contains "404 as kubectl shows it" 'Error from server (NotFound): pods "nope" not found' "$out"
out=$(kc api-resources 2>&1)
expect_contains "api-resources lists virtualservices" "virtualservices" "$out"
out=$(kc version 2>&1)
expect_contains "server version 1.32" "Server Version: v1.32." "$out"

# ---- logs and the pod/service proxies (answered by the mesh model)
pod=$(kc get pods -n bookinfo -l app=reviews,version=v1 -o name 2>&1 | head -1)
pod=${pod#pod/}
out=$(kc logs -n bookinfo "$pod" -c nope 2>&1)
expect_contains "logs of an unknown container: 400" "container nope is not valid for pod $pod" "$out"
out=$(kc logs -n bookinfo "$pod" -c istio-proxy 2>&1)
check "logs -c istio-proxy answer" test -n "$out"
out=$(kc get --raw "/api/v1/namespaces/bookinfo/pods/$pod:15020/proxy/stats/prometheus" 2>&1)
expect_contains "pod proxy to :15020/stats/prometheus" "istio_requests_total" "$out"
out=$(kc get --raw "/api/v1/namespaces/bookinfo/services/productpage:9080/proxy/api/v1/products" 2>&1)
expect_contains "service proxy to productpage" "The Comedy of Errors" "$out"
out=$(kc get --raw "/api/v1/namespaces/bookinfo/pods/nope:15020/proxy/stats/prometheus" 2>&1)
expect_contains "pod proxy to a missing pod: NotFound" "NotFound" "$out"

# ---- apply: create, then update through last-applied
cat >"$LIB_TMP/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  namespace: bookinfo
data:
  a: "1"
  b: "2"
YAML
out=$(kc apply -f "$LIB_TMP/cm.yaml" 2>&1)
expect_eq "apply creates" "configmap/demo created" "$out"
sed -i '/b: "2"/d; s/a: "1"/a: "9"/' "$LIB_TMP/cm.yaml"
out=$(kc apply -f "$LIB_TMP/cm.yaml" 2>&1)
expect_eq "apply updates" "configmap/demo configured" "$out"
out=$(kc get cm demo -n bookinfo -o jsonpath='{.data}' 2>&1)
expect_eq "apply removed the dropped key" '{"a":"9"}' "$out"
out=$(kc apply -f "$LIB_TMP/cm.yaml" 2>&1)
expect_eq "apply again: unchanged" "configmap/demo unchanged" "$out"
out=$(kc apply -f - 2>&1 <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: from-stdin
data: {x: "y"}
YAML
)
expect_eq "apply from stdin (default namespace)" "configmap/from-stdin created" "$out"
out=$(kc get cm from-stdin -n default -o jsonpath='{.data.x}' 2>&1)
expect_eq "stdin object stored" "y" "$out"

# a Deployment: strategic merge by container name, $patch: delete
cat >"$LIB_TMP/multi.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: multi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: multi
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1
        ports:
        - containerPort: 80
        - containerPort: 81
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
      - name: side
        image: busybox:1
YAML
out=$(kc apply -f "$LIB_TMP/multi.yaml" 2>&1)
expect_contains "multi-document apply: namespace" "namespace/multi created" "$out"
expect_contains "multi-document apply: deployment" "deployment.apps/web created" "$out"
sed -i '/name: side/,$d; /name: A/d; s/value: "2"/value: "3"/; /containerPort: 81/d' "$LIB_TMP/multi.yaml"
sed -i 's/type: RollingUpdate/type: Recreate/; /rollingUpdate:/d' "$LIB_TMP/multi.yaml"
kc apply -f "$LIB_TMP/multi.yaml" >/dev/null 2>&1
out=$(kc get deploy web -n multi -o jsonpath='{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].env}' 2>&1)
expect_eq "strategic merge: container and env removed" 'web [{"name":"B","value":"3"}]' "$out"
out=$(kc get deploy web -n multi -o jsonpath='{.spec.template.spec.containers[0].ports} {.spec.strategy}' 2>&1)
expect_eq "strategic merge: port by containerPort, \$retainKeys" '[{"containerPort":80}] {"type":"Recreate"}' "$out"

# ---- label, annotate, delete
out=$(kc label cm demo -n bookinfo tier=test 2>&1)
expect_eq "label" "configmap/demo labeled" "$out"
out=$(kc annotate cm demo -n bookinfo note=hello 2>&1)
expect_eq "annotate" "configmap/demo annotated" "$out"
out=$(kc get cm -n bookinfo -l tier=test -o jsonpath='{.items[*].metadata.annotations.note}' 2>&1)
expect_eq "label and annotation stored" "hello" "$out"
out=$(kc delete cm demo -n bookinfo 2>&1)
expect_eq "delete" 'configmap "demo" deleted' "$out"
out=$(kc get cm demo -n bookinfo 2>&1)
expect_contains "deleted: NotFound" 'Error from server (NotFound): configmaps "demo" not found' "$out"
kc delete ns multi >/dev/null 2>&1
out=$(kc get deploy -n multi 2>&1)
expect_contains "namespace delete cascades" "No resources found" "$out"
out=$(kc get ns multi 2>&1)
expect_contains "deleted namespace: NotFound" 'namespaces "multi" not found' "$out"

# ---- create namespace (protobuf body), create configmap (protobuf)
out=$(kc create namespace lab-proto 2>&1)
expect_eq "create namespace" "namespace/lab-proto created" "$out"
out=$(kc get ns lab-proto -o jsonpath='{.status.phase}' 2>&1)
expect_eq "created namespace is Active" "Active" "$out"
out=$(kc create namespace lab-proto 2>&1)
expect_contains "create namespace twice: AlreadyExists" 'Error from server (AlreadyExists): namespaces "lab-proto" already exists' "$out"
out=$(kc create configmap pcm -n lab-proto --from-literal=k=v 2>&1)
expect_eq "create configmap (protobuf)" "configmap/pcm created" "$out"
expect_eq "protobuf configmap data" "v" "$(kc get cm pcm -n lab-proto -o jsonpath='{.data.k}' 2>&1)"

# ---- 409 on a stale resourceVersion
kc get deploy details-v1 -n bookinfo -o yaml >"$LIB_TMP/stale.yaml" 2>&1
kc label deploy details-v1 -n bookinfo touched=yes >/dev/null 2>&1
out=$(kc replace -f "$LIB_TMP/stale.yaml" 2>&1)
expect_contains "replace with a stale resourceVersion: Conflict" 'Error from server (Conflict)' "$out"
expect_contains "Conflict message" 'the object has been modified; please apply your changes to the latest version and try again' "$out"

# ---- rollout restart: the controllers replace the pods
before=$(kc get pods -n bookinfo -l app=ratings -o name 2>&1)
out=$(kc rollout restart deployment/ratings-v1 -n bookinfo 2>&1)
expect_eq "rollout restart" "deployment.apps/ratings-v1 restarted" "$out"
after=""
for i in $(seq 1 50); do
	after=$(kc get pods -n bookinfo -l app=ratings -o name 2>&1)
	[ -n "$after" ] && [ "$after" != "$before" ] && [ "$(wc -l <<<"$after")" = 1 ] && break
	sleep 0.1
done
check "rollout restart replaced the ratings pod ($before -> $after)" test -n "$after" -a "$after" != "$before"
out=$(kc get deploy ratings-v1 -n bookinfo -o jsonpath='{.spec.template.metadata.annotations}' 2>&1)
expect_contains "restartedAt annotation" "kubectl.kubernetes.io/restartedAt" "$out"

# ---- watch: rollout status, wait, get -w
out=$(timeout 30 kubectl --kubeconfig "$KC" --cache-dir "$LIB_TMP/kcache.$LABSIM_PID" rollout status deployment/ratings-v1 -n bookinfo 2>&1)
expect_contains "rollout status (watch)" 'deployment "ratings-v1" successfully rolled out' "$out"
out=$(timeout 30 kubectl --kubeconfig "$KC" --cache-dir "$LIB_TMP/kcache.$LABSIM_PID" wait --for=condition=available deployment/productpage-v1 -n bookinfo 2>&1)
expect_contains "wait --for=condition=available" "condition met" "$out"
kc get cm -n default -w --output-watch-events >"$LIB_TMP/watch.out" 2>&1 &
wpid=$!
sleep 1
kc create configmap watched -n default --from-literal=a=b >/dev/null 2>&1
sleep 0.3
kc delete configmap watched -n default >/dev/null 2>&1
for i in $(seq 1 30); do grep -q DELETED "$LIB_TMP/watch.out" && break; sleep 0.1; done
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
out=$(cat "$LIB_TMP/watch.out")
expect_contains "get -w sees the object added" "ADDED      watched" "$out"
expect_contains "get -w sees the object deleted" "DELETED    watched" "$out"

# ---- CRD-backed discovery: Istio kinds appear with their CRDs
start_labsim nocrd --scenario "$(scenario no-istio-crds)" || exit 1
out=$(kc get virtualservices -A 2>&1)
expect_contains "no Istio CRDs: no such resource type" "the server doesn't have a resource type \"virtualservices\"" "$out"
out=$(kc apply -f "$(scenario parts)/00-istio-crds.yaml" 2>&1)
expect_contains "apply the Istio CRDs" "customresourcedefinition.apiextensions.k8s.io/virtualservices.networking.istio.io created" "$out"
out=$(kc apply -f - 2>&1 <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bookinfo
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
YAML
)
expect_eq "apply a VirtualService" "virtualservice.networking.istio.io/reviews created" "$out"
out=$(kc get virtualservices -A 2>&1)
expect_contains "get virtualservices -A" "reviews" "$out"
out=$(kc get vs reviews -n bookinfo -o jsonpath='{.spec.http[0].route[0].destination.subset}' 2>&1)
expect_eq "VirtualService stored" "v1" "$out"

# ---- authentication and RBAC as kubectl reports them
start_labsim expired --scenario "$(scenario complete)" --client-cert expired || exit 1
out=$(kc get ns 2>&1)
expect_contains "expired client cert: 401" "error: You must be logged in to the server" "$out"
start_labsim foreign --scenario "$(scenario complete)" --client-cert foreign || exit 1
out=$(kc get ns 2>&1)
expect_contains "foreign client cert: 401" "error: You must be logged in to the server" "$out"
start_labsim token --scenario "$(scenario complete)" --auth token --forbid pods:bookinfo || exit 1
out=$(kc get ns -o name 2>&1)
expect_contains "bearer token works" "namespace/bookinfo" "$out"
out=$(kc get pods -n bookinfo 2>&1)
expect_contains "--forbid: Forbidden" 'Error from server (Forbidden): pods is forbidden: User "labsim-admin" cannot list resource "pods" in API group "" in the namespace "bookinfo"' "$out"
out=$(kc get pods -n istio-system -o name 2>&1)
expect_contains "--forbid leaves other namespaces" "pod/istiod-" "$out"
expect_eq "auth can-i agrees with --forbid" "no" "$(kc auth can-i list pods -n bookinfo 2>&1)"
expect_eq "auth can-i elsewhere" "yes" "$(kc auth can-i list pods -n istio-system 2>&1)"
expect_eq "auth can-i across namespaces" "no" "$(kc auth can-i list pods -A 2>&1)"
out=$(kc auth whoami 2>&1)
expect_contains "auth whoami" "labsim-admin" "$out"
