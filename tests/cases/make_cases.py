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


# The traffic checks list Istio's and the Gateway API's route objects in
# every namespace (configuration elsewhere reaches bookinfo's sidecars).
# A case written with bookinfo's lists answers the cluster-wide list the
# same, and a refused namespaced list is refused cluster-wide too.
CLUSTER_WIDE = {
    "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices":
    "/apis/networking.istio.io/v1/virtualservices",
    "/apis/networking.istio.io/v1/namespaces/bookinfo/destinationrules":
    "/apis/networking.istio.io/v1/destinationrules",
    "/apis/gateway.networking.k8s.io/v1/namespaces/bookinfo/httproutes":
    "/apis/gateway.networking.k8s.io/v1/httproutes",
}


def cluster_wide(objs):
    out = dict(objs)
    for path, v in objs.items():
        for ns_path, all_path in CLUSTER_WIDE.items():
            if path == ns_path + LIMIT and all_path + LIMIT not in objs:
                out[all_path + LIMIT] = v
    return out


def write_case(check, name, w, expect, gateway=None, raw=None):
    w = cluster_wide(w)
    raw = cluster_wide(raw or {})
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


MWC = ("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
       + LIMIT)


def injector_webhooks():
    """istioctl's istio-sidecar-injector (1.24, default revision): the four
    injection webhooks and their selectors."""
    def hook(name, ns_expr, obj_expr):
        return {"name": name, "failurePolicy": "Fail",
                "clientConfig": {"service": {"name": "istiod",
                                             "namespace": "istio-system",
                                             "path": "/inject", "port": 443}},
                "rules": [{"operations": ["CREATE"], "apiGroups": [""],
                           "apiVersions": ["v1"], "resources": ["pods"]}],
                "namespaceSelector": {"matchExpressions": ns_expr},
                "objectSelector": {"matchExpressions": obj_expr}}

    def ex(key, op, *values):
        e = {"key": key, "operator": op}
        if values:
            e["values"] = list(values)
        return e
    not_false = ex("sidecar.istio.io/inject", "NotIn", "false")
    no_labels = [ex("istio-injection", "DoesNotExist"),
                 ex("istio.io/rev", "DoesNotExist")]
    return {"apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": meta("istio-sidecar-injector", labels={
                "app": "sidecar-injector", "istio.io/rev": "default"}),
            "webhooks": [
                hook("rev.namespace.sidecar-injector.istio.io",
                     [ex("istio.io/rev", "In", "default"),
                      ex("istio-injection", "DoesNotExist")], [not_false]),
                hook("rev.object.sidecar-injector.istio.io", no_labels,
                     [not_false, ex("istio.io/rev", "In", "default")]),
                hook("namespace.sidecar-injector.istio.io",
                     [ex("istio-injection", "In", "enabled")], [not_false]),
                hook("object.sidecar-injector.istio.io", no_labels,
                     [ex("sidecar.istio.io/inject", "In", "true"),
                      ex("istio.io/rev", "DoesNotExist")])]}


def sidecar_world():
    """A completed lab, plus the injector's webhooks (which only the
    sidecar-injection check reads)."""
    w = world()
    w[MWC] = lst("MutatingWebhookConfiguration", [injector_webhooks()])
    return w


def ns_labels(w):
    return w["/api/v1/namespaces/bookinfo"]["metadata"]["labels"]


def sidecar_cause_cases(c):
    """Pods without istio-proxy, told apart by cause (Istio 1.24's rules)."""
    w = sidecar_world()
    pods = w[PODS]["items"]
    i = next(k for k, p in enumerate(pods)
             if p["metadata"]["name"].startswith("reviews-v2"))
    pods[i] = pod(pods[i]["metadata"]["name"], "bookinfo",
                  {"app": "reviews", "version": "v2"},
                  "docker.io/istio/examples-bookinfo-reviews-v2:1.20.2",
                  sidecar=False)
    pods[i]["metadata"]["annotations"] = {"sidecar.istio.io/inject": "false"}
    write_case(c, "opted-out", w, {
        "verdict": "fail", "points": 7, "failed": ["pods-have-sidecar"],
        "hint_contains": "Deployment reviews-v2 opts its pods out of "
                         "injection with the annotation "
                         "sidecar.istio.io/inject: \"false\"",
        "evidence_contains": "mutatingwebhookconfigurations"})
    w = sidecar_world()
    ns_labels(w).pop("istio-injection")
    ns_labels(w)["istio.io/rev"] = "canary"
    w[PODS]["items"] = bookinfo_pods(sidecar=False) + [gateway_pod()]
    write_case(c, "revision-not-installed", w, {
        "verdict": "fail", "points": 5,
        "failed": ["namespace-labelled", "pods-have-sidecar"],
        "hint_contains": "istio.io/rev=canary names no installed revision "
                         "(the injector serves: default)"})
    w = sidecar_world()
    ns_labels(w)["istio-injection"] = "disabled"
    ns_labels(w)["istio.io/rev"] = "default"
    w[PODS]["items"] = bookinfo_pods(sidecar=False) + [gateway_pod()]
    write_case(c, "both-labels", w, {
        "verdict": "fail", "points": 5,
        "failed": ["namespace-labelled", "pods-have-sidecar"],
        "hint_contains": "both istio-injection=disabled and "
                         "istio.io/rev=default"})
    w = sidecar_world()
    ns_labels(w)["istio.io/rev"] = "canary"
    write_case(c, "both-labels-enabled", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "IST0123"})
    w = sidecar_world()
    w[MWC]["items"] = []
    w[PODS]["items"] = bookinfo_pods(sidecar=False) + [gateway_pod()]
    write_case(c, "no-webhook", w, {
        "verdict": "fail", "points": 7, "failed": ["pods-have-sidecar"],
        "hint_contains": "no sidecar injector webhook is installed"})
    w = sidecar_world()
    w[MWC]["items"] = []
    write_case(c, "no-webhook-old-pods", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "new pods get no istio-proxy"})


def sidecar_cases():
    c = "sidecar-injection"
    sidecar_cause_cases(c)
    world = sidecar_world  # every case below has the injector's webhooks
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
        "evidence_contains": "sends /productpage to details, not to "
                             "productpage"})
    w = world()
    svc = w[SVC]
    svc["spec"]["type"] = "LoadBalancer"
    svc["status"] = {"loadBalancer": {}}
    del w[GW]["metadata"]["annotations"]
    w[GW]["status"]["conditions"][1].update(
        status="False", reason="AddressNotAssigned",
        message="Assigned to service(s) bookinfo-gateway-istio.bookinfo.svc"
                ".cluster.local:80, but failed to assign to all requested "
                "addresses: address pending for hostname \"bookinfo-gateway-"
                "istio.bookinfo.svc.cluster.local\"")
    write_case(c, "address-not-assigned", w, {
        "verdict": "fail", "points": 8, "failed": ["gateway-programmed"],
        "hint_contains": "kubectl annotate gateway bookinfo-gateway -n "
                         "bookinfo networking.istio.io/service-type="
                         "ClusterIP",
        "evidence_contains": "Programmed=False (AddressNotAssigned)"},
        gateway=PAGE)
    w = world()
    w[ROUTES]["items"][0]["spec"]["rules"][0]["backendRefs"][0]["port"] = \
        9081
    w["/api/v1/namespaces/bookinfo/services/productpage"] = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta("productpage", "bookinfo",
                         labels={"app": "productpage"}),
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.20",
                 "selector": {"app": "productpage"},
                 "ports": [{"name": "http", "port": 9080}]}}
    write_case(c, "route-wrong-port", w, {
        "verdict": "fail", "points": 0,
        "failed": ["gateway-configured", "gateway-programmed",
                   "productpage-reachable"],
        "hint_contains": "use productpage's port 9080",
        "evidence_contains": "productpage port 9081, a port Service "
                             "productpage does not serve"})
    w = world()
    w[GW]["spec"]["gatewayClassName"] = "nginx"
    w[GW]["status"]["conditions"] = [
        {"type": "Accepted", "status": "Unknown", "reason": "Pending",
         "message": "Waiting for controller"},
        {"type": "Programmed", "status": "Unknown", "reason": "Pending",
         "message": "Waiting for controller"}]
    del w[SVC]
    w[PODS]["items"] = w[PODS]["items"][:-1]
    write_case(c, "wrong-class", w, {
        "verdict": "fail", "points": 4,
        "failed": ["gateway-programmed", "productpage-reachable"],
        "hint_contains": "gatewayClassName is nginx",
        "evidence_contains": "Accepted=Unknown (Pending)"})
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


# ---- circuit-breaking and mirroring (traffic-b) ---------------------------

NETV1 = "/apis/networking.istio.io/v1/namespaces/bookinfo/"
DRS = NETV1 + "destinationrules" + LIMIT
VSS = NETV1 + "virtualservices" + LIMIT
PP_POD = "productpage-v1-7d4b9c8f5-xv1"
V2_POD = "reviews-v2-7d4b9c8f5-xv2"
RATINGS_POD = "ratings-v1-7d4b9c8f5-xv1"


def metrics_path(pod):
    return ("/api/v1/namespaces/bookinfo/pods/%s:15020/proxy/stats/"
            "prometheus" % pod)


def istio_obj(kind, name, spec, created="2026-11-20T10:00:00Z"):
    m = meta(name, "bookinfo")
    m["creationTimestamp"] = created
    return {"apiVersion": "networking.istio.io/v1", "kind": kind,
            "metadata": m, "spec": spec}


def dr_all(skip_reviews=False):
    """destination-rule-all.yaml as the API returns it."""
    subsets = {"productpage": ["v1"], "reviews": ["v1", "v2", "v3"],
               "ratings": ["v1", "v2", "v2-mysql", "v2-mysql-vm"],
               "details": ["v1", "v2"]}
    out = []
    for host, vs in subsets.items():
        if host == "reviews" and skip_reviews:
            continue
        out.append(istio_obj("DestinationRule", host, {
            "host": host,
            "subsets": [{"name": v, "labels": {"version": v}}
                        for v in vs]}))
    return out


def cb_policy(outlier=None, pending=1, maxconn=1):
    pol = {"connectionPool": {
        "tcp": {"maxConnections": maxconn},
        "http": {"http1MaxPendingRequests": pending,
                 "maxRequestsPerConnection": 1}},
        "outlierDetection": outlier or {
            "consecutive5xxErrors": 1, "interval": "1s",
            "baseEjectionTime": "3m", "maxEjectionPercent": 100}}
    return pol


def vs_all_v1():
    return [istio_obj("VirtualService", h, {
        "hosts": [h], "http": [{"route": [
            {"destination": {"host": h, "subset": "v1"}}]}]})
        for h in ("productpage", "reviews", "ratings", "details")]


def vs_mirror(mirror=None, pct=50, deprecated=False):
    others = [v for v in vs_all_v1() if v["metadata"]["name"] != "reviews"]
    rule = {"route": [{"destination": {"host": "reviews", "subset": "v1"},
                       "weight": 100}],
            "mirror": mirror or {"host": "reviews", "subset": "v2"}}
    if deprecated:
        rule["mirrorPercent"] = pct
    elif pct is not None:
        rule["mirrorPercentage"] = {"value": pct}
    return others + [istio_obj("VirtualService", "reviews",
                               {"hosts": ["reviews"], "http": [rule]})]


def prom_text(samples):
    """Sidecar metrics text: (labels dict, value) for istio_requests_total."""
    out = ["# HELP istio_requests_total Total requests.",
           "# TYPE istio_requests_total counter"]
    for labels, value in samples:
        lbl = ",".join('%s="%s"' % kv for kv in labels.items())
        out.append("istio_requests_total{%s} %s" % (lbl, value))
    out.append("# TYPE istio_build gauge")
    out.append('istio_build{component="proxy",tag="1.24.2"} 1')
    return "\n".join(out) + "\n"


def pp_metrics(ok, uo=0, uh=0, nc=0, fail=0):
    base = {"reporter": "source", "source_workload": "productpage-v1",
            "destination_service_name": "reviews",
            "destination_workload": "reviews-v1"}
    s = [(dict(base, response_code="200", response_flags="-"), ok)]
    if fail:  # 503s answered by a failing reviews host itself
        s.append((dict(base, response_code="503", response_flags="-"), fail))
    for flag, n in (("UO", uo), ("UH", uh), ("NC", nc)):
        if n:
            s.append((dict(base, response_code="503", response_flags=flag),
                      n))
    return prom_text(s)


def cb_world(drs, vss=None):
    w = world()
    w[DRS] = lst("DestinationRule", drs)
    w[VSS] = lst("VirtualService", vss if vss is not None else vs_all_v1())
    return w


REVIEWS_PODS = ["reviews-v%d-7d4b9c8f5-xv%d" % (v, v) for v in (1, 2, 3)]


def reviews_metrics(ok=100, fail=0):
    """A reviews pod's own sidecar: what it answered (reporter=destination).
    Only here does a host's own 503 show once Istio's default retries turn
    it into URX or UH at the client."""
    base = {"reporter": "destination", "source_workload": "productpage-v1",
            "destination_service_name": "reviews"}
    s = [(dict(base, response_code="200", response_flags="-"), ok)]
    if fail:
        s.append((dict(base, response_code="503", response_flags="-"), fail))
    return prom_text(s)


def cb_metrics(series, failing=0):
    """series: pp_metrics texts for the 1st, 2nd, 3rd read; failing: 503s
    that reviews-v1 answered itself (its sidecar's count, every read)."""
    raw = {}
    for i, text in enumerate(series):
        suffix = "" if i == 0 else "~%d" % (i + 1)
        raw[metrics_path(PP_POD) + suffix] = (None, text)
    for pod in REVIEWS_PODS:
        raw[metrics_path(pod)] = (None, reviews_metrics(
            fail=failing if pod.startswith("reviews-v1") else 0))
    return raw


