#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# make_cases.py: writes tests/cases/<check-id>/<case>/ from one model cluster.
#
# Each case is the API answers of a small lab cluster (a completed lab, then
# one thing broken), named as lg_cluster_open_fixture() looks them up, plus
# expect.yaml. The objects are shaped like a real Kubernetes 1.32 / Istio
# 1.24 cluster answers them (trimmed to the fields that matter). Run it from
# the repository root after changing the model; the output is committed, so
# the unit tests need no Python.
import copy
import json
import os
import shutil

ROOT = os.path.dirname(os.path.abspath(__file__))
LIMIT = "_limit_500"  # lg_cluster_list asks ?limit=500
APPS = ["productpage-v1", "details-v1", "reviews-v1", "reviews-v2",
        "reviews-v3", "ratings-v1"]
PAGE = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
        "\r\n<html><head><title>Simple Bookstore App</title></head><body>"
        "<h4>Reviews served by:</h4>\n<small>reviews-v1-5c9d8b6f7-abcde"
        "</small></body></html>\n")
NOT_FOUND_PAGE = ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                  "Connection: close\r\n\r\n")


def meta(name, ns=None, labels=None, **extra):
    m = {"name": name, "uid": "uid-" + name, "resourceVersion": "1",
         "creationTimestamp": "2026-11-20T10:00:00Z"}
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = labels
    m.update(extra)
    return m


def deployment(name, ns, image, labels, ready=True, container=None):
    app = labels.get("app", name)
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta(name, ns, dict(labels)),
        "spec": {"replicas": 1,
                 "selector": {"matchLabels": dict(labels)},
                 "template": {"metadata": {"labels": dict(labels)},
                              "spec": {"containers": [
                                  {"name": container or app,
                                   "image": image}]}}},
        "status": {"replicas": 1, "readyReplicas": 1 if ready else 0,
                   "availableReplicas": 1 if ready else 0,
                   "conditions": [
                       {"type": "Available",
                        "status": "True" if ready else "False",
                        "reason": "MinimumReplicasAvailable" if ready
                        else "MinimumReplicasUnavailable"},
                       {"type": "Progressing", "status": "True",
                        "reason": "NewReplicaSetAvailable"}]}}


def pod(name, ns, labels, app_image, sidecar=True, ready=True,
        waiting=None, native=False, container=None):
    app = container or labels["app"]
    spec = {"containers": [{"name": app, "image": app_image}]}
    st = [{"name": app, "image": app_image, "ready": ready and not waiting,
           "restartCount": 0,
           "state": {"waiting": {"reason": waiting}} if waiting
           else {"running": {"startedAt": "2026-11-20T10:01:00Z"}}}]
    ann = {}
    if sidecar:
        proxy = {"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.24.2"}
        pst = {"name": "istio-proxy", "image": proxy["image"],
               "ready": True, "restartCount": 0,
               "state": {"running": {"startedAt": "2026-11-20T10:01:00Z"}}}
        ann["sidecar.istio.io/status"] = '{"containers":["istio-proxy"]}'
        if native:
            proxy["restartPolicy"] = "Always"
            spec["initContainers"] = [proxy]
            init_st = [pst]
        else:
            spec["containers"].append(proxy)
            st.append(pst)
            init_st = None
    else:
        init_st = None
    all_ready = all(c["ready"] for c in st)
    status = {"phase": "Pending" if waiting else "Running",
              "conditions": [{"type": "PodScheduled", "status": "True"},
                             {"type": "Ready",
                              "status": "True" if all_ready else "False"}],
              "containerStatuses": st}
    if init_st:
        status["initContainerStatuses"] = init_st
    m = meta(name, ns, dict(labels))
    if ann:
        m["annotations"] = ann
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec,
            "status": status}


def crd(name):
    plural, group = name.split(".", 1)
    return {"apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition", "metadata": meta(name),
            "spec": {"group": group, "names": {"plural": plural}},
            "status": {"conditions": [
                {"type": "NamesAccepted", "status": "True"},
                {"type": "Established", "status": "True"}]}}


def lst(kind, items):
    return {"apiVersion": "v1", "kind": kind + "List",
            "metadata": {"resourceVersion": "100"}, "items": items}


