#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mesh_lib.sh: Bookinfo through a gateway with plain HTTP (curl), as a lab
# student would see it, plus sidecar metrics through the API server's pod
# proxy. Source after lib.sh (uses kc, LIB_TMP, SRCDIR). Not a test itself.

MANIFESTS="$SRCDIR/fixtures/manifests"
PARTS="$SRCDIR/fixtures/scenarios/parts"
JAR="$LIB_TMP/jason.cookies"

# step FILE: what the lab does, `kubectl apply -n bookinfo -f FILE`, and
# asserts that kubectl created or configured something.
step() {
	local out
	out=$(kc apply -n bookinfo -f "$1" 2>&1)
	case "$out" in
	*created* | *configured*) ok "kubectl apply -f $(basename "$1")" ;;
	*) not_ok "kubectl apply -f $(basename "$1"): $out" ;;
	esac
}

# apply DESC: `kubectl apply -n NS -f -` of the YAML on stdin (NS is
# $APPLY_NS, default bookinfo); asserts kubectl created, configured or
# left unchanged (already so) what it applied.
apply() {
	local out
	out=$(kc apply -n "${APPLY_NS:-bookinfo}" -f - 2>&1)
	case "$out" in
	*created* | *configured* | *unchanged*) ok "kubectl apply: $1" ;;
	*) not_ok "kubectl apply: $1: $out" ;;
	esac
}

# nodeport_url NS SVC: http://NODE-INTERNAL-IP:NODEPORT of the Service's
# port 80, found as a student would find it from kubectl.
nodeport_url() {
	local ip np
	ip=$(kc get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
	np=$(kc get svc -n "$1" "$2" -o jsonpath='{.spec.ports[?(@.port==80)].nodePort}')
	[ -n "$ip" ] && [ -n "$np" ] && echo "http://$ip:$np"
}

# wait_http URL: until URL answers 200 (10 s at most).
wait_http() {
	local i
	for i in $(seq 1 100); do
		[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$1")" = 200 ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# login_jason GW: POST /login username=jason (with a Referer), keeping the
# session cookie in $JAR. Prints the HTTP status.
login_jason() {
	rm -f "$JAR"
	curl -s -m 10 -c "$JAR" -o /dev/null -w '%{http_code}' \
		-H "Referer: $1/productpage" \
		--data-urlencode username=jason --data-urlencode passwd=x \
		"$1/login"
}

# The parser of concatenated pages: one line per page,
# "CODE VERSION STARS ERROR SECONDS" (VERSION v1/v2/v3 of the reviews pod
# named after "Reviews served by:", or none; STARS black/red/none; ERROR
# reviews (the "Sorry, product reviews are currently unavailable" page),
# ratings ("Ratings service is currently unavailable") or -).
PAGE_PY='
import re, sys
parts = re.split(r"\n@@END@@ (\d+) ([0-9.]+)\n", sys.stdin.read())
for i in range(0, len(parts) - 2, 3):
    body, code, secs = parts[i], parts[i + 1], parts[i + 2]
    m = re.search(r"Reviews served by:\s*(?:<[^>]*>\s*)*reviews-(v\d+)-", body)
    ver = m.group(1) if m else "none"
    stars = ("black" if "gap-x-1 text-black-500" in body else
             "red" if "gap-x-1 text-red-500" in body else "none")
    err = ("reviews" if "Sorry, product reviews are currently unavailable"
           in body else "ratings" if
           "Ratings service is currently unavailable" in body else "-")
    print(code, ver, stars, err, secs)
'

# pages GW N [jason]: N sequential GET /productpage (one curl, one
# connection), anonymous or with jason's cookie; prints the page lines.
pages() {
	local gw=$1 n=$2 who=${3:-} args=() i
	[ "$who" = jason ] && args+=(-b "$JAR" -H "Referer: $gw/productpage")
	for i in $(seq 1 "$n"); do args+=("$gw/productpage"); done
	curl -s -m 120 -w '\n@@END@@ %{http_code} %{time_total}\n' "${args[@]}" |
		python3 -c "$PAGE_PY"
}

# count FIELD VALUE: how many page lines on stdin have VALUE in FIELD
# (1 code, 2 version, 3 stars, 4 error).
count() { awk -v f="$1" -v v="$2" '$f == v { n++ } END { print n + 0 }'; }

# parallel_get URL N: N concurrent GETs (one curl, --parallel); prints
# "CODE SECONDS" per request.
parallel_get() {
	local args=() i
	for i in $(seq 1 "$2"); do args+=(-o /dev/null "$1"); done
	curl -s --no-progress-meter -m 60 --parallel --parallel-immediate --parallel-max "$2" \
		-w '%{http_code} %{time_total}\n' "${args[@]}"
}

# pod_of APP VERSION: the first pod's name.
pod_of() {
	kc get pods -n bookinfo -l "app=$1,version=$2" \
		-o jsonpath='{.items[0].metadata.name}'
}

# metric POD LABEL=VALUE...: the sum of istio_requests_total in POD's
# sidecar (:15020/stats/prometheus through the API server's pod proxy)
# over the series carrying every LABEL=VALUE given.
metric() {
	local pod=$1
	shift
	kc get --raw "/api/v1/namespaces/bookinfo/pods/$pod:15020/proxy/stats/prometheus" |
		python3 -c '
import re, sys
want = dict(a.split("=", 1) for a in sys.argv[1:])
total = 0
for line in sys.stdin:
    m = re.match(r"istio_requests_total\{(.*)\} (\d+)", line)
    if not m:
        continue
    labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", m.group(1)))
    if all(labels.get(k) == v for k, v in want.items()):
        total += int(m.group(2))
print(total)' "$@"
}

# binom_bounds N P [Z]: "LO HI", N*P -/+ Z sigma of a binomial (Z 4.5).
binom_bounds() {
	python3 -c 'import math, sys
n, p, z = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
s = math.sqrt(n * p * (1 - p))
print(max(0, math.ceil(n * p - z * s)), min(n, math.floor(n * p + z * s)))' \
		"$1" "$2" "${3:-4.5}"
}

# expect_between DESC LO HI VALUE (numbers; decimals allowed)
expect_between() {
	if python3 -c 'import sys; lo, hi, v = map(float, sys.argv[1:4]); sys.exit(not lo <= v <= hi)' "$2" "$3" "$4"; then
		ok "$1 ($4 in [$2, $3])"
	else
		not_ok "$1: $4 not in [$2, $3]"
	fi
}

# scaled SECONDS: SECONDS times $SCALE.
scaled() { python3 -c 'import sys; print(float(sys.argv[1]) * float(sys.argv[2]))' "$1" "$SCALE"; }