TB_JOURNAL = "/api/v1/namespaces/bookinfo/configmaps/labgrade-progress"


def tb_journal(key):
    """The progress journal holding a pass of one step."""
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": meta("labgrade-progress", "bookinfo"),
            "data": {key: json.dumps({
                "time": "2026-11-25T15:10:00Z", "points": 10,
                "max_points": 10, "evidence": "observed earlier: " + key})}}


def cb_cases():
    c = "circuit-breaking"
    overflow = [pp_metrics(100), pp_metrics(110), pp_metrics(150, uo=12)]
    sep = istio_obj("DestinationRule", "reviews-cb",
                    {"host": "reviews", "trafficPolicy": cb_policy()},
                    created="2026-11-20T11:00:00Z")
    write_case(c, "separate-rule", cb_world(dr_all() + [sep]), {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "12 new 503 UO"},
        gateway=PAGE, raw=cb_metrics(overflow))
    both = dr_all(skip_reviews=True) + [istio_obj(
        "DestinationRule", "reviews",
        {"host": "reviews", "trafficPolicy": cb_policy(),
         "subsets": [{"name": v, "labels": {"version": v}}
                     for v in ("v1", "v2", "v3")]})]
    write_case(c, "rule-with-subsets", cb_world(both), {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "disturbs the mesh"},
        gateway=PAGE, raw=cb_metrics(overflow))
    replaced = dr_all(skip_reviews=True) + [istio_obj(
        "DestinationRule", "reviews",
        {"host": "reviews", "trafficPolicy": cb_policy()},
        created="2026-11-20T11:00:00Z")]
    write_case(c, "subsets-replaced", cb_world(replaced), {
        "verdict": "fail", "points": 5,
        "failed": ["cb-subsets-kept", "cb-overflow"],
        "hint_contains": "metadata.name: reviews-cb",
        "evidence_contains": "60 new 503 NC"},
        gateway=PAGE, raw=cb_metrics([pp_metrics(100), pp_metrics(100),
                                      pp_metrics(100, nc=60)]))
    lab = istio_obj("DestinationRule", "reviews-cb", {
        "host": "reviews", "trafficPolicy": cb_policy(outlier={
            "consecutiveErrors": 1, "interval": "1s",
            "baseEjectionTime": "3m", "maxEjectionPercent": 100})},
        created="2026-11-20T11:00:00Z")
    write_case(c, "consecutive-errors-only", cb_world(dr_all() + [lab]), {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "consecutive5xxErrors: 1"},
        gateway=PAGE, raw=cb_metrics(overflow))
    write_case(c, "no-rule", cb_world(dr_all()), {
        "verdict": "skip", "points": 0,
        "message_contains": "circuit-breaker DestinationRule"},
        gateway=PAGE)
    w = cb_world(dr_all())
    w[TB_JOURNAL] = tb_journal("circuit-breaking.circuit-breaker")
    write_case(c, "no-rule-journal", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "observed earlier: circuit-breaking."},
        gateway=PAGE)
    write_case(c, "failing-host-ejected", cb_world(dr_all() + [sep]), {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "1 5xx from reviews hosts in all, 60 new 503 UH"},
        gateway=PAGE, raw=cb_metrics([pp_metrics(100, uh=9),
                                      pp_metrics(100, uh=9),
                                      pp_metrics(100, uh=69)], failing=1))
    write_case(c, "no-overflow", cb_world(dr_all() + [sep]), {
        "verdict": "fail", "points": 7, "failed": ["cb-overflow"],
        "hint_contains": "no overflow seen",
        "evidence_contains": "0 new 503 UO"},
        gateway=PAGE, raw=cb_metrics([pp_metrics(100), pp_metrics(110),
                                      pp_metrics(170)]))
    loose = istio_obj("DestinationRule", "reviews-cb",
                      {"host": "reviews",
                       "trafficPolicy": cb_policy(pending=100, maxconn=100)},
                      created="2026-11-20T11:00:00Z")
    write_case(c, "loose-limits", cb_world(dr_all() + [loose]), {
        "verdict": "fail", "points": 4,
        "failed": ["cb-connection-pool", "cb-overflow"],
        "hint_contains": "http.http1MaxPendingRequests: 1",
        "evidence_contains": "http1MaxPendingRequests 100"},
        gateway=PAGE, raw=cb_metrics([pp_metrics(100), pp_metrics(110),
                                      pp_metrics(170)]))
    w = cb_world(dr_all() + [sep])
    write_case(c, "metrics-forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"},
        gateway=PAGE, raw={metrics_path(PP_POD): (403, FORBIDDEN.replace(
            "list resource \\\"pods\\\"", "get resource \\\"pods/proxy\\\""))})
    write_case(c, "garbage-metrics", w, {
        "verdict": "error", "message_contains": "not Prometheus metrics"},
        gateway=PAGE, raw={metrics_path(PP_POD): (
            None, "<html><body>upstream connect error</body></html>\n")})


def v2_metrics(n):
    return prom_text([({"reporter": "destination",
                        "source_workload": "productpage-v1",
                        "destination_workload": "reviews-v2",
                        "destination_service_name": "reviews",
                        "response_code": "200", "response_flags": "-"}, n)])


def ratings_metrics(n):
    return prom_text([({"reporter": "destination",
                        "source_workload": "reviews-v2",
                        "destination_workload": "ratings-v1",
                        "destination_service_name": "ratings",
                        "response_code": "200", "response_flags": "-"}, n)])


def mirror_metrics(v2_before, v2_after):
    return {metrics_path(V2_POD): (None, v2_metrics(v2_before)),
            metrics_path(V2_POD) + "~2": (None, v2_metrics(v2_after)),
            metrics_path(RATINGS_POD): (None, ratings_metrics(v2_before)),
            metrics_path(RATINGS_POD) + "~2": (
                None, ratings_metrics(v2_after))}


def mirroring_cases():
    c = "mirroring"
    write_case(c, "mirror-50", cb_world(dr_all(), vs_mirror()), {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "20 new requests at reviews-v2"},
        gateway=PAGE, raw=mirror_metrics(100, 120))
    write_case(c, "mirror-no-percentage",
               cb_world(dr_all(), vs_mirror(pct=None)), {
                   "verdict": "fail", "points": 7,
                   "failed": ["mirror-config"],
                   "evidence_contains": "mirrorPercentage is 100"},
               gateway=PAGE, raw=mirror_metrics(100, 140))
    write_case(c, "mirror-percent-deprecated",
               cb_world(dr_all(), vs_mirror(deprecated=True)), {
                   "verdict": "pass", "points": 10, "failed": [],
                   "evidence_contains": "mirrorPercent is deprecated"},
               gateway=PAGE, raw=mirror_metrics(100, 118))
    write_case(c, "no-mirror", cb_world(dr_all()), {
        "verdict": "skip", "points": 0,
        "message_contains": "mirror: {host: reviews, subset: v2}"},
        gateway=PAGE)
    w = cb_world(dr_all())
    w[TB_JOURNAL] = tb_journal("mirroring.mirror")
    write_case(c, "no-mirror-journal", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "observed earlier: mirroring.mirror"},
        gateway=PAGE)
    write_case(c, "mirror-not-received", cb_world(dr_all(), vs_mirror()), {
        "verdict": "fail", "points": 6, "failed": ["mirror-v2-receives"],
        "hint_contains": "fewer copies",
        "evidence_contains": "0 new requests at reviews-v2"},
        gateway=PAGE, raw=mirror_metrics(100, 100))
    write_case(c, "mirror-to-v3",
               cb_world(dr_all(), vs_mirror(
                   mirror={"host": "reviews", "subset": "v3"})), {
                   "verdict": "fail", "points": 3,
                   "failed": ["mirror-config", "mirror-v2-receives"],
                   "evidence_contains": "not reviews subset v2"},
               gateway=PAGE, raw=mirror_metrics(100, 100))
    write_case(c, "metrics-forbidden", cb_world(dr_all(), vs_mirror()), {
        "verdict": "error", "message_contains": "RBAC"},
        gateway=PAGE, raw={metrics_path(V2_POD): (403, FORBIDDEN)})


# ---- traffic checks: request-routing, fault-injection, traffic-shifting --
# Their cases also hold gateway/: the answers of a gateway that routes by
# request (see routed_gw in tests/unit/test_checks.c): METHOD_PATH[@USER]
# [~N].http, a first line "#delay-ms N" delaying the answer.

RT_NS_ISTIO = "/apis/networking.istio.io/v1/namespaces/bookinfo/"
RT_VSS = RT_NS_ISTIO + "virtualservices" + LIMIT
RT_DRS = RT_NS_ISTIO + "destinationrules" + LIMIT
RT_JOURNAL = "/api/v1/namespaces/bookinfo/configmaps/labgrade-progress"
RT_POD = {1: "reviews-v1-5c9d8b6f7-abcde", 2: "reviews-v2-7f9c4b5d8-qwert",
       3: "reviews-v3-6d8f7c9b5-zxcvb"}
RT_HTTP_OK = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nConnection: close\r\n"
           "\r\n")


def rt_istio_obj(kind, name, spec):
    return {"apiVersion": "networking.istio.io/v1", "kind": kind,
            "metadata": meta(name, "bookinfo"), "spec": spec}


def rt_dest(host, subset, weight=None):
    d = {"destination": {"host": host, "subset": subset}}
    if weight is not None:
        d["weight"] = weight
    return d


def rt_vs(host, http):
    return rt_istio_obj("VirtualService", host, {"hosts": [host],
                                              "http": http})


def rt_jason(route, **extra):
    r = {"match": [{"headers": {"end-user": {"exact": "jason"}}}],
         "route": route}
    r.update(extra)
    return r


def rt_dr_all():
    subsets = {"productpage": ["v1"], "reviews": ["v1", "v2", "v3"],
               "ratings": ["v1", "v2", "v2-mysql", "v2-mysql-vm"],
               "details": ["v1", "v2"]}
    return [rt_istio_obj("DestinationRule", h, {
        "host": h, "subsets": [{"name": s, "labels": {"version": s}}
                               for s in ss]})
        for h, ss in subsets.items()]


def rt_all_v1():
    return [rt_vs(h, [{"route": [rt_dest(h, "v1")]}])
            for h in ("productpage", "reviews", "ratings", "details")]


RT_TEST_V2 = rt_vs("reviews", [rt_jason([rt_dest("reviews", "v2")]),
                         {"route": [rt_dest("reviews", "v1")]}])
RT_DELAY = rt_vs("ratings", [
    rt_jason([rt_dest("ratings", "v1")],
          fault={"delay": {"percentage": {"value": 100.0},
                           "fixedDelay": "7s"}}),
    {"route": [rt_dest("ratings", "v1")]}])
RT_ABORT = rt_vs("ratings", [
    rt_jason([rt_dest("ratings", "v1")],
          fault={"abort": {"percentage": {"value": 100.0},
                           "httpStatus": 500}}),
    {"route": [rt_dest("ratings", "v1")]}])
RT_DELAY_ALL = rt_vs("ratings", [
    {"fault": {"delay": {"percentage": {"value": 100.0},
                         "fixedDelay": "7s"}},
     "route": [rt_dest("ratings", "v1")]}])
RT_JASON_V2_V3 = rt_vs("reviews", [rt_jason([rt_dest("reviews", "v2")]),
                             {"route": [rt_dest("reviews", "v3")]}])


def rt_split(a, wa, b, wb):
    return rt_vs("reviews", [{"route": [rt_dest("reviews", a, wa),
                                     rt_dest("reviews", b, wb)]}])


RT_ALL_V3 = rt_vs("reviews", [{"route": [rt_dest("reviews", "v3")]}])


def rt_mesh_world(vss, drs=None):
    """world() plus the Istio objects; later VSs replace same-name ones, as
    kubectl apply does."""
    w = world()
    by = {}
    for v in vss:
        by[v["metadata"]["name"]] = v
    w[RT_VSS] = lst("VirtualService", list(by.values()))
    w[RT_DRS] = lst("DestinationRule", rt_dr_all() if drs is None else drs)
    return w


def rt_journal(*steps):
    data = {s: json.dumps({"time": "2026-11-25T14:02:00Z", "points": 2,
                           "max_points": 2,
                           "evidence": "observed earlier: " + s})
            for s in steps}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": meta("labgrade-progress", "bookinfo"),
            "data": data}


def rt_html(version=None, stars=None, error=None, ratings_error=False,
         delay=0):
    """The page as productpage 1.20 renders it (trimmed)."""
    body = ("<!DOCTYPE html><html><head><title>Simple Bookstore App</title>"
            "</head><body><h1>The Comedy of Errors</h1>\n")
    if error:
        body += ("<h2 class=\"text-red-500\">Error fetching product "
                 "reviews</h2>\n<p>Sorry, product reviews are currently "
                 "unavailable for this book.</p>\n")
    else:
        for who, n in (("Reviewer1", 5), ("Reviewer2", 4)):
            body += "<div><p>A review.</p><small>%s</small>\n" % who
            if ratings_error:
                body += ("<p class=\"text-red-500\">Ratings service is "
                         "currently unavailable</p>\n")
            elif stars:
                body += ("<div class=\"flex gap-x-1 text-%s-500\">" % stars
                         + "<svg></svg>" * n + "</div>\n")
            body += "</div>\n"
        body += ("<p>Reviews served by:\n  <u>%s</u>\n</p>\n"
                 % RT_POD[version])
    body += "</body></html>\n"
    pre = "#delay-ms %d\n" % delay if delay else ""
    return pre + RT_HTTP_OK % "text/html" + body