ISTIO_CRDS = ["virtualservices.networking.istio.io",
              "destinationrules.networking.istio.io",
              "gateways.networking.istio.io"]
GWAPI_CRDS = ["gateways.gateway.networking.k8s.io",
              "httproutes.gateway.networking.k8s.io"]


def bookinfo_pods(sidecar=True, native=False):
    out = []
    for d in APPS:
        app, ver = d.rsplit("-", 1)
        out.append(pod(d + "-7d4b9c8f5-x" + ver, "bookinfo",
                       {"app": app, "version": ver},
                       "docker.io/istio/examples-bookinfo-%s-%s:1.20.2"
                       % (app, ver) if app != "productpage" else
                       "docker.io/istio/examples-bookinfo-productpage-v1:1.20.2",
                       sidecar=sidecar, native=native))
    return out


def gateway_pod(ready=True):
    lab = {"gateway.networking.k8s.io/gateway-name": "bookinfo-gateway",
           "istio.io/gateway-name": "bookinfo-gateway"}
    p = pod("bookinfo-gateway-istio-6f8d7c9b4-gw1", "bookinfo", dict(lab),
            "docker.io/istio/proxyv2:1.24.2", sidecar=False, ready=ready,
            container="istio-proxy")
    return p


def world():
    """A completed lab, as path -> JSON object."""
    w = {}
    istiod = deployment("istiod", "istio-system",
                        "docker.io/istio/pilot:1.24.2",
                        {"app": "istiod", "istio": "pilot"},
                        container="discovery")
    istiod["metadata"]["labels"]["operator.istio.io/version"] = "1.24.2"
    w["/apis/apps/v1/namespaces/istio-system/deployments/istiod"] = istiod
    for c in ISTIO_CRDS + GWAPI_CRDS:
        w["/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + c] = \
            crd(c)
    w["/api/v1/namespaces/bookinfo"] = {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": meta("bookinfo", labels={
            "istio-injection": "enabled",
            "kubernetes.io/metadata.name": "bookinfo"}),
        "status": {"phase": "Active"}}
    deps = []
    for d in APPS:
        app, ver = d.rsplit("-", 1)
        deps.append(deployment(d, "bookinfo",
                               "docker.io/istio/examples-bookinfo-%s-%s:1.20.2"
                               % (app, ver), {"app": app, "version": ver}))
    gwlab = {"gateway.networking.k8s.io/gateway-name": "bookinfo-gateway"}
    deps.append(deployment("bookinfo-gateway-istio", "bookinfo",
                           "docker.io/istio/proxyv2:1.24.2", gwlab,
                           container="istio-proxy"))
    w["/apis/apps/v1/namespaces/bookinfo/deployments" + LIMIT] = \
        lst("Deployment", deps)
    w["/api/v1/namespaces/bookinfo/pods" + LIMIT] = \
        lst("Pod", bookinfo_pods() + [gateway_pod()])
    w["/apis/gateway.networking.k8s.io/v1/namespaces/bookinfo/gateways/"
      "bookinfo-gateway"] = {
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": meta("bookinfo-gateway", "bookinfo", annotations={
            "networking.istio.io/service-type": "ClusterIP"}),
        "spec": {"gatewayClassName": "istio", "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP",
             "allowedRoutes": {"namespaces": {"from": "Same"}}}]},
        "status": {"conditions": [
            {"type": "Accepted", "status": "True", "reason": "Accepted"},
            {"type": "Programmed", "status": "True",
             "reason": "Programmed"}]}}
    w["/apis/gateway.networking.k8s.io/v1/namespaces/bookinfo/httproutes"
      + LIMIT] = lst("HTTPRoute", [{
          "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
          "metadata": meta("bookinfo", "bookinfo"),
          "spec": {"parentRefs": [{"name": "bookinfo-gateway"}],
                   "rules": [{"matches": [
                       {"path": {"type": "Exact", "value": "/productpage"}},
                       {"path": {"type": "PathPrefix", "value": "/static"}},
                       {"path": {"type": "Exact", "value": "/login"}},
                       {"path": {"type": "Exact", "value": "/logout"}},
                       {"path": {"type": "PathPrefix",
                                 "value": "/api/v1/products"}}],
                       "backendRefs": [{"name": "productpage",
                                        "port": 9080}]}]}}])
    w["/api/v1/namespaces/bookinfo/services/bookinfo-gateway-istio"] = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta("bookinfo-gateway-istio", "bookinfo"),
        "spec": {"type": "ClusterIP", "clusterIP": "127.0.0.1",
                 "selector": dict(gwlab),
                 "ports": [{"name": "status-port", "port": 15021},
                           {"name": "http", "port": 1}]}}
    return w