def rt_api(version, color=None):
    reviews = [{"reviewer": "Reviewer1", "text": "A review."},
               {"reviewer": "Reviewer2", "text": "Another."}]
    if color:
        reviews[0]["rating"] = {"stars": 5, "color": color}
        reviews[1]["rating"] = {"stars": 4, "color": color}
    return RT_HTTP_OK % "application/json" + json.dumps(
        {"id": 0, "podname": RT_POD[version], "clustername": "null",
         "reviews": reviews})


RT_LOGIN = ("HTTP/1.1 302 FOUND\r\nLocation: /productpage\r\n"
         "Set-Cookie: session=jason; HttpOnly; Path=/\r\n"
         "Content-Length: 0\r\nConnection: close\r\n\r\n")
RT_STARS = {1: None, 2: "black", 3: "red"}


def rt_routes(v_anon, v_jason=None, use_api=False, login=True):
    """Answers of a mesh: the page (and the JSON API) per user."""
    r = {"GET_productpage": rt_html(v_anon, RT_STARS[v_anon])}
    if use_api:
        r["GET_api_v1_products_0_reviews"] = rt_api(v_anon, RT_STARS[v_anon])
    if v_jason:
        r["GET_productpage@jason"] = rt_html(v_jason, RT_STARS[v_jason])
        if use_api:
            r["GET_api_v1_products_0_reviews@jason"] = rt_api(
                v_jason, RT_STARS[v_jason])
    if login:
        r["POST_login"] = RT_LOGIN
    return r


def rt_traffic_case(check, name, w, expect, answers, params=None, raw=None):
    write_case(check, name, w, expect, raw=raw)
    d = os.path.join(ROOT, check, name)
    os.makedirs(os.path.join(d, "gateway"), exist_ok=True)
    for f, text in answers.items():
        with open(os.path.join(d, "gateway", f + ".http"), "w") as fh:
            fh.write(text)
    if params:
        with open(os.path.join(d, "params.yaml"), "w") as fh:
            fh.write("# scaled-down rubric parameters for this case\n")
            for k, v in params.items():
                fh.write("%s: %s\n" % (k, v))


def request_routing_cases():
    c = "request-routing"
    w = rt_mesh_world(rt_all_v1())
    rt_traffic_case(c, "all-v1", w, {
        "verdict": "skip", "points": 6, "failed": [],
        "pending": ["test-v2-config", "test-v2-live"],
        "message_contains": "virtual-service-reviews-test-v2.yaml",
        "evidence_contains": "10 request(s): reviews-v1 10"},
        rt_routes(1))
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2])
    rt_traffic_case(c, "test-v2", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "/api/v1/products/0/reviews"},
        rt_routes(1, 2, use_api=True))
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2])
    rt_traffic_case(c, "test-v2-page-only", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "reviews-v2 10, black stars 10"},
        rt_routes(1, 2))
    w = rt_mesh_world(rt_all_v1(), drs=[])
    rt_traffic_case(c, "no-destination-rules", w, {
        "verdict": "fail", "points": 0,
        "failed": ["destination-rules", "all-v1-config", "all-v1-live"],
        "hint_contains": "destination-rule-all.yaml",
        "evidence_contains": "reviews: no DestinationRule"},
        {"GET_productpage": rt_html(error=True)})
    w = rt_mesh_world(rt_all_v1() + [RT_JASON_V2_V3])
    rt_traffic_case(c, "jason-v2-v3", w, {
        "verdict": "fail", "points": 0,
        "failed": ["test-v2-config", "test-v2-live"],
        "hint_contains": "virtual-service-reviews-jason-v2-v3.yaml"},
        rt_routes(3, 2))
    r = rt_routes(1)
    del r["GET_productpage"]
    r["GET_productpage~1"] = rt_html(2, "black")
    r["GET_productpage~2"] = rt_html(3, "red")
    w = rt_mesh_world(rt_all_v1())
    rt_traffic_case(c, "config-right-traffic-wrong", w, {
        "verdict": "fail", "points": 4, "failed": ["all-v1-live"],
        "hint_contains": "istioctl proxy-status"}, r)
    r = rt_routes(1, 2)
    r["POST_login"] = NOT_FOUND_PAGE
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2])
    rt_traffic_case(c, "login-not-routed", w, {
        "verdict": "fail", "points": 8, "failed": ["test-v2-live"],
        "hint_contains": "/login"}, r)
    w = rt_mesh_world(rt_all_v1() + [rt_split("v1", 50, "v3", 50)])
    w[RT_JOURNAL] = rt_journal("request-routing.all-v1",
                               "request-routing.test-v2")
    rt_traffic_case(c, "later-step-journal", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "observed earlier: request-routing.test-v2"},
        rt_routes(1))
    w = rt_mesh_world(rt_all_v1() + [RT_ALL_V3])
    rt_traffic_case(c, "later-step-no-journal", w,
                 {"verdict": "skip", "points": 0, "failed": [],
                  "pending": ["destination-rules", "all-v1-config",
                              "all-v1-live", "test-v2-config",
                              "test-v2-live"],
                  "message_contains": "virtual-service-all-v1.yaml"},
                 rt_routes(3))
    # fault-injection layered on test-v2: jason's pages show the delay
    lab = rt_all_v1() + [RT_TEST_V2, RT_DELAY]
    r = rt_routes(1, 2)
    r["GET_productpage@jason"] = rt_html(error=True, delay=100)
    w = rt_mesh_world(lab)
    rt_traffic_case(c, "fault-step-in-place", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "jason's pages show it instead of stars"}, r)
    w = rt_mesh_world(lab)
    w[RT_JOURNAL] = rt_journal("request-routing.test-v2")
    rt_traffic_case(c, "fault-step-journal", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "observed earlier: request-routing.test-v2"},
        r)
    # the lab's circuit breaker: views go one at a time, so that the
    # breaker's overflow is not mistaken for a routing fault
    drs = rt_dr_all()
    drs[1]["spec"]["trafficPolicy"] = {"connectionPool": {
        "tcp": {"maxConnections": 1},
        "http": {"http1MaxPendingRequests": 1,
                 "maxRequestsPerConnection": 1}}}
    rt_traffic_case(c, "circuit-breaker-in-place",
                    rt_mesh_world(rt_all_v1(), drs=drs), {
                        "verdict": "skip", "points": 6, "failed": [],
                        "evidence_contains": "one request at a time"},
                    rt_routes(1))
    # a circuit-breaker rule named reviews without subsets replaced the
    # lab's: all-v1 is half in effect, and the journal's pass stands
    drs = rt_dr_all()
    drs[1]["spec"] = {"host": "reviews", "trafficPolicy": {
        "connectionPool": {"http": {"http1MaxPendingRequests": 1}}}}
    w = rt_mesh_world(rt_all_v1(), drs=drs)
    w[RT_JOURNAL] = rt_journal("request-routing.all-v1")
    rt_traffic_case(c, "subsets-replaced-journal", w, {
        "verdict": "skip", "points": 6, "failed": [],
        "pending": ["test-v2-config", "test-v2-live"],
        "evidence_contains": "observed earlier: request-routing.all-v1"},
        {"GET_productpage": rt_html(error=True)})
    w = rt_mesh_world(rt_all_v1(), drs=drs)
    rt_traffic_case(c, "subsets-replaced", w, {
        "verdict": "fail", "points": 0,
        "failed": ["destination-rules", "all-v1-config", "all-v1-live"],
        "hint_contains": "like the circuit breaker's",
        "evidence_contains": "reviews v1 100% (subset not defined: 503)"},
        {"GET_productpage": rt_html(error=True)})
    w = rt_mesh_world(rt_all_v1())
    del w[RT_VSS]
    rt_traffic_case(c, "forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"}, rt_routes(1),
        raw={RT_VSS: (403, FORBIDDEN.replace(
            "pods", "virtualservices.networking.istio.io"))})


# The lab's 6 s window scaled down 20 times (a 300 ms answer stands for
# productpage's 2 x 3 s); anonymous pages stay under 0.25 s.
RT_FAULT_PARAMS = {"fault-min-seconds": 0.2, "fault-max-seconds": 1.5,
                   "anonymous-max-seconds": 0.25}


def rt_fault_routes(anon, jason_page):
    return {"GET_productpage": anon, "GET_productpage@jason": jason_page,
            "POST_login": RT_LOGIN}


def fault_injection_cases():
    c = "fault-injection"
    lab = rt_all_v1() + [RT_TEST_V2, RT_DELAY]
    w = rt_mesh_world(lab)
    rt_traffic_case(c, "complete", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "reviews unavailable 2"},
        rt_fault_routes(rt_html(1), rt_html(error=True, delay=300)),
        RT_FAULT_PARAMS)
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2, RT_ABORT])
    rt_traffic_case(c, "abort", w, {
        "verdict": "fail", "points": 3,
        "failed": ["delay-config", "jason-delayed-live"],
        "hint_contains": "virtual-service-ratings-test-abort.yaml"},
        rt_fault_routes(rt_html(1), rt_html(2, ratings_error=True)),
        RT_FAULT_PARAMS)
    w = rt_mesh_world(rt_all_v1() + [RT_DELAY])
    rt_traffic_case(c, "delay-without-test-v2", w, {
        "verdict": "fail", "points": 5,
        "failed": ["jason-on-v2", "jason-delayed-live"],
        "hint_contains": "reviews-v1, which never calls ratings"},
        rt_fault_routes(rt_html(1), rt_html(1)), RT_FAULT_PARAMS)
    w = rt_mesh_world(rt_all_v1() + [RT_ALL_V3, RT_DELAY])
    rt_traffic_case(c, "jason-on-v3", w, {
        "verdict": "fail", "points": 5,
        "failed": ["jason-on-v2", "jason-delayed-live"],
        "hint_contains": "about 2.5 s is reviews-v3"},
        rt_fault_routes(rt_html(3, "red"),
                        rt_html(3, ratings_error=True, delay=150)),
        RT_FAULT_PARAMS)
    rt_traffic_case(c, "delay-for-everyone",
                 rt_mesh_world(rt_all_v1() + [RT_TEST_V2, RT_DELAY_ALL]), {
                     "verdict": "fail", "points": 5,
                     "failed": ["delay-config", "anonymous-unaffected"],
                     "hint_contains": "also hits anonymous users"},
                 rt_fault_routes(rt_html(error=True, delay=300),
                              rt_html(error=True, delay=300)), RT_FAULT_PARAMS)
    w = rt_mesh_world(lab)
    rt_traffic_case(c, "too-fast", w, {
        "verdict": "fail", "points": 6, "failed": ["jason-delayed-live"],
        "hint_contains": "waits 3 s for reviews and tries twice"},
        rt_fault_routes(rt_html(1), rt_html(error=True)), RT_FAULT_PARAMS)
    short = copy.deepcopy(RT_DELAY)
    short["spec"]["http"][0]["fault"]["delay"]["fixedDelay"] = "2s"
    w = rt_mesh_world(
        rt_all_v1() + [RT_TEST_V2, short])
    rt_traffic_case(c, "short-delay", w, {
        "verdict": "fail", "points": 3,
        "failed": ["delay-config", "jason-delayed-live"],
        "hint_contains": "shorter than productpage's 3 s timeout",
        "evidence_contains": "jason: delay 2 s at 100 %"},
        rt_fault_routes(rt_html(1), rt_html(2, "black", delay=100)),
        RT_FAULT_PARAMS)
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2, RT_DELAY])
    del w[RT_VSS]
    rt_traffic_case(c, "forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"},
        rt_fault_routes(rt_html(1), rt_html(2, "black")),
        raw={RT_VSS: (403, FORBIDDEN.replace(
            "pods", "virtualservices.networking.istio.io"))})
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2])
    w[RT_JOURNAL] = rt_journal("fault-injection.delay")
    rt_traffic_case(c, "later-step-journal", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "observed earlier"},
        rt_fault_routes(rt_html(1), rt_html(2, "black")))
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2])
    rt_traffic_case(c, "not-applied", w, {
        "verdict": "skip", "points": 0, "failed": [],
        "pending": ["delay-config", "jason-on-v2", "jason-delayed-live",
                    "anonymous-unaffected"],
        "message_contains": "virtual-service-ratings-test-delay.yaml"},
        rt_fault_routes(rt_html(1), rt_html(2, "black")))
    w = rt_mesh_world(rt_all_v1() + [RT_TEST_V2])
    rt_traffic_case(c, "not-applied-es", w, {
        "lang": "es", "verdict": "skip", "points": 0, "failed": [],
        "message_contains": "virtual-service-ratings-test-delay.yaml"},
        rt_fault_routes(rt_html(1), rt_html(2, "black")))


def rt_shifting_routes(cycle, use_api=True):
    """Anonymous answers cycling through versions (one file each)."""
    r = {"GET_productpage": rt_html(1)}
    for i, v in enumerate(cycle):
        key = ("GET_api_v1_products_0_reviews~%d" if use_api
               else "GET_productpage~%d") % (i + 1)
        r[key] = rt_api(v, RT_STARS[v]) if use_api else rt_html(v, RT_STARS[v])
    return r


def traffic_shifting_cases():
    c = "traffic-shifting"
    base = rt_all_v1()
    w = rt_mesh_world(base + [rt_split("v1", 50, "v3", 50)])
    rt_traffic_case(c, "split-50-v3", w, {
        "verdict": "skip", "points": 6, "failed": [],
        "message_contains": "virtual-service-reviews-v3.yaml",
        "evidence_contains": "50/50 accepted"}, rt_shifting_routes([1, 3]))
    w = rt_mesh_world(base + [rt_split("v1", 50, "v3", 50)])
    rt_traffic_case(c, "split-50-v3-page", w, {
        "verdict": "skip", "points": 6, "failed": [],
        "evidence_contains": "50/50 accepted"},
        rt_shifting_routes([3, 1], use_api=False))
    w = rt_mesh_world(base + [RT_ALL_V3])
    w[RT_JOURNAL] = rt_journal("traffic-shifting.split-50-v3")
    rt_traffic_case(c, "all-v3-journal", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "reviews-v3 10, black stars 0, red stars 10"},
        rt_shifting_routes([3]))
    w = rt_mesh_world(base + [rt_split("v1", 90, "v2", 10)])
    rt_traffic_case(c, "reviews-90-10", w, {
        "verdict": "fail", "points": 0,
        "failed": ["split-config", "split-live"],
        "hint_contains": "splits to v2, not v3"},
        rt_shifting_routes([1] * 9 + [2]))
    w = rt_mesh_world(base + [rt_split("v1", 80, "v2", 20)])
    rt_traffic_case(c, "reviews-80-20", w, {
        "verdict": "fail", "points": 0,
        "failed": ["split-config", "split-live"],
        "evidence_contains": "stopped: 1 reviews-v2 page(s)"},
        rt_shifting_routes([1, 1, 1, 1, 2]))
    w = rt_mesh_world(base + [rt_split("v2", 50, "v3", 50)])
    rt_traffic_case(c, "reviews-v2-v3", w, {
        "verdict": "fail", "points": 0,
        "failed": ["split-config", "split-live"],
        "hint_contains": "virtual-service-reviews-v2-v3.yaml"},
        rt_shifting_routes([2, 3]))
    w = rt_mesh_world(base + [rt_split("v1", 80, "v3", 20)])
    rt_traffic_case(c, "uneven-v1-v3", w, {
        "verdict": "fail", "points": 0,
        "failed": ["split-config", "split-live"],
        "hint_contains": "which are not 50/50",
        "evidence_contains": "rejected"},
        rt_shifting_routes([1, 1, 1, 1, 3]))
    w = rt_mesh_world(
        base + [rt_split("v1", 50, "v3", 50)])
    rt_traffic_case(c, "split-config-right-traffic-v1", w, {
        "verdict": "fail", "points": 2, "failed": ["split-live"],
        "hint_contains": "istioctl proxy-status"}, rt_shifting_routes([1]))
    w = rt_mesh_world(base + [RT_JASON_V2_V3])
    w[RT_JOURNAL] = rt_journal("traffic-shifting.split-50-v3")
    rt_traffic_case(c, "jason-v2-v3", w, {
        "verdict": "fail", "points": 8, "failed": ["all-v3-config"],
        "hint_contains": "jason stays on v2"}, rt_shifting_routes([3]))
    # before the split was ever seen, jason-v2-v3 is request-routing's
    # mistake: here the step is just not in effect
    rt_traffic_case(c, "jason-v2-v3-before-split",
                    rt_mesh_world(base + [RT_JASON_V2_V3]), {
                        "verdict": "skip", "points": 0, "failed": [],
                        "pending": ["split-config", "split-live",
                                    "all-v3-config", "all-v3-live"],
                        "message_contains":
                            "virtual-service-reviews-50-v3.yaml"},
                    rt_shifting_routes([3]))
    w = rt_mesh_world(base + [RT_ALL_V3])
    rt_traffic_case(c, "all-v3-traffic-v1", w, {
        "verdict": "fail", "points": 2, "failed": ["all-v3-live"],
        "message_contains": "reviews-v3"}, rt_shifting_routes([1]))
    # a rubric whose tolerance would need thousands of requests is refused
    # before any load is sent
    w = rt_mesh_world(base + [rt_split("v1", 50, "v3", 50)])
    rt_traffic_case(c, "rubric-tolerance-too-small", w, {
        "verdict": "error", "message_contains": "raise split-tolerance"},
        rt_shifting_routes([1, 3]), {"split-tolerance": 0.01})
    w = rt_mesh_world(base + [rt_split("v1", 50, "v3", 50)])
    body = json.dumps(w.pop(RT_DRS))
    rt_traffic_case(c, "truncated", w, {"verdict": "error"},
                    rt_shifting_routes([1, 3]),
                    raw={RT_DRS: (None, body[:len(body) // 2])})
    w = rt_mesh_world(base)
    rt_traffic_case(c, "not-applied", w, {
        "verdict": "skip", "points": 0, "failed": [],
        "message_contains": "virtual-service-reviews-50-v3.yaml"},
        rt_shifting_routes([1]))


# ---- student variants of the traffic steps (issue: grade what the
# student did) ------------------------------------------------------------
# Each is the lab's state before the step plus what a student applied
# instead: wrong attempts are judged against the nearest step (never
# "pending"), right equivalents pass; expect.yaml holds the verdict and the
# words the explanation must contain (object, field, effect, fix).

ALL = "/apis/networking.istio.io/v1/"
ALL_VSS = ALL + "virtualservices" + LIMIT
ALL_DRS = ALL + "destinationrules" + LIMIT
ALL_HRS = "/apis/gateway.networking.k8s.io/v1/httproutes" + LIMIT


def v_obj(kind, name, spec, ns="bookinfo", created="2026-11-20T10:00:00Z"):
    return {"apiVersion": "networking.istio.io/v1", "kind": kind,
            "metadata": meta(name, ns, creationTimestamp=created),
            "spec": spec}


def v_world(vss, drs=None, elsewhere=(), routes=()):
    """rt_mesh_world plus objects of other namespaces and GAMMA routes in
    the cluster-wide lists (bookinfo's own lists stay as they were)."""
    w = rt_mesh_world(vss, drs)
    w[ALL_VSS] = lst("VirtualService",
                     w[RT_VSS]["items"] + [o for o in elsewhere
                                           if o["kind"] == "VirtualService"])
    w[ALL_DRS] = lst("DestinationRule",
                     w[RT_DRS]["items"] + [o for o in elsewhere
                                           if o["kind"] == "DestinationRule"])
    gw_routes = w["/apis/gateway.networking.k8s.io/v1/namespaces/bookinfo/"
                  "httproutes" + LIMIT]["items"]
    w[ALL_HRS] = lst("HTTPRoute", gw_routes + list(routes))
    return w


def v_others():
    """all-v1's VirtualServices but reviews'."""
    return [v for v in rt_all_v1() if v["metadata"]["name"] != "reviews"]


def v_test_v2(header="end-user", value="jason", kind="exact",
              hosts=("reviews",), name="reviews", ns="bookinfo",
              dest="reviews", v2="v2", v1="v1"):
    return v_obj("VirtualService", name, {
        "hosts": list(hosts),
        "http": [{"match": [{"headers": {header: {kind: value}}}],
                  "route": [rt_dest(dest, v2)]},
                 {"route": [rt_dest(dest, v1)]}]}, ns=ns)


def gamma_route(name, svc, backends, ns="bookinfo", matches=None):
    rule = {"backendRefs": [{"name": b, "port": 9080, **(
        {"weight": wt} if wt is not None else {})} for b, wt in backends]}
    if matches:
        rule["matches"] = matches
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": meta(name, ns),
            "spec": {"parentRefs": [{"group": "", "kind": "Service",
                                     "name": svc, "port": 9080}],
                     "rules": [rule]}}


def dr_named(prefix):
    """destination-rule-all with subsets named prefix+version."""
    out = rt_dr_all()
    for d in out:
        for sub in d["spec"]["subsets"]:
            sub["name"] = prefix + sub["labels"]["version"]
    return out


def vs_to(host, subset):
    return v_obj("VirtualService", host,
                 {"hosts": [host], "http": [{"route": [rt_dest(host,
                                                               subset)]}]})


def routing_variants():
    c = "request-routing"
    vs4 = vs_to("reviews", "v4")
    rt_traffic_case(c, "variant-undefined-subset-v4",
                    v_world(v_others() + [vs4]), {
                        "verdict": "fail", "points": 2,
                        "failed": ["all-v1-config", "all-v1-live"],
                        "pending": ["test-v2-config", "test-v2-live"],
                        "hint_contains": "VirtualService bookinfo/reviews "
                        "routes to subset v4 of reviews, which no "
                        "DestinationRule defines (IST0101): Envoy answers "
                        "503 NC"},
                    {"GET_productpage": rt_html(error=True),
                     "POST_login": RT_LOGIN})
    rt_traffic_case(c, "variant-undefined-subset-v4-es",
                    v_world(v_others() + [vs4]), {
                        "lang": "es", "verdict": "fail", "points": 2,
                        "failed": ["all-v1-config", "all-v1-live"],
                        "hint_contains": "subset v4 de reviews, que ninguna "
                        "DestinationRule define (IST0101): Envoy responde "
                        "503 NC"},
                    {"GET_productpage": rt_html(error=True),
                     "POST_login": RT_LOGIN})
    rt_traffic_case(c, "variant-header-user",
                    v_world(v_others() + [v_test_v2(header="user")]), {
                        "verdict": "fail", "points": 6,
                        "failed": ["test-v2-config", "test-v2-live"],
                        "hint_contains": "matches header 'user', but "
                        "productpage sends the user in 'end-user'"},
                    rt_routes(1, 1))
    rt_traffic_case(c, "variant-exact-Jason",
                    v_world(v_others() + [v_test_v2(value="Jason")]), {
                        "verdict": "fail", "points": 6,
                        "failed": ["test-v2-config", "test-v2-live"],
                        "hint_contains": "end-user exact 'Jason': header "
                        "values are case-sensitive"},
                    rt_routes(1, 1))
    w = v_world(v_others() + [v_test_v2(hosts=("review",))])
    w[RT_JOURNAL] = rt_journal("request-routing.all-v1")
    rt_traffic_case(c, "variant-hosts-typo", w, {
        "verdict": "fail", "points": 6,
        "failed": ["test-v2-config", "test-v2-live"],
        "hint_contains": "has hosts [review] "
        "(review.bookinfo.svc.cluster.local), a service that does not "
        "exist: reviews is unaffected"},
        rt_routes(3, 1))
    rt_traffic_case(c, "variant-test-v2-in-default-short",
                    v_world(rt_all_v1(),
                            elsewhere=[v_test_v2(ns="default")]), {
                        "verdict": "fail", "points": 6,
                        "failed": ["test-v2-config", "test-v2-live"],
                        "hint_contains": "VirtualService default/reviews has "
                        "host 'reviews', which resolves to "
                        "reviews.default.svc.cluster.local"},
                    rt_routes(1, 1))
    fq = "reviews.bookinfo.svc.cluster.local"
    rt_traffic_case(c, "variant-test-v2-in-default-fqdn",
                    v_world(v_others(), elsewhere=[v_test_v2(
                        ns="default", hosts=(fq,), dest=fq)]), {
                        "verdict": "pass", "points": 10, "failed": []},
                    rt_routes(1, 2, use_api=True))
    named = [vs_to(h, "version-v1") for h in
             ("productpage", "ratings", "details")]
    rt_traffic_case(c, "variant-subsets-named-version-vN",
                    v_world(named + [v_test_v2(v2="version-v2",
                                               v1="version-v1")],
                            drs=dr_named("version-")), {
                        "verdict": "pass", "points": 10, "failed": []},
                    rt_routes(1, 2, use_api=True))
    gamma = [gamma_route(h, h, [(h + "-v1", None)])
             for h in ("productpage", "reviews", "ratings", "details")]
    rt_traffic_case(c, "variant-gateway-api-all-v1",
                    v_world([], drs=[], routes=gamma), {
                        "verdict": "skip", "points": 6, "failed": [],
                        "pending": ["test-v2-config", "test-v2-live"]},
                    rt_routes(1))
    jason = gamma[:1] + gamma[2:] + [gamma_route(
        "reviews", "reviews", [("reviews-v2", None)], matches=[
            {"headers": [{"type": "Exact", "name": "end-user",
                          "value": "jason"}]}])]
    jason[-1]["spec"]["rules"].append(
        {"backendRefs": [{"name": "reviews-v1", "port": 9080}]})
    rt_traffic_case(c, "variant-gateway-api-test-v2",
                    v_world([], drs=[], routes=jason), {
                        "verdict": "pass", "points": 10, "failed": []},
                    rt_routes(1, 2, use_api=True))
    # a second Bookinfo in default (with its own rules there) is another
    # application: bookinfo's 50/50 step is not blamed on it
    other_app = [dict(o, metadata=dict(o["metadata"], namespace="default"))
                 for o in rt_dr_all() + rt_all_v1()]
    w = v_world(rt_all_v1() + [rt_split("v1", 50, "v3", 50)],
                elsewhere=other_app)
    rt_traffic_case(c, "variant-other-bookinfo-in-default", w, {
        "verdict": "skip", "points": 0, "failed": [],
        "pending": ["destination-rules", "all-v1-config", "all-v1-live",
                    "test-v2-config", "test-v2-live"]},
        rt_routes(1))
    hidden = v_test_v2(ns="default", hosts=(fq,), dest=fq)
    hidden["spec"]["exportTo"] = ["."]
    rt_traffic_case(c, "variant-export-to-hides",
                    v_world(v_others(), elsewhere=[hidden]), {
                        "verdict": "fail",
                        "failed": ["test-v2-config", "test-v2-live"],
                        "pending": ["destination-rules", "all-v1-config",
                                    "all-v1-live"],
                        "hint_contains": "has an exportTo that hides it "
                        "from the namespace of bookinfo's sidecars"},
                    rt_routes(3, 1))
    gw_only = v_test_v2()
    gw_only["spec"]["gateways"] = ["bookinfo-gateway"]
    rt_traffic_case(c, "variant-gateways-without-mesh",
                    v_world(v_others() + [gw_only]), {
                        "verdict": "fail",
                        "failed": ["test-v2-config", "test-v2-live"],
                        "pending": ["destination-rules", "all-v1-config",
                                    "all-v1-live"],
                        "hint_contains": "lists gateways without `mesh`: "
                        "sidecars ignore it"},
                    rt_routes(3, 1))
    rt_traffic_case(c, "variant-jason-regex",
                    v_world(v_others() + [v_test_v2(kind="regex",
                                                    value="jas.n")]), {
                        "verdict": "pass", "points": 10, "failed": []},
                    rt_routes(1, 2, use_api=True))
    # RBAC refuses the cluster-wide lists: bookinfo's are read instead,
    # and the evidence says what could not be seen
    w = v_world(rt_all_v1() + [RT_TEST_V2])
    for path in (ALL_VSS, ALL_DRS, ALL_HRS):
        del w[path]
    refused = (403, FORBIDDEN.replace("in the namespace \"bookinfo\"",
                                      "at the cluster scope"))
    rt_traffic_case(c, "variant-cluster-wide-forbidden", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "only namespace 'bookinfo' could be read"},
        rt_routes(1, 2, use_api=True),
        raw={ALL_VSS: refused, ALL_DRS: refused, ALL_HRS: refused})
    on_reviews = copy.deepcopy(RT_TEST_V2)
    on_reviews["spec"]["http"][0]["fault"] = {"delay": {
        "percentage": {"value": 100.0}, "fixedDelay": "7s"}}
    r = rt_routes(1, 2)
    r["GET_productpage@jason"] = rt_html(error=True, delay=100)
    rt_traffic_case(c, "variant-delay-on-reviews",
                    v_world(rt_all_v1() + [on_reviews]), {
                        "verdict": "pass", "points": 10, "failed": [],
                        "evidence_contains": "jason's pages show it"}, r)
    shadow = v_test_v2(ns="default", hosts=(fq,), dest=fq)
    shadow["metadata"]["creationTimestamp"] = "2026-11-21T10:00:00Z"
    rt_traffic_case(c, "variant-fqdn-shadowed-by-all-v1",
                    v_world(rt_all_v1(), elsewhere=[shadow]), {
                        "verdict": "fail", "points": 6,
                        "failed": ["test-v2-config", "test-v2-live"],
                        "hint_contains": "an older VirtualService for the "
                        "same host wins (IST0109)"},
                    rt_routes(1, 1))


def fault_variants():
    c = "fault-injection"
    nopct = copy.deepcopy(RT_DELAY)
    del nopct["spec"]["http"][0]["fault"]["delay"]["percentage"]
    rt_traffic_case(c, "variant-delay-no-percentage",
                    v_world(v_others()[:1] + v_others()[2:] +
                            [RT_TEST_V2, nopct]), {
                        "verdict": "fail", "points": 3,
                        "failed": ["delay-config", "jason-delayed-live"],
                        "hint_contains": "http[0].fault.delay sets no "
                        "percentage: Istio delays 0 % of requests"},
                    rt_fault_routes(rt_html(1), rt_html(2, "black")),
                    RT_FAULT_PARAMS)
    ten = copy.deepcopy(RT_DELAY)
    ten["spec"]["http"][0]["fault"]["delay"]["percentage"]["value"] = 10.0
    rt_traffic_case(c, "variant-delay-10-percent",
                    v_world(rt_all_v1() + [RT_TEST_V2, ten]), {
                        "verdict": "fail", "points": 3,
                        "failed": ["delay-config", "jason-delayed-live"],
                        "hint_contains": "VirtualService bookinfo/ratings "
                        "delays only 10 % of requests"},
                    rt_fault_routes(rt_html(1), rt_html(2, "black")),
                    RT_FAULT_PARAMS)
    on_reviews = copy.deepcopy(RT_TEST_V2)
    on_reviews["spec"]["http"][0]["fault"] = {"delay": {
        "percentage": {"value": 100.0}, "fixedDelay": "7s"}}
    rt_traffic_case(c, "variant-delay-on-reviews",
                    v_world(rt_all_v1() + [on_reviews]), {
                        "verdict": "fail",
                        "failed": ["delay-config"],
                        "hint_contains": "VirtualService bookinfo/reviews "
                        "injects the fault (http[0].fault) into calls to "
                        "reviews, not ratings"},
                    rt_fault_routes(rt_html(1),
                                    rt_html(error=True, delay=300)),
                    RT_FAULT_PARAMS)
    elsewhere = copy.deepcopy(RT_DELAY)
    elsewhere["metadata"]["namespace"] = "default"
    rt_traffic_case(c, "variant-delay-in-default",
                    v_world(rt_all_v1() + [RT_TEST_V2],
                            elsewhere=[elsewhere]), {
                        "verdict": "fail", "points": 3,
                        "failed": ["delay-config", "jason-delayed-live"],
                        "hint_contains": "VirtualService default/ratings has "
                        "host 'ratings', which resolves to "
                        "ratings.default.svc.cluster.local"},
                    rt_fault_routes(rt_html(1), rt_html(2, "black")),
                    RT_FAULT_PARAMS)
    jason_cap = copy.deepcopy(RT_DELAY)
    jason_cap["spec"]["http"][0]["match"][0]["headers"]["end-user"] = {
        "exact": "Jason"}
    rt_traffic_case(c, "variant-delay-exact-Jason",
                    v_world(rt_all_v1() + [RT_TEST_V2, jason_cap]), {
                        "verdict": "fail", "points": 3,
                        "failed": ["delay-config", "jason-delayed-live"],
                        "hint_contains": "end-user exact 'Jason'"},
                    rt_fault_routes(rt_html(1), rt_html(2, "black")),
                    RT_FAULT_PARAMS)
    pct = copy.deepcopy(RT_DELAY)
    d = pct["spec"]["http"][0]["fault"]["delay"]
    del d["percentage"]
    d["percent"] = 100
    rt_traffic_case(c, "variant-delay-deprecated-percent",
                    v_world(rt_all_v1() + [RT_TEST_V2, pct]), {
                        "verdict": "pass", "points": 10, "failed": []},
                    rt_fault_routes(rt_html(1),
                                    rt_html(error=True, delay=300)),
                    RT_FAULT_PARAMS)


def shifting_variants():
    c = "traffic-shifting"
    base = rt_all_v1() + [RT_TEST_V2]
    rt_traffic_case(c, "variant-split-50-v1-v2",
                    v_world(base + [rt_split("v1", 50, "v2", 50)]), {
                        "verdict": "fail", "points": 0,
                        "failed": ["split-config", "split-live"],
                        "hint_contains": "splits v1 50 %, v2 50 %: it "
                        "splits to v2, not v3"},
                    rt_shifting_routes([1, 2]))
    rt_traffic_case(c, "variant-split-80-20-named",
                    v_world(base + [rt_split("v1", 80, "v2", 20)]), {
                        "verdict": "fail", "points": 0,
                        "failed": ["split-config", "split-live"],
                        "hint_contains": "(virtual-service-reviews-80-20."
                        "yaml): it splits to v2, not v3"},
                    rt_shifting_routes([1, 1, 1, 1, 2]))
    implicit = rt_vs("reviews", [{"route": [
        rt_dest("reviews", "v3", 50), rt_dest("reviews", "v1", 50)]}])
    rt_traffic_case(c, "variant-split-order-swapped",
                    v_world(base + [implicit]), {
                        "verdict": "skip", "points": 6, "failed": [],
                        "pending": ["all-v3-config", "all-v3-live"]},
                    rt_shifting_routes([1, 3]))
    named = [vs_to(h, "version-v1") for h in
             ("productpage", "ratings", "details")]
    split = rt_vs("reviews", [{"route": [
        rt_dest("reviews", "version-v1", 50),
        rt_dest("reviews", "version-v3", 50)]}])
    rt_traffic_case(c, "variant-split-subsets-named",
                    v_world(named + [split], drs=dr_named("version-")), {
                        "verdict": "skip", "points": 6, "failed": [],
                        "pending": ["all-v3-config", "all-v3-live"]},
                    rt_shifting_routes([1, 3]))
    g50 = gamma_route("reviews", "reviews",
                      [("reviews-v1", 50), ("reviews-v3", 50)])
    rt_traffic_case(c, "variant-gateway-api-50-v3",
                    v_world(rt_all_v1()[:1] + rt_all_v1()[2:],
                            routes=[g50]), {
                        "verdict": "skip", "points": 6, "failed": [],
                        "pending": ["all-v3-config", "all-v3-live"]},
                    rt_shifting_routes([1, 3]))
    g9010 = gamma_route("reviews", "reviews",
                        [("reviews-v1", 90), ("reviews-v2", 10)])
    rt_traffic_case(c, "variant-gateway-api-90-10",
                    v_world(rt_all_v1()[:1] + rt_all_v1()[2:],
                            routes=[g9010]), {
                        "verdict": "fail", "points": 0,
                        "failed": ["split-config", "split-live"],
                        "hint_contains": "it splits to v2, not v3"},
                    rt_shifting_routes([1] * 9 + [2]))
    gv3 = gamma_route("reviews", "reviews", [("reviews-v3", None)])
    w = v_world(rt_all_v1()[:1] + rt_all_v1()[2:], routes=[gv3])
    w[RT_JOURNAL] = rt_journal("traffic-shifting.split-50-v3")
    rt_traffic_case(c, "variant-gateway-api-v3", w, {
        "verdict": "pass", "points": 10, "failed": []},
        rt_shifting_routes([3]))


def breaker_variants():
    c = "circuit-breaking"
    overflow = [pp_metrics(100), pp_metrics(110), pp_metrics(150, uo=12)]
    quiet = [pp_metrics(100), pp_metrics(110), pp_metrics(170)]
    on_ratings = istio_obj("DestinationRule", "ratings-cb",
                           {"host": "ratings",
                            "trafficPolicy": cb_policy()},
                           created="2026-11-20T11:00:00Z")
    write_case(c, "variant-breaker-on-ratings",
               cb_world(dr_all() + [on_ratings]), {
                   "verdict": "fail",
                   "failed": ["cb-connection-pool", "cb-outlier-detection",
                              "cb-overflow"],
                   "hint_contains": "DestinationRule bookinfo/ratings-cb "
                   "sets the connectionPool/outlierDetection on host "
                   "ratings (ratings.bookinfo.svc.cluster.local), not "
                   "reviews"},
               gateway=PAGE, raw=cb_metrics(quiet))
    w = cb_world(dr_all())
    root = v_obj("DestinationRule", "reviews-cb", {
        "host": "reviews.bookinfo.svc.cluster.local",
        "trafficPolicy": cb_policy()}, ns="istio-system",
        created="2026-11-20T11:00:00Z")
    w[ALL_DRS] = lst("DestinationRule", w[DRS]["items"] + [root])
    write_case(c, "variant-breaker-in-istio-system", w, {
        "verdict": "fail",
        "failed": ["cb-connection-pool", "cb-outlier-detection",
                   "cb-overflow"],
        "hint_contains": "DestinationRule istio-system/reviews-cb is not "
        "used: Istio takes the rules for reviews from the client's "
        "namespace (bookinfo)"},
        gateway=PAGE, raw=cb_metrics(quiet))
    w = cb_world(dr_all())
    short = v_obj("DestinationRule", "reviews-cb", {
        "host": "reviews", "trafficPolicy": cb_policy()}, ns="default",
        created="2026-11-20T11:00:00Z")
    w[ALL_DRS] = lst("DestinationRule", w[DRS]["items"] + [short])
    write_case(c, "variant-breaker-in-default", w, {
        "verdict": "fail",
        "failed": ["cb-connection-pool", "cb-outlier-detection",
                   "cb-overflow"],
        "hint_contains": "DestinationRule default/reviews-cb has host "
        "'reviews', which resolves to reviews.default.svc.cluster.local"},
        gateway=PAGE, raw=cb_metrics(quiet))
    wide = istio_obj("DestinationRule", "reviews-cb",
                     {"host": "reviews",
                      "trafficPolicy": cb_policy(pending=1, maxconn=100)},
                     created="2026-11-20T11:00:00Z")
    write_case(c, "variant-maxconn-100-pending-1",
               cb_world(dr_all() + [wide]), {
                   "verdict": "pass", "points": 10, "failed": [],
                   "evidence_contains": "http.http1MaxPendingRequests "
                   "overflows under"},
               gateway=PAGE, raw=cb_metrics(overflow))
    fq = istio_obj("DestinationRule", "reviews-cb",
                   {"host": "reviews.bookinfo.svc.cluster.local",
                    "trafficPolicy": cb_policy()},
                   created="2026-11-20T11:00:00Z")
    write_case(c, "variant-breaker-fqdn-host",
               cb_world(dr_all() + [fq]), {
                   "verdict": "pass", "points": 10, "failed": []},
               gateway=PAGE, raw=cb_metrics(overflow))


def mirroring_variants():
    c = "mirroring"
    vss = vs_mirror()
    rule = vss[-1]["spec"]["http"][0]
    del rule["mirror"]
    del rule["mirrorPercentage"]
    rule["mirrors"] = [{"destination": {"host": "reviews", "subset": "v2"},
                        "percentage": {"value": 50}}]
    write_case(c, "variant-mirrors-list", cb_world(dr_all(), vss), {
        "verdict": "pass", "points": 10, "failed": []},
        gateway=PAGE, raw=mirror_metrics(100, 120))
    named = vs_mirror(mirror={"host": "reviews", "subset": "version-v2"})
    named[-1]["spec"]["http"][0]["route"][0]["destination"]["subset"] = \
        "version-v1"
    drs = dr_all()
    for d in drs:
        for sub in d["spec"]["subsets"]:
            sub["name"] = "version-" + sub["labels"]["version"]
    write_case(c, "variant-mirror-subsets-named", cb_world(drs, named), {
        "verdict": "pass", "points": 10, "failed": []},
        gateway=PAGE, raw=mirror_metrics(100, 120))
    v4 = vs_mirror(mirror={"host": "reviews", "subset": "v4"})
    write_case(c, "variant-mirror-undefined-subset", cb_world(dr_all(), v4), {
        "verdict": "fail", "failed": ["mirror-config", "mirror-v2-receives"],
        "evidence_contains": "subset v4 of reviews is defined by no "
        "DestinationRule (IST0101)"},
        gateway=PAGE, raw=mirror_metrics(100, 100))


# ---- troubleshooting and observability ----------------------------------

def mangle(path):
    """A request path as lg_cluster_open_fixture() names its file."""
    for ch in "?&=":
        path = path.replace(ch, "_")
    return path


ISYS_PODS = "/api/v1/namespaces/istio-system/pods" + LIMIT
ISTIOD_POD = "istiod-5d8f6c7b9-q2w3e"
ISTIOD_METRICS = ("/api/v1/namespaces/istio-system/pods/%s:15014/proxy/"
                  "metrics" % ISTIOD_POD)
GW_POD = "bookinfo-gateway-istio-6f8d7c9b4-gw1"


def proxy_pods():
    return [p["metadata"]["name"] for p in bookinfo_pods()] + [GW_POD]


def log_path(pod):
    return mangle("/api/v1/namespaces/bookinfo/pods/%s/log?container="
                  "istio-proxy&tailLines=20" % pod)


def envoy_stats(connected=1, cds=0, lds=0):
    """A sidecar's merged stats, trimmed to what the check reads."""
    return ("# TYPE envoy_cluster_upstream_cx_active gauge\n"
            'envoy_cluster_upstream_cx_active{cluster_name="xds-grpc"} %d\n'
            'envoy_cluster_upstream_cx_active{cluster_name="outbound|9080||'
            'reviews.bookinfo.svc.cluster.local"} 2\n'
            "# TYPE envoy_cluster_manager_cds_update_rejected counter\n"
            "envoy_cluster_manager_cds_update_rejected{} %d\n"
            "# TYPE envoy_listener_manager_lds_update_rejected counter\n"
            "envoy_listener_manager_lds_update_rejected{} %d\n"
            "# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n"
            % (connected, cds, lds))


def istiod_text(xds=7, rejects=None):
    out = ["# TYPE pilot_xds gauge",
           'pilot_xds{version="1.24.2"} %d' % xds,
           "# TYPE pilot_total_xds_rejects counter"]
    for node, n in (rejects or {}).items():
        out.append('pilot_total_xds_rejects{type="lds"} %d' % n)
        out.append("# TYPE pilot_xds_lds_reject gauge")
        out.append('pilot_xds_lds_reject{node="%s",err="Error adding/'
                   'updating listener(s) virtualInbound: unknown type"} %d'
                   % (node, n))
    return "\n".join(out) + "\n"


def ts_world(stats=None, istiod=None, logs=None, extra_vs=(), extra_dr=()):
    """The completed lab plus what troubleshooting reads: istiod's pod and
    metrics, every proxy's stats and log tail."""
    w = world()
    ipod = pod(ISTIOD_POD, "istio-system", {"app": "istiod", "istio": "pilot"},
               "docker.io/istio/pilot:1.24.2", sidecar=False,
               container="discovery")
    w[ISYS_PODS] = lst("Pod", [ipod])
    w[DRS] = lst("DestinationRule", dr_all() + list(extra_dr))
    w[VSS] = lst("VirtualService", vs_all_v1() + list(extra_vs))
    raw = {ISTIOD_METRICS: (None, istiod or istiod_text())}
    for name in proxy_pods():
        raw[metrics_path(name)] = (None, (stats or {}).get(
            name, envoy_stats()))
        raw[log_path(name)] = (logs or {}).get(name, (None, (
            "2026-11-20T10:01:00.1Z\tinfo\tEnvoy proxy is ready\n")))
    return w, raw


def crashloop_pod(restarts=5, waiting="CrashLoopBackOff"):
    p = pod("ratings-v1-6b7f9d8c4-crash", "bookinfo",
            {"app": "ratings", "version": "v1"},
            "docker.io/istio/examples-bookinfo-ratings-v1:1.20.2",
            waiting=waiting)
    p["status"]["phase"] = "Running"
    p["status"]["containerStatuses"][0]["restartCount"] = restarts
    p["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"exitCode": 1, "reason": "Error"}}
    return p


def troubleshooting_cases():
    c = "troubleshooting"
    w, raw = ts_world()
    write_case(c, "complete", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "7 of 7 proxies connected"}, raw=raw)
    v2 = "reviews-v2-7d4b9c8f5-xv2"
    w, raw = ts_world(stats={v2: envoy_stats(connected=0)})
    write_case(c, "proxy-disconnected", w, {
        "verdict": "fail", "points": 6, "failed": ["proxies-synced"],
        "hint_contains": "kubectl logs -n bookinfo %s -c istio-proxy" % v2,
        "evidence_contains": "no xDS connection to istiod"}, raw=raw)
    w, raw = ts_world(stats={RATINGS_POD: envoy_stats(lds=2)})
    write_case(c, "proxy-rejected-config", w, {
        "verdict": "fail", "points": 6, "failed": ["proxies-synced"],
        "hint_contains": "kubectl delete pod -n bookinfo " + RATINGS_POD,
        "evidence_contains": "rejected 0 CDS and 2 LDS"}, raw=raw)
    det = "details-v1-7d4b9c8f5-xv1"
    node = "sidecar~10.244.1.7~%s.bookinfo~bookinfo.svc.cluster.local" % det
    w, raw = ts_world(istiod=istiod_text(rejects={node: 3}))
    write_case(c, "istiod-counts-reject", w, {
        "verdict": "fail", "points": 6, "failed": ["proxies-synced"],
        "evidence_contains": det + ": istiod counts a rejected push"},
        raw=raw)
    w, raw = ts_world(istiod=istiod_text(xds=3))
    write_case(c, "istiod-sees-fewer", w, {
        "verdict": "fail", "points": 6, "failed": ["proxies-synced"],
        "hint_contains": "istiod sees 3 connected proxies"}, raw=raw)
    w, raw = ts_world()
    w[PODS]["items"].append(crashloop_pod())
    raw[log_path("ratings-v1-6b7f9d8c4-crash")] = (None, "")
    write_case(c, "crashloop", w, {
        "verdict": "fail", "points": 6, "failed": ["pods-healthy"],
        "hint_contains": "kubectl logs -n bookinfo "
                         "ratings-v1-6b7f9d8c4-crash -c ratings --previous",
        "evidence_contains": "CrashLoopBackOff"}, raw=raw)
    write_case(c, "crashloop-es", w, {
        "lang": "es", "verdict": "fail", "points": 6,
        "failed": ["pods-healthy"],
        "hint_contains": "se reinicia una y otra vez"}, raw=raw)
    w, raw = ts_world(istiod=istiod_text(xds=8))  # 8 proxies now
    w[PODS]["items"].append(crashloop_pod(restarts=7, waiting=None))
    w[PODS]["items"][-1]["status"]["containerStatuses"][0]["state"] = {
        "running": {"startedAt": "2026-11-20T10:09:00Z"}}
    raw[log_path("ratings-v1-6b7f9d8c4-crash")] = (None, "")
    raw[metrics_path("ratings-v1-6b7f9d8c4-crash")] = (None, envoy_stats())
    write_case(c, "restarts-over-limit", w, {
        "verdict": "fail", "points": 6, "failed": ["pods-healthy"],
        "evidence_contains": "ratings-v1-6b7f9d8c4-crash: restarting"},
        raw=raw)
    w, raw = ts_world()
    unready = pod("reviews-v3-55d8b7c6f-unrdy", "bookinfo",
                  {"app": "reviews", "version": "v3"},
                  "docker.io/istio/examples-bookinfo-reviews-v3:1.20.2",
                  ready=False)
    w[PODS]["items"].append(unready)
    raw[log_path("reviews-v3-55d8b7c6f-unrdy")] = (None, "")
    write_case(c, "pod-unready", w, {
        "verdict": "fail", "points": 6, "failed": ["pods-healthy"],
        "hint_contains": "kubectl describe pod -n bookinfo "
                         "reviews-v3-55d8b7c6f-unrdy"}, raw=raw)
    w, raw = ts_world(logs={v2: (400, json.dumps({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": "BadRequest", "code": 400,
        "message": "container \"istio-proxy\" in pod \"%s\" is waiting to "
                   "start: PodInitializing" % v2}))})
    write_case(c, "log-unreadable", w, {
        "verdict": "fail", "points": 8, "failed": ["sidecar-logs"],
        "evidence_contains": "is waiting to start"}, raw=raw)
    w, raw = ts_world(logs={v2: (403, FORBIDDEN.replace(
        "list resource \\\"pods\\\"", "get resource \\\"pods/log\\\""))})
    write_case(c, "logs-forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"}, raw=raw)
    w, raw = ts_world()
    raw[metrics_path(PP_POD)] = (403, FORBIDDEN)
    write_case(c, "metrics-forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"}, raw=raw)
    w, raw = ts_world()
    raw[ISTIOD_METRICS] = (503, json.dumps({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": "ServiceUnavailable", "code": 503,
        "message": "error trying to reach service: dial tcp "
                   "10.244.0.5:15014: connect: connection refused"}))
    write_case(c, "istiod-metrics-unreachable", w, {
        "verdict": "error", "message_contains": "istiod's metrics"},
        raw=raw)
    # the analysis: warnings with their codes, no point lost
    bad = istio_obj("VirtualService", "reviews-canary", {
        "hosts": ["reviews"], "http": [{"route": [
            {"destination": {"host": "reviews", "subset": "v9"}}]}]},
        created="2026-11-20T11:00:00Z")
    w, raw = ts_world(extra_vs=[bad])
    write_case(c, "undefined-subset-warns", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "IST0101 VirtualService bookinfo/reviews-canary"
        }, raw=raw)
    write_case(c, "undefined-subset-warns-es", w, {
        "lang": "es", "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "(revísalo: `kubectl get virtualservice -n "
                            "bookinfo reviews-canary -o yaml`)"}, raw=raw)
    write_case(c, "two-virtualservices-warn", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "IST0109"}, raw=raw)
    cb = istio_obj("DestinationRule", "reviews-cb", {
        "host": "reviews", "trafficPolicy": {"outlierDetection": {
            "consecutiveErrors": 1, "interval": "1s"}}},
        created="2026-11-20T11:00:00Z")
    w, raw = ts_world(extra_dr=[cb])
    write_case(c, "deprecated-field-warns", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "IST0133"}, raw=raw)
    write_case(c, "two-destinationrules-warn", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "DestinationRule bookinfo/reviews-cb is merged "
                            "with the older bookinfo/reviews"}, raw=raw)
    w, raw = ts_world()
    nop = pod("details-v1-7d4b9c8f5-nosc", "bookinfo",
              {"app": "details", "version": "v1"},
              "docker.io/istio/examples-bookinfo-details-v1:1.20.2",
              sidecar=False)
    w[PODS]["items"].append(nop)
    write_case(c, "pod-without-proxy-warns", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "warning_contains": "IST0103 Pod bookinfo/details-v1-7d4b9c8f5-nosc"},
        raw=raw)