def write_case(check, name, w, expect, gateway=None, raw=None):
    d = os.path.join(ROOT, check, name)
    os.makedirs(d, exist_ok=True)
    for path, obj in w.items():
        f = path.lstrip("/").replace("/", "_").replace("?", "_")
        with open(os.path.join(d, f + ".json"), "w") as fh:
            json.dump(obj, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
    for path, (status, body) in (raw or {}).items():
        f = path.lstrip("/").replace("/", "_")
        with open(os.path.join(d, f + ".json"), "w") as fh:
            fh.write(body)
        if status:
            with open(os.path.join(d, f + ".status"), "w") as fh:
                fh.write("%d\n" % status)
    if gateway is not None:
        with open(os.path.join(d, "gateway.http"), "w") as fh:
            fh.write(gateway)
    with open(os.path.join(d, "expect.yaml"), "w") as fh:
        fh.write("# %s/%s: written by tests/cases/make_cases.py\n"
                 % (check, name))
        for k, v in expect.items():
            if isinstance(v, list):
                fh.write("%s: [%s]\n" % (k, ", ".join(v)))
            else:
                fh.write("%s: %s\n" % (k, json.dumps(v, ensure_ascii=False)
                                       if isinstance(v, str) else v))


FORBIDDEN = json.dumps({
    "kind": "Status", "apiVersion": "v1", "status": "Failure",
    "reason": "Forbidden", "code": 403,
    "message": "pods is forbidden: User \"student\" cannot list resource "
               "\"pods\" in API group \"\" in the namespace \"bookinfo\""})

ISTIOD = "/apis/apps/v1/namespaces/istio-system/deployments/istiod"
CRD = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
PODS = "/api/v1/namespaces/bookinfo/pods" + LIMIT
DEPS = "/apis/apps/v1/namespaces/bookinfo/deployments" + LIMIT
GW = ("/apis/gateway.networking.k8s.io/v1/namespaces/bookinfo/gateways/"
      "bookinfo-gateway")
ROUTES = ("/apis/gateway.networking.k8s.io/v1/namespaces/bookinfo/httproutes"
          + LIMIT)
SVC = "/api/v1/namespaces/bookinfo/services/bookinfo-gateway-istio"


def istio_install_cases():
    c = "istio-install"
    write_case(c, "complete", world(), {"verdict": "pass", "points": 10,
                                        "failed": [],
                                        "evidence_contains": "1.24.2"})
    w = world()
    del w[ISTIOD]
    write_case(c, "istiod-missing", w, {
        "verdict": "fail", "points": 4,
        "failed": ["istiod-deployed", "istiod-available", "istio-version"],
        "hint_contains": "demo-profile-no-gateways.yaml -y"})
    w = world()
    st = w[ISTIOD]["status"]
    st["readyReplicas"] = 0
    st["conditions"][0].update(status="False",
                               reason="MinimumReplicasUnavailable")
    write_case(c, "istiod-unavailable", w, {
        "verdict": "fail", "points": 8, "failed": ["istiod-available"],
        "hint_contains": "kubectl get pods -n istio-system -l app=istiod",
        "evidence_contains": "MinimumReplicasUnavailable"})
    w = world()
    del w[CRD + "virtualservices.networking.istio.io"]
    del w[CRD + "destinationrules.networking.istio.io"]
    write_case(c, "crds-missing", w, {
        "verdict": "fail", "points": 8, "failed": ["istio-crds"],
        "hint_contains": "virtualservices.networking.istio.io (missing)"})
    w = world()
    w[CRD + "gateways.networking.istio.io"]["status"]["conditions"][1][
        "status"] = "False"
    write_case(c, "crd-not-established", w, {
        "verdict": "fail", "points": 8, "failed": ["istio-crds"],
        "evidence_contains": "not Established"})
    w = world()
    w[ISTIOD]["spec"]["template"]["spec"]["containers"][0]["image"] = \
        "docker.io/istio/pilot:1.23.1"
    write_case(c, "wrong-version", w, {
        "verdict": "fail", "points": 8, "failed": ["istio-version"],
        "hint_contains": "istiod runs 1.23.1"})
    w = world()
    w[ISTIOD]["spec"]["template"]["spec"]["containers"][0]["image"] = \
        "docker.io/istio/pilot@sha256:" + "ab" * 32
    write_case(c, "version-from-label", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "label operator.istio.io/version"})
    w = world()
    w[ISTIOD]["spec"]["template"]["spec"]["containers"][0]["image"] = \
        "registry.local:5000/istio/pilot:1.240.0"
    write_case(c, "version-prefix-only", w, {
        "verdict": "fail", "points": 8, "failed": ["istio-version"]})
    w = world()
    for x in GWAPI_CRDS:
        del w[CRD + x]
    write_case(c, "gateway-api-crds-missing", w, {
        "verdict": "fail", "points": 8, "failed": ["gateway-api-crds"],
        "hint_contains": "standard-install.yaml"})
    w = world()
    del w[ISTIOD]
    write_case(c, "forbidden", w, {
        "verdict": "error", "failed": [],
        "message_contains": "RBAC"},
        raw={ISTIOD: (403, FORBIDDEN.replace("pods", "deployments.apps")
                      .replace('"bookinfo', '"istio-system'))})
    w = world()
    body = json.dumps(w.pop(CRD + "gateways.networking.istio.io"))
    write_case(c, "truncated", w, {"verdict": "error"},
               raw={CRD + "gateways.networking.istio.io":
                    (None, body[:len(body) // 2])})


def sidecar_cases():
    c = "sidecar-injection"
    write_case(c, "complete", world(), {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "READY 2/2"})
    w = world()
    w["/api/v1/namespaces/bookinfo"]["metadata"]["labels"].pop(
        "istio-injection")
    w[PODS]["items"] = bookinfo_pods(sidecar=False) + [gateway_pod()]
    write_case(c, "not-labelled", w, {
        "verdict": "fail", "points": 5,
        "failed": ["namespace-labelled", "pods-have-sidecar"],
        "hint_contains": "istio-injection=enabled"})
    w = world()
    w[PODS]["items"] = bookinfo_pods(sidecar=False) + [gateway_pod()]
    write_case(c, "labelled-after-deploy", w, {
        "verdict": "fail", "points": 7, "failed": ["pods-have-sidecar"],
        "hint_contains": "kubectl rollout restart deployment -n bookinfo",
        "evidence_contains": "READY 1/1"})
    w = world()
    items = w[DEPS]["items"]
    bad = next(d for d in items if d["metadata"]["name"] == "reviews-v3")
    img = "docker.io/istio/examples-bookinfo-reviews-v3:1.20.99"
    bad["spec"]["template"]["spec"]["containers"][0]["image"] = img
    bad["status"]["readyReplicas"] = 0
    bad["status"]["conditions"][0].update(
        status="False", reason="MinimumReplicasUnavailable")
    pods = w[PODS]["items"]
    i = next(k for k, p in enumerate(pods)
             if p["metadata"]["name"].startswith("reviews-v3"))
    pods[i] = pod(pods[i]["metadata"]["name"], "bookinfo",
                  {"app": "reviews", "version": "v3"}, img,
                  waiting="ErrImagePull")
    write_case(c, "image-pull-error", w, {
        "verdict": "fail", "points": 5,
        "failed": ["deployments-available", "pods-ready"],
        "hint_contains": "pod reviews-v3-7d4b9c8f5-xv3, container reviews "
                         "waiting: ErrImagePull (image docker.io/istio/"
                         "examples-bookinfo-reviews-v3:1.20.99): the image "
                         "cannot be pulled",
        "evidence_contains": "reviews-v3: ready 0/1"})
    w = world()
    w[PODS]["items"] = bookinfo_pods(sidecar=False) + [gateway_pod()]
    write_case(c, "labelled-after-deploy-es", w, {
        "lang": "es", "verdict": "fail", "points": 7,
        "failed": ["pods-have-sidecar"],
        "hint_contains": "se crearon antes de la etiqueta (READY 1/1 en "
                         "vez de 2/2)"})
    w = world()
    w[DEPS]["items"] = [d for d in w[DEPS]["items"]
                        if d["metadata"]["name"] != "ratings-v1"]
    w[PODS]["items"] = [p for p in w[PODS]["items"]
                        if not p["metadata"]["name"].startswith("ratings")]
    write_case(c, "deployment-missing", w, {
        "verdict": "fail", "points": 7, "failed": ["deployments-available"],
        "hint_contains": "bookinfo.yaml",
        "evidence_contains": "ratings-v1: not found"})
    w = world()
    del w["/api/v1/namespaces/bookinfo"]
    w[DEPS]["items"] = []
    w[PODS]["items"] = []
    write_case(c, "namespace-missing", w, {
        "verdict": "fail", "points": 0,
        "failed": ["namespace-labelled", "deployments-available",
                   "pods-have-sidecar", "pods-ready"],
        "hint_contains": "kubectl create namespace bookinfo",
        "evidence_contains": "productpage-v1: not found"})
    w = world()
    w[PODS]["items"] = bookinfo_pods(native=True) + [gateway_pod()]
    write_case(c, "native-sidecar", w, {"verdict": "pass", "points": 10,
                                        "failed": []})
    w = world()
    labels = w["/api/v1/namespaces/bookinfo"]["metadata"]["labels"]
    labels.pop("istio-injection")
    labels["istio.io/rev"] = "default"
    write_case(c, "revision-label", w, {"verdict": "pass", "points": 10,
                                        "failed": []})
    w = world()
    del w[PODS]
    write_case(c, "forbidden-pods", w, {
        "verdict": "error", "message_contains": "RBAC"},
        raw={PODS: (403, FORBIDDEN)})
    w = world()
    body = json.dumps(w.pop(DEPS))
    write_case(c, "truncated", w, {"verdict": "error"},
               raw={DEPS: (None, body[: len(body) // 3])})
    w = world()
    del w[ISTIOD]
    write_case(c, "istio-install-error", w, {
        "verdict": "error", "points": 0, "failed": [],
        "message_contains": "prerequisite istio-install could not be "
                            "graded"},
        raw={ISTIOD: (500, json.dumps({
            "kind": "Status", "apiVersion": "v1", "status": "Failure",
            "reason": "InternalError", "code": 500,
            "message": "etcdserver: request timed out"}))})
    w = world()
    del w[ISTIOD]
    write_case(c, "no-istiod", w, {
        "verdict": "skip", "points": 0,
        "message_contains": "prerequisite istio-install failed"})


def gateway_cases():
    c = "gateway"
    write_case(c, "complete", world(), {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "HTTP 200"}, gateway=PAGE)
    w = world()
    del w[GW]
    del w[ROUTES]
    write_case(c, "no-gateway", w, {
        "verdict": "fail", "points": 0,
        "failed": ["gateway-configured", "gateway-programmed",
                   "productpage-reachable"],
        "hint_contains": "bookinfo-gateway.yaml"})
    w = world()
    w[ROUTES]["items"] = []
    write_case(c, "route-missing", w, {
        "verdict": "fail", "points": 0,
        "failed": ["gateway-configured", "gateway-programmed",
                   "productpage-reachable"],
        "hint_contains": "HTTPRoute",
        "evidence_contains": "no HTTPRoute attached"})
    w = world()
    w[ROUTES]["items"][0]["spec"]["rules"][0]["backendRefs"][0]["name"] = \
        "details"
    write_case(c, "route-wrong-backend", w, {
        "verdict": "fail", "points": 0,
        "failed": ["gateway-configured", "gateway-programmed",
                   "productpage-reachable"],
        "evidence_contains": "sends /productpage to productpage"})
    # The lab's other realisation: an Istio Gateway and a VirtualService.
    w = world()
    del w[GW]
    del w[ROUTES]
    igw = {"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
           "metadata": meta("bookinfo-gateway", "bookinfo"),
           "spec": {"selector": {"istio": "ingressgateway"},
                    "servers": [{"port": {"number": 8080, "name": "http",
                                          "protocol": "HTTP"},
                                 "hosts": ["*"]}]}}
    vs = {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
          "metadata": meta("bookinfo", "bookinfo"),
          "spec": {"hosts": ["*"], "gateways": ["bookinfo-gateway"],
                   "http": [{"match": [{"uri": {"exact": "/productpage"}},
                                       {"uri": {"prefix": "/static"}}],
                             "route": [{"destination": {
                                 "host": "productpage",
                                 "port": {"number": 9080}}}]}]}}
    w["/apis/networking.istio.io/v1/namespaces/bookinfo/gateways" + LIMIT] \
        = lst("Gateway", [igw])
    w["/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices"
      + LIMIT] = lst("VirtualService", [vs])
    all_pods = copy.deepcopy(w[PODS])
    w["/api/v1/pods" + LIMIT] = all_pods
    write_case(c, "istio-gateway-no-pods", w, {
        "verdict": "fail", "points": 0,
        "failed": ["gateway-configured", "gateway-programmed",
                   "productpage-reachable"],
        "hint_contains": "demo-profile-no-gateways",
        "evidence_contains": "IST0101"})
    ing = pod("istio-ingressgateway-5d8f9c7b6-ing1", "istio-system",
              {"app": "istio-ingressgateway", "istio": "ingressgateway"},
              "docker.io/istio/proxyv2:1.24.2", sidecar=False,
              container="istio-proxy")
    w["/api/v1/pods" + LIMIT]["items"].append(ing)
    w["/api/v1/namespaces/istio-system/services" + LIMIT] = lst("Service", [{
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta("istio-ingressgateway", "istio-system"),
        "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.50",
                 "selector": {"app": "istio-ingressgateway",
                              "istio": "ingressgateway"},
                 "ports": [{"name": "status-port", "port": 15021},
                           {"name": "http2", "port": 80,
                            "nodePort": 31380}]}}])
    write_case(c, "istio-gateway", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "Istio Gateway bookinfo/bookinfo-gateway"},
        gateway=PAGE)
    w = world()
    w[PODS]["items"][-1] = gateway_pod(ready=False)
    w[PODS]["items"][-1]["status"]["containerStatuses"][0]["state"] = {
        "waiting": {"reason": "CrashLoopBackOff"}}
    write_case(c, "gateway-pods-not-ready", w, {
        "verdict": "fail", "points": 4,
        "failed": ["gateway-programmed", "productpage-reachable"],
        "hint_contains": "gateway.networking.k8s.io/gateway-name="
                         "bookinfo-gateway",
        "evidence_contains": "ClusterIP 127.0.0.1 port 1"},
        raw=None)
    w = world()
    w[PODS]["items"] = w[PODS]["items"][:-1]
    write_case(c, "gateway-scaled-to-zero", w, {
        "verdict": "fail", "points": 4,
        "failed": ["gateway-programmed", "productpage-reachable"],
        "hint_contains": "kubectl scale deployment -n bookinfo "
                         "bookinfo-gateway-istio --replicas=1",
        "evidence_contains": "0/0 pod(s) ready"})
    w = world()
    write_case(c, "unreachable-from-grader", w, {
        "verdict": "error", "points": 6,
        "failed": [],
        "message_contains": "kubectl port-forward -n bookinfo "
                            "svc/bookinfo-gateway-istio 8080:80"})
    write_case(c, "http-404", world(), {
        "verdict": "fail", "points": 6,
        "failed": ["productpage-reachable"],
        "evidence_contains": "HTTP 404"}, gateway=NOT_FOUND_PAGE)
    w = world()
    del w[ROUTES]
    write_case(c, "forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"},
        raw={ROUTES: (403, FORBIDDEN.replace("pods", "httproutes"))})
    w = world()
    w[CRD + "gateways.networking.istio.io"]["status"]["conditions"] = []
    write_case(c, "istio-crds-broken", w, {
        "verdict": "skip", "points": 0,
        "message_contains": "prerequisite istio-install failed"})


if __name__ == "__main__":
    for sub in ("istio-install", "sidecar-injection", "gateway"):
        shutil.rmtree(os.path.join(ROOT, sub), ignore_errors=True)
    istio_install_cases()
    sidecar_cases()
    gateway_cases()