ISYS_DEPS = "/apis/apps/v1/namespaces/istio-system/deployments" + LIMIT
ISYS_SVCS = "/api/v1/namespaces/istio-system/services" + LIMIT
KIALI_STATUS = ("/api/v1/namespaces/istio-system/services/kiali:20001/proxy/"
                "kiali/api/status")
PROM_QUERY = mangle(
    "/api/v1/namespaces/istio-system/services/prometheus:9090/proxy/api/v1/"
    "query?query=istio_requests_total%7Breporter%3D%22destination%22%2C"
    "destination_service_namespace%3D%22bookinfo%22%7D")
ADDONS = {"kiali": ("quay.io/kiali/kiali:v2.1.0", [("kiali", [20001, 9090])]),
          "prometheus": ("prom/prometheus:v2.54.1",
                         [("prometheus", [9090])]),
          "grafana": ("docker.io/grafana/grafana:11.3.1",
                      [("grafana", [3000])]),
          "jaeger": ("docker.io/jaegertracing/all-in-one:1.63.0",
                     [("tracing", [80, 16685]), ("zipkin", [9411]),
                      ("jaeger-collector", [14268, 14250, 9411, 4317,
                                            4318])])}


def service(name, ns, selector, ports):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": meta(name, ns, {"app": selector}),
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.%d"
                     % (len(name) + 10), "selector": {"app": selector},
                     "ports": [{"name": "http-%d" % p, "port": p}
                               for p in ports]}}


def prom_vector(series):
    """Prometheus' answer to an instant query: (labels, value) pairs."""
    return json.dumps({"status": "success", "data": {
        "resultType": "vector", "result": [
            {"metric": dict({"__name__": "istio_requests_total"}, **lab),
             "value": [1795000000.123, str(v)]} for lab, v in series]}})


def telemetry(services=("productpage", "details", "reviews", "ratings")):
    out = []
    for svc in services:
        out.append(({"reporter": "destination",
                     "destination_service_name": svc,
                     "destination_service_namespace": "bookinfo",
                     "destination_workload": svc + "-v1",
                     "response_code": "200", "response_flags": "-",
                     "pod": svc + "-v1-7d4b9c8f5-xv1"}, 40))
    return out


KIALI_OK = json.dumps({
    "status": {"Kiali commit hash": "5c3e1d2", "Kiali container version":
               "v2.1.0", "Kiali state": "running", "Kiali version":
               "v2.1.0", "Mesh name": "Istio", "Mesh version": "1.24.2"},
    "externalServices": [{"name": "Istio", "version": "1.24.2"},
                         {"name": "Prometheus", "version": "2.54.1"}],
    "warningMessages": []})


def obs_world(skip=(), unavailable=()):
    w = world()
    deps = [w[ISTIOD]]
    svcs = [service("istiod", "istio-system", "istiod",
                    [15010, 15012, 443, 15014])]
    for name, (image, services) in ADDONS.items():
        if name in skip:
            continue
        deps.append(deployment(name, "istio-system", image, {"app": name},
                               ready=name not in unavailable))
        svcs += [service(s, "istio-system", name, ports)
                 for s, ports in services]
    w[ISYS_DEPS] = lst("Deployment", deps)
    w[ISYS_SVCS] = lst("Service", svcs)
    raw = {KIALI_STATUS: (None, KIALI_OK),
           PROM_QUERY: (None, prom_vector(telemetry()))}
    return w, raw


def no_endpoints(svc):
    return (503, json.dumps({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": "ServiceUnavailable", "code": 503,
        "message": "no endpoints available for service \"%s\"" % svc}))


def svc_not_found(svc):
    return (404, json.dumps({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": "NotFound", "code": 404,
        "details": {"name": svc, "kind": "services"},
        "message": "services \"%s\" not found" % svc}))


def observability_cases():
    c = "observability"
    w, raw = obs_world()
    write_case(c, "complete", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "requests: productpage 40, details 40"},
        raw=raw, gateway=PAGE)
    w, raw = obs_world(skip=ADDONS.keys())
    raw = {KIALI_STATUS: svc_not_found("kiali"),
           PROM_QUERY: svc_not_found("prometheus")}
    write_case(c, "no-addons", w, {
        "verdict": "fail", "points": 0,
        "failed": ["addons-available", "kiali-answers",
                   "prometheus-metrics"],
        "hint_contains": "`kubectl apply -f samples/addons/kiali.yaml`, "
                         "`kubectl apply -f samples/addons/prometheus.yaml`"
                         ", `kubectl apply -f samples/addons/grafana.yaml`"
                         ", `kubectl apply -f samples/addons/jaeger.yaml`",
        "evidence_contains": "deployment grafana: not found"}, raw=raw, gateway=PAGE)
    w, raw = obs_world(skip=["jaeger"])
    write_case(c, "jaeger-missing", w, {
        "verdict": "fail", "points": 6, "failed": ["addons-available"],
        "hint_contains": "samples/addons/jaeger.yaml",
        "evidence_contains": "service tracing:80: not found"}, raw=raw, gateway=PAGE)
    w, raw = obs_world()
    w[ISYS_SVCS]["items"] = [s for s in w[ISYS_SVCS]["items"]
                             if s["metadata"]["name"] != "zipkin"]
    write_case(c, "zipkin-service-missing", w, {
        "verdict": "fail", "points": 6, "failed": ["addons-available"],
        "hint_contains": "samples/addons/jaeger.yaml",
        "evidence_contains": "service zipkin:9411: not found"}, raw=raw, gateway=PAGE)
    w, raw = obs_world(unavailable=["prometheus"])
    raw[PROM_QUERY] = no_endpoints("prometheus")
    write_case(c, "prometheus-scaled-to-zero", w, {
        "verdict": "fail", "points": 3,
        "failed": ["addons-available", "prometheus-metrics"],
        "hint_contains": "Prometheus does not answer",
        "evidence_contains": "deployment prometheus: ready 0/1"}, raw=raw, gateway=PAGE)
    # `kubectl scale --replicas=0`: still Available (0 of 0), and the API
    # omits readyReplicas
    w, raw = obs_world()
    k = next(d for d in w[ISYS_DEPS]["items"]
             if d["metadata"]["name"] == "kiali")
    k["spec"]["replicas"] = 0
    k["status"] = {"observedGeneration": 2, "conditions": k["status"][
        "conditions"]}
    raw[KIALI_STATUS] = no_endpoints("kiali")
    write_case(c, "kiali-scaled-to-zero", w, {
        "verdict": "fail", "points": 3,
        "failed": ["addons-available", "kiali-answers"],
        "evidence_contains": "deployment kiali: ready 0/0"}, raw=raw, gateway=PAGE)
    w, raw = obs_world()
    raw[KIALI_STATUS] = no_endpoints("kiali")
    write_case(c, "kiali-no-endpoints", w, {
        "verdict": "fail", "points": 7, "failed": ["kiali-answers"],
        "hint_contains": "kubectl logs -n istio-system deploy/kiali"},
        raw=raw, gateway=PAGE)
    # an answer that does not parse may have been cut on the way: error
    w, raw = obs_world()
    raw[KIALI_STATUS] = (None, "<html><body>Kiali</body></html>")
    write_case(c, "kiali-answers-html", w, {
        "verdict": "error", "message_contains": "not JSON"},
        raw=raw, gateway=PAGE)
    w, raw = obs_world()
    raw[KIALI_STATUS] = (None, json.dumps({"status": {
        "Kiali version": "v2.1.0"}, "externalServices": []}))
    write_case(c, "kiali-without-state", w, {
        "verdict": "fail", "points": 7, "failed": ["kiali-answers"],
        "evidence_contains": "no \"Kiali state\""},
        raw=raw, gateway=PAGE)
    w, raw = obs_world()
    raw[PROM_QUERY] = (None, prom_vector([]))
    write_case(c, "no-telemetry", w, {
        "verdict": "fail", "points": 7, "failed": ["prometheus-metrics"],
        "hint_contains": "give it a minute to scrape",
        "evidence_contains": "no series for productpage, details, "
                             "reviews"}, raw=raw, gateway=PAGE)
    write_case(c, "no-telemetry-es", w, {
        "lang": "es", "verdict": "fail", "points": 7,
        "failed": ["prometheus-metrics"],
        "hint_contains": "genera tráfico"}, raw=raw, gateway=PAGE)
    w, raw = obs_world()
    raw[PROM_QUERY] = (None, prom_vector(
        telemetry(("productpage", "reviews"))))
    write_case(c, "partial-telemetry", w, {
        "verdict": "fail", "points": 7, "failed": ["prometheus-metrics"],
        "evidence_contains": "no series for details; requests: "
                             "productpage 40, reviews 40"}, raw=raw, gateway=PAGE)
    w, raw = obs_world()
    raw[PROM_QUERY] = (400, json.dumps({
        "status": "error", "errorType": "bad_data",
        "error": "invalid parameter \"query\": 1:1: parse error"}))
    write_case(c, "prometheus-error", w, {
        "verdict": "fail", "points": 7, "failed": ["prometheus-metrics"],
        "evidence_contains": "400"}, raw=raw, gateway=PAGE)
    w, raw = obs_world()
    raw[KIALI_STATUS] = (403, FORBIDDEN.replace(
        "list resource \\\"pods\\\"", "get resource \\\"services/proxy\\\""
    ).replace('"bookinfo', '"istio-system'))
    write_case(c, "proxy-forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"}, raw=raw, gateway=PAGE)
    w, raw = obs_world()
    raw[PROM_QUERY] = (500, json.dumps({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": "InternalError", "code": 500,
        "message": "Internal error occurred: etcdserver: leader changed"}))
    write_case(c, "proxy-internal-error", w, {
        "verdict": "error", "message_contains": "prometheus"},
        raw=raw, gateway=PAGE)
    w, raw = obs_world()
    body = json.dumps(w.pop(ISYS_SVCS))
    raw[ISYS_SVCS] = (None, body[: len(body) // 2])
    write_case(c, "truncated", w, {"verdict": "error"}, raw=raw, gateway=PAGE)


# ---- ingress-gateway and egress-gateway (objective 9) ----

ALL_IGW = "/apis/networking.istio.io/v1/gateways" + LIMIT
ALL_VS = "/apis/networking.istio.io/v1/virtualservices" + LIMIT
ALL_SE = "/apis/networking.istio.io/v1/serviceentries" + LIMIT
ALL_KGW = "/apis/gateway.networking.k8s.io/v1/gateways" + LIMIT
ALL_HR = "/apis/gateway.networking.k8s.io/v1/httproutes" + LIMIT
ALL_PODS = "/api/v1/pods" + LIMIT
HB_DEP = "/apis/apps/v1/namespaces/default/deployments/httpbin"
HB_SVC = "/api/v1/namespaces/default/services/httpbin"
HB_GW_SVC = "/api/v1/namespaces/default/services/httpbin-gateway-istio"
HB_HOST = "httpbin.example.com"
OK_200 = ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nServer: istio-envoy\r\n"
          "Connection: close\r\n\r\n")
HB_404 = ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nServer: "
          "istio-envoy\r\nConnection: close\r\n\r\n")


def net(kind, name, ns, spec, group="networking.istio.io/v1"):
    return {"apiVersion": group, "kind": kind, "metadata": meta(name, ns),
            "spec": spec}


def bookinfo_kgw():
    w = world()
    return w[GW]


def httpbin_kgw():
    g = net("Gateway", "httpbin-gateway", "default", {
        "gatewayClassName": "istio", "listeners": [
            {"name": "http", "hostname": HB_HOST, "port": 80,
             "protocol": "HTTP",
             "allowedRoutes": {"namespaces": {"from": "Same"}}}]},
        "gateway.networking.k8s.io/v1")
    g["metadata"]["annotations"] = {
        "networking.istio.io/service-type": "ClusterIP"}
    g["status"] = {"conditions": [
        {"type": "Accepted", "status": "True", "reason": "Accepted"},
        {"type": "Programmed", "status": "True", "reason": "Programmed"}]}
    return g


def httpbin_route(port=8000, backend="httpbin"):
    return net("HTTPRoute", "httpbin", "default", {
        "parentRefs": [{"name": "httpbin-gateway"}],
        "hostnames": [HB_HOST],
        "rules": [{"matches": [
            {"path": {"type": "PathPrefix", "value": "/status"}},
            {"path": {"type": "PathPrefix", "value": "/delay"}}],
            "backendRefs": [{"name": backend, "port": port}]}]},
        "gateway.networking.k8s.io/v1")


def httpbin_istio_gw():
    return net("Gateway", "httpbin-gateway", "default", {
        "selector": {"istio": "ingressgateway"},
        "servers": [{"port": {"number": 80, "name": "http",
                              "protocol": "HTTP"}, "hosts": [HB_HOST]}]})


def httpbin_vs(gateways=("httpbin-gateway",)):
    return net("VirtualService", "httpbin", "default", {
        "hosts": [HB_HOST], "gateways": list(gateways),
        "http": [{"match": [{"uri": {"prefix": "/status"}},
                            {"uri": {"prefix": "/delay"}}],
                  "route": [{"destination": {"port": {"number": 8000},
                                             "host": "httpbin"}}]}]})


def ingressgateway_pod():
    return pod("istio-ingressgateway-5d8f9c7b6-ing1", "istio-system",
               {"app": "istio-ingressgateway", "istio": "ingressgateway"},
               "docker.io/istio/proxyv2:1.24.2", sidecar=False,
               container="istio-proxy")


def ingressgateway_svcs():
    return lst("Service", [{
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta("istio-ingressgateway", "istio-system",
                         {"app": "istio-ingressgateway",
                          "istio": "ingressgateway"}),
        "spec": {"type": "ClusterIP", "clusterIP": "127.0.0.1",
                 "selector": {"app": "istio-ingressgateway",
                              "istio": "ingressgateway"},
                 "ports": [{"name": "status-port", "port": 15021},
                           {"name": "http2", "port": 80}]}}])


def httpbin_gw_pod(ready=True):
    lab = {"gateway.networking.k8s.io/gateway-name": "httpbin-gateway",
           "istio.io/gateway-name": "httpbin-gateway"}
    return pod("httpbin-gateway-istio-7c9d5f8b6-hg1", "default", lab,
               "docker.io/istio/proxyv2:1.24.2", sidecar=False, ready=ready,
               container="istio-proxy")


def ingress_world(api=True, vs=True, route=True, ingress_pod=False,
                  httpbin=True):
    """A completed lab plus httpbin in default behind a gateway."""
    w = world()
    hb = pod("httpbin-6f4b7d8c9-hb1", "default",
             {"app": "httpbin", "version": "v1"},
             "docker.io/mccutchen/go-httpbin:v2.15.0", sidecar=False)
    pods = bookinfo_pods() + [gateway_pod()] + ([hb] if httpbin else [])
    kgws, routes = [bookinfo_kgw()], list(w[ROUTES]["items"])
    igws, vss = [], []
    if httpbin:
        w[HB_DEP] = deployment("httpbin", "default",
                               "docker.io/mccutchen/go-httpbin:v2.15.0",
                               {"app": "httpbin", "version": "v1"})
        w[HB_SVC] = {"apiVersion": "v1", "kind": "Service",
                     "metadata": meta("httpbin", "default",
                                      {"app": "httpbin"}),
                     "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.80",
                              "selector": {"app": "httpbin"},
                              "ports": [{"name": "http", "port": 8000,
                                         "targetPort": 8080}]}}
    if api:
        kgws.append(httpbin_kgw())
        routes += [httpbin_route()] if route else []
        pods.append(httpbin_gw_pod())
        w[HB_GW_SVC] = {
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta("httpbin-gateway-istio", "default"),
            "spec": {"type": "ClusterIP", "clusterIP": "127.0.0.1",
                     "selector": {"gateway.networking.k8s.io/gateway-name":
                                  "httpbin-gateway"},
                     "ports": [{"name": "status-port", "port": 15021},
                               {"name": "http", "port": 1}]}}
    else:
        igws.append(httpbin_istio_gw())
        vss += [httpbin_vs()] if vs else []
    if ingress_pod:
        pods.append(ingressgateway_pod())
        w["/api/v1/namespaces/istio-system/services" + LIMIT] = \
            ingressgateway_svcs()
    w[ALL_KGW] = lst("Gateway", kgws)
    w[ALL_HR] = lst("HTTPRoute", routes)
    w[ALL_IGW] = lst("Gateway", igws)
    w[ALL_VS] = lst("VirtualService", vss)
    w[ALL_PODS] = lst("Pod", pods)
    return w


def ingress_gateway_cases():
    c = "ingress-gateway"
    write_case(c, "gateway-api", ingress_world(), {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "httpbin's gateway Service: "
                             "httpbin-gateway-istio"}, gateway=OK_200)
    write_case(c, "istio-gateway-installed",
               ingress_world(api=False, ingress_pod=True), {
                   "verdict": "pass", "points": 10, "failed": [],
                   "evidence_contains": "Istio Gateway default/"
                                        "httpbin-gateway, VirtualService "
                                        "default/httpbin"}, gateway=OK_200)
    # the lab's text: the Istio Gateway on a profile without an ingress
    # gateway (and the student did add the VirtualService)
    write_case(c, "istio-gateway-no-ingressgateway",
               ingress_world(api=False), {
                   "verdict": "fail", "points": 3,
                   "failed": ["httpbin-gateway", "httpbin-reachable"],
                   "hint_contains": "components.ingressGateways[0]."
                                    "enabled=true",
                   "evidence_contains": "IST0101"})
    write_case(c, "istio-gateway-no-ingressgateway-es",
               ingress_world(api=False), {
                   "lang": "es", "verdict": "fail", "points": 3,
                   "failed": ["httpbin-gateway", "httpbin-reachable"],
                   "hint_contains": "Dos salidas"})
    # the lab's text as written: no VirtualService either
    write_case(c, "istio-gateway-no-vs",
               ingress_world(api=False, vs=False), {
                   "verdict": "fail", "points": 3,
                   "failed": ["httpbin-gateway", "httpbin-reachable"],
                   "hint_contains": "VirtualService with hosts "
                                    "[httpbin.example.com], gateways "
                                    "[httpbin-gateway] and a route to host "
                                    "httpbin, port 8000",
                   "evidence_contains": "no VirtualService binds httpbin"})
    write_case(c, "istio-gateway-installed-no-vs",
               ingress_world(api=False, vs=False, ingress_pod=True), {
                   "verdict": "fail", "points": 3,
                   "failed": ["httpbin-gateway", "httpbin-reachable"],
                   "hint_contains": "the lab text omits it"})
    write_case(c, "gateway-api-no-route", ingress_world(route=False), {
        "verdict": "fail", "points": 3,
        "failed": ["httpbin-gateway", "httpbin-reachable"],
        "hint_contains": "apply an HTTPRoute with parentRefs "
                         "[httpbin-gateway]",
        "evidence_contains": "Gateway API Gateway default/httpbin-gateway "
                             "listens"}, gateway=HB_404)
    w = ingress_world()
    w[ALL_HR]["items"][-1] = httpbin_route(port=80)
    write_case(c, "route-wrong-port", w, {
        "verdict": "fail", "points": 6, "failed": ["httpbin-gateway"],
        "evidence_contains": "to httpbin.default.svc.cluster.local port 80,"
                             " not httpbin"}, gateway=OK_200)
    # only Bookinfo's gateway (it listens for any host): not httpbin's
    w = ingress_world(route=False)
    w[ALL_KGW]["items"].pop()
    del w[HB_GW_SVC]
    write_case(c, "only-bookinfo-gateway", w, {
        "verdict": "fail", "points": 3,
        "failed": ["httpbin-gateway", "httpbin-reachable"],
        "hint_contains": "create httpbin's Gateway in default",
        "evidence_contains": "no gateway listens for httpbin.example.com"})
    write_case(c, "httpbin-missing", ingress_world(httpbin=False), {
        "verdict": "fail", "points": 4,
        "failed": ["httpbin-ready", "httpbin-reachable"],
        "hint_contains": "samples/httpbin/httpbin.yaml",
        "evidence_contains": "no deployment httpbin"},
        gateway=("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 19"
                 "\r\nConnection: close\r\n\r\nno healthy upstream"))
    write_case(c, "answers-404", ingress_world(), {
        "verdict": "fail", "points": 7, "failed": ["httpbin-reachable"],
        "hint_contains": "has no route for Host httpbin.example.com"},
        gateway=HB_404)
    # the step not started: nothing for httpbin, only Bookinfo's gateway
    w = ingress_world(route=False, httpbin=False)
    w[ALL_KGW]["items"].pop()
    del w[HB_GW_SVC]
    write_case(c, "not-started", w, {
        "verdict": "skip", "points": 0, "failed": [],
        "pending": ["httpbin-ready", "httpbin-gateway", "httpbin-reachable"],
        "hint_contains": "samples/httpbin/httpbin.yaml"})
    w = ingress_world()
    raw = {ALL_PODS: (403, FORBIDDEN.replace(
        "in the namespace \\\"bookinfo\\\"", "at the cluster scope"))}
    del w[ALL_PODS]
    write_case(c, "pods-forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"}, raw=raw,
        gateway=OK_200)
    w = ingress_world()
    body = json.dumps(w.pop(ALL_VS))
    write_case(c, "truncated", w, {"verdict": "error"},
               raw={ALL_VS: (None, body[: len(body) // 2])}, gateway=OK_200)


EGW_POD = "istio-egressgateway-6c7f9d8b5-eg1"
EGW_METRICS = ("/api/v1/namespaces/istio-system/pods/%s:15020/proxy/stats/"
               "prometheus" % EGW_POD)
ISYS_SVC_LIST = "/api/v1/namespaces/istio-system/services" + LIMIT


def egress_metrics(n):
    lab = {"reporter": "source", "source_workload": "istio-egressgateway",
           "source_workload_namespace": "istio-system",
           "destination_service": "edition.cnn.com",
           "destination_service_name": "edition.cnn.com",
           "destination_service_namespace": "unknown",
           "response_code": "301", "response_flags": "-"}
    return prom_text([(lab, n)] if n else [])


def egress_world(se=True, gw=True, vs_mesh=True, pod_ready=True,
                 installed=True):
    w = world()
    pods = bookinfo_pods()
    if installed:
        pods.append(pod(EGW_POD, "istio-system",
                        {"app": "istio-egressgateway",
                         "istio": "egressgateway"},
                        "docker.io/istio/proxyv2:1.24.2", sidecar=False,
                        ready=pod_ready, container="istio-proxy"))
        w[ISYS_SVC_LIST] = lst("Service", [{
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta("istio-egressgateway", "istio-system"),
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.90",
                     "selector": {"app": "istio-egressgateway",
                                  "istio": "egressgateway"},
                     "ports": [{"name": "http2", "port": 80},
                               {"name": "https", "port": 443}]}}])
    w[ALL_PODS] = lst("Pod", pods)
    w[ALL_SE] = lst("ServiceEntry", [net("ServiceEntry", "cnn", "default", {
        "hosts": ["edition.cnn.com"], "ports": [
            {"number": 80, "name": "http-port", "protocol": "HTTP"},
            {"number": 443, "name": "https", "protocol": "HTTPS"}],
        "resolution": "DNS"})] if se else [])
    w[ALL_IGW] = lst("Gateway", [net(
        "Gateway", "istio-egressgateway", "default", {
            "selector": {"istio": "egressgateway"},
            "servers": [{"port": {"number": 80, "name": "http",
                                  "protocol": "HTTP"},
                         "hosts": ["edition.cnn.com"]}]})] if gw else [])
    egw = "istio-egressgateway.istio-system.svc.cluster.local"
    rules = [{"match": [{"gateways": ["istio-egressgateway"], "port": 80}],
              "route": [{"destination": {"host": "edition.cnn.com",
                                         "port": {"number": 80}},
                         "weight": 100}]}]
    if vs_mesh:
        rules.insert(0, {"match": [{"gateways": ["mesh"], "port": 80}],
                         "route": [{"destination": {
                             "host": egw, "subset": "cnn",
                             "port": {"number": 80}}}]})
    w[ALL_VS] = lst("VirtualService", [net(
        "VirtualService", "direct-cnn-through-egress-gateway", "default", {
            "hosts": ["edition.cnn.com"],
            "gateways": ["istio-egressgateway", "mesh"], "http": rules})])
    raw = {EGW_METRICS: (None, egress_metrics(3))} if installed else {}
    return w, raw


def egress_case(name, w, expect, raw):
    """The objective is optional in the default rubric: enabled here."""
    c = "egress-gateway"
    write_case(c, name, w, expect, raw=raw)
    with open(os.path.join(ROOT, c, name, "params.yaml"), "w") as fh:
        fh.write("# optional in rubric.yaml: graded when enabled\n"
                 "enabled: true\n")


def egress_gateway_cases():
    c = "egress-gateway"
    w, raw = egress_world()
    write_case(c, "disabled-by-default", w, {
        "verdict": "skip", "points": 0, "failed": [],
        "message_contains": "disabled in the rubric"}, raw=raw)
    w, raw = egress_world()
    egress_case("complete", w, {
        "verdict": "pass", "points": 10, "failed": [],
        "evidence_contains": "at istio-system/" + EGW_POD + ": 3"},
        raw=raw)
    w, raw = egress_world()
    raw[EGW_METRICS] = (None, egress_metrics(0))
    egress_case("no-traffic-yet", w, {
        "verdict": "fail", "points": 7, "failed": ["egress-traffic"],
        "hint_contains": "no traffic to edition.cnn.com seen through the "
                         "egress gateway yet"}, raw=raw)
    egress_case("no-traffic-yet-es", w, {
        "lang": "es", "verdict": "fail", "points": 7,
        "failed": ["egress-traffic"],
        "hint_contains": "todavía no se ve tráfico"}, raw=raw)
    # the lab's profile: no egress gateway installed
    w, raw = egress_world(installed=False)
    egress_case("no-egress-gateway", w, {
        "verdict": "fail", "points": 4,
        "failed": ["egress-gateway-ready", "egress-traffic"],
        "hint_contains": "components.egressGateways[0].enabled=true",
        "evidence_contains": "no pod labelled istio=egressgateway"},
        raw=raw)
    w, raw = egress_world(pod_ready=False)
    egress_case("egress-gateway-unready", w, {
        "verdict": "fail", "points": 4,
        "failed": ["egress-gateway-ready", "egress-traffic"],
        "evidence_contains": "no egress gateway pod is ready"}, raw=raw)
    w, raw = egress_world(se=False)
    egress_case("no-service-entry", w, {
        "verdict": "fail", "points": 6, "failed": ["egress-configured"],
        "hint_contains": "create a ServiceEntry with hosts "
                         "[edition.cnn.com]"}, raw=raw)
    w, raw = egress_world(gw=False)
    egress_case("no-egress-gateway-resource", w, {
        "verdict": "fail", "points": 6, "failed": ["egress-configured"],
        "evidence_contains": "no Istio Gateway with selector istio: "
                             "egressgateway for edition.cnn.com"}, raw=raw)
    # sidecars still go straight out: no rule for gateway mesh
    w, raw = egress_world(vs_mesh=False)
    raw[EGW_METRICS] = (None, egress_metrics(0))
    egress_case("vs-without-mesh", w, {
        "verdict": "fail", "points": 3,
        "failed": ["egress-configured", "egress-traffic"],
        "hint_contains": "a rule matching gateways [mesh] to "
                         "istio-egressgateway"}, raw=raw)
    w, raw = egress_world()
    raw[EGW_METRICS] = (403, FORBIDDEN.replace(
        "list resource \\\"pods\\\"", "get resource \\\"pods/proxy\\\""
    ).replace('"bookinfo', '"istio-system'))
    egress_case("metrics-forbidden", w, {
        "verdict": "error", "message_contains": "RBAC"}, raw=raw)
    w, raw = egress_world()
    body = json.dumps(w.pop(ALL_SE))
    raw[ALL_SE] = (None, body[: len(body) // 2])
    egress_case("truncated", w, {"verdict": "error"}, raw=raw)


if __name__ == "__main__":
    for sub in ("istio-install", "sidecar-injection", "gateway",
                "circuit-breaking", "mirroring",
                "request-routing", "fault-injection", "traffic-shifting",
                "troubleshooting", "observability", "ingress-gateway",
                "egress-gateway"):
        shutil.rmtree(os.path.join(ROOT, sub), ignore_errors=True)
    istio_install_cases()
    sidecar_cases()
    gateway_cases()
    cb_cases()
    mirroring_cases()
    request_routing_cases()
    fault_injection_cases()
    traffic_shifting_cases()
    routing_variants()
    fault_variants()
    shifting_variants()
    breaker_variants()
    mirroring_variants()
    troubleshooting_cases()
    observability_cases()
    ingress_gateway_cases()
    egress_gateway_cases()
