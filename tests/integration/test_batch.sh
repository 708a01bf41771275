#!/usr/bin/env bash
# test_batch.sh: `labgrade batch` against a real OpenSSH server and labsim
# clusters whose kubeconfigs sit on the "VM": students graded as
# `labgrade all` grades them, each failure kind (unknown and changed host
# key, dead host, mute host, refused login, missing kubeconfig) as that
# student's error while the others are graded, and the class outputs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ssh_lib.sh"

if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null; then
	not_ok "openssh-server is installed (make deps installs it)"
	exit 1
fi
# the students' login: whoever runs the tests (sshd as that user serves
# only that user)
ME=$(id -un)
ssh_setup_keys
start_sshd vm1 || exit 1
PORT1=$SSHD_PORT
start_sshd vm2 || exit 1
PORT2=$SSHD_PORT
FP1=$(ssh-keygen -lf "$SSH_DIR/vm1/hostkey.pub" | awk '{print $2}')
FP2=$(ssh-keygen -lf "$SSH_DIR/vm2/hostkey.pub" | awk '{print $2}')
DEAD_PORT=$(free_port)
start_mute

# Two students' clusters; their kubeconfigs live in their "VM" homes.
VM="$LIB_TMP/vm"
mkdir -p "$VM/ana" "$VM/bo"
start_labsim ana --scenario "$(scenario complete)" || exit 1
cp "$KC" "$VM/ana/config"
GW_ANA=$(gateway_url bookinfo/bookinfo-gateway-istio)
REF_ANA="$LIB_TMP/ref-ana.json"
run_lg --no-journal --kubeconfig "$KC" --json "$REF_ANA" all
REF_ANA_RC=$LG_RC
start_labsim bo --scenario "$(scenario no-istiod)" || exit 1
cp "$KC" "$VM/bo/config"
REF_BO="$LIB_TMP/ref-bo.json"
run_lg --no-journal --kubeconfig "$KC" --json "$REF_BO" all

KH="$LIB_TMP/known_hosts"
roster() {
	cat <<YAML
known-hosts: $KH
timeouts: {connect: 3s, grade: 2m}
parallel: 4
defaults: {user: $ME, port: $PORT1, identity: $SSH_DIR/id}
students:
  - {name: ana, host: 127.0.0.1, kubeconfig: $VM/ana/config,
     gateway-url: "$GW_ANA"}
  - {name: bo, host: 127.0.0.1, kubeconfig: $VM/bo/config}
YAML
	[ "${1:-}" = all ] || return 0
	cat <<YAML
  - {name: dead, host: 127.0.0.1, port: $DEAD_PORT}
  - {name: mute, host: 127.0.0.1, port: $MUTE_PORT}
  - {name: refused, host: 127.0.0.1, identity: $SSH_DIR/stranger}
  - {name: nokc, host: 127.0.0.1, kubeconfig: $VM/nobody/config}
  - {name: changed, host: 127.0.0.1, port: $PORT2,
     kubeconfig: $VM/ana/config}
YAML
}

# cj FILE NAME FIELD: error | total | rc-like status of a student in
# class.json, or "absent".
cj() {
	python3 - "$@" <<'PY'
import json, sys
path, name, field = sys.argv[1:4]
doc = json.load(open(path))
for s in doc["students"]:
    if s["name"] != name:
        continue
    rep = s["report"]
    if field == "error":
        print(s["error"] or "")
    elif field == "total":
        print(sum(r["points"] for r in rep["results"]))
    elif field == "verdicts":
        print(" ".join("%s=%s" % (r["id"], r["verdict"]) for r in rep["results"]))
    break
else:
    print("absent")
PY
}
# ref FILE FIELD: total or verdicts of a `labgrade all` JSON report.
ref() {
	python3 - "$@" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
if sys.argv[2] == "total":
    print(sum(r["points"] for r in rep["results"]))
elif sys.argv[2] == "max":
    print(sum(r["max_points"] for r in rep["results"]))
elif sys.argv[2] == "ids":
    print(",".join(r["id"] for r in rep["results"]))
elif sys.argv[2] == "zeros":
    print(",".join("0" for r in rep["results"]))
elif sys.argv[2] == "cells":
    print(" | ".join("0" for r in rep["results"]))
elif sys.argv[2] == "points":
    print(",".join(str(r["points"]) for r in rep["results"]))
else:
    print(" ".join("%s=%s" % (r["id"], r["verdict"]) for r in rep["results"]))
PY
}

# --- 1. an unknown host key stops the student, and nothing is recorded
roster >"$LIB_TMP/r1.yaml"
OUT="$LIB_TMP/out1"
run_lg batch -q --no-journal -o "$OUT" "$LIB_TMP/r1.yaml"
expect_eq "unknown host key: exit 3" 3 "$LG_RC"
expect_contains "unknown host key: named with its fingerprint" \
	"127.0.0.1:$PORT1: unknown host key $FP1" "$(cj "$OUT/class.json" ana error)"
check "unknown host key: known_hosts not written" test ! -e "$KH"

# --- 2. the whole class: two graded, five failure kinds
# vm2's port is known with vm1's key: a changed host key
echo "[127.0.0.1]:$PORT2 $(cut -d' ' -f1,2 "$SSH_DIR/vm1/hostkey.pub")" >"$KH"
roster all >"$LIB_TMP/r2.yaml"
OUT="$LIB_TMP/out2"
run_lg batch --trust-new-hosts --no-journal -o "$OUT" "$LIB_TMP/r2.yaml"
expect_eq "class: exit 3 (some students not graded)" 3 "$LG_RC"
expect_eq "ana graded like labgrade all" "$(ref "$REF_ANA" verdicts)" \
	"$(cj "$OUT/class.json" ana verdicts)"
expect_eq "ana: same points as labgrade all" "$(ref "$REF_ANA" total)" \
	"$(cj "$OUT/class.json" ana total)"
expect_eq "ana: no error" "" "$(cj "$OUT/class.json" ana error)"
expect_eq "bo graded like labgrade all" "$(ref "$REF_BO" verdicts)" \
	"$(cj "$OUT/class.json" bo verdicts)"
expect_contains "dead host: refused connection" \
	"127.0.0.1:$DEAD_PORT: cannot connect: Connection refused" \
	"$(cj "$OUT/class.json" dead error)"
expect_contains "mute host: timed out at the handshake" \
	"127.0.0.1:$MUTE_PORT: no answer to the SSH handshake within 3000 ms" \
	"$(cj "$OUT/class.json" mute error)"
expect_contains "refused login: said so" \
	"login refused for user '$ME'" "$(cj "$OUT/class.json" refused error)"
expect_contains "missing kubeconfig: named" \
	"no kubeconfig at '$VM/nobody/config' on the VM" \
	"$(cj "$OUT/class.json" nokc error)"
expect_contains "changed host key: both fingerprints" \
	"host key changed: $FP2 now, $FP1 in '$KH'" \
	"$(cj "$OUT/class.json" changed error)"
expect_eq "trusted key recorded once" 1 \
	"$(grep -c "^\[127.0.0.1\]:$PORT1 ssh-ed25519 " "$KH")"
expect_contains "progress: the end" \
	"graded 2/7; running: none; 5 failed to connect" "$LG_ERR"
check "progress: who is running, by name" \
	grep -Eq '; running: [a-z]+(, [a-z]+)*; ' <<<"$LG_ERR"
expect_contains "progress: failures named" "dead: not graded:" "$LG_ERR"

# the outputs
# the objectives, their order and the maximum are those of labgrade all
MAX=$(ref "$REF_ANA" max)
expect_eq "gradebook: header" \
	"student,$(ref "$REF_ANA" ids),total,max,status" \
	"$(head -1 "$OUT/gradebook.csv" | tr -d '\r')"
expect_eq "gradebook: a row per student" 8 "$(wc -l <"$OUT/gradebook.csv")"
expect_contains "gradebook: ana's total" \
	"ana,$(ref "$REF_ANA" points),$(ref "$REF_ANA" total),$MAX," \
	"$(tr -d '\r' <"$OUT/gradebook.csv")"
expect_contains "gradebook: the dead host" "dead,$(ref "$REF_ANA" zeros),0,$MAX,not graded" \
	"$(tr -d '\r' <"$OUT/gradebook.csv")"
check "junit: well formed" xmllint --noout "$OUT/junit.xml"
expect_eq "junit: a testsuite per student" 7 \
	"$(grep -c '<testsuite ' "$OUT/junit.xml")"
expect_eq "per-student reports" 7 "$(find "$OUT/students" -name "*.md" | wc -l)"
expect_contains "class table: a row with the reason" \
	"| mute | $(ref "$REF_ANA" cells) | 0/$MAX | not graded: 127.0.0.1:$MUTE_PORT: no answer" \
	"$(cat "$OUT/class.md")"
expect_contains "student report: fingerprint has the host key" \
	"ssh-host-key=$FP1" "$(cat "$OUT/students/ana.md")"
# labsim's gateway is reachable from here too: make sure ana's traffic
# went through the tunnel to the roster's gateway-url, not around it
expect_contains "gateway traffic through the SSH tunnel" \
	"GET http://127.0.0.1:" "$(grep 'productpage-reachable' -A3 "$OUT/students/ana.md")"
check "gateway traffic: not to labsim's own port" \
	test "$(grep -c "GET ${GW_ANA}/productpage" "$OUT/students/ana.md")" = 0

# --- 3. graded students only: the exit status is the students' own
roster >"$LIB_TMP/r3.yaml"
run_lg batch -q --no-journal -o "$LIB_TMP/out3" "$LIB_TMP/r3.yaml"
expect_eq "all reachable: exit as labgrade all would" "$REF_ANA_RC" "$LG_RC"

# --- 4. bad input: exit 2 with where
printf 'students:\n  - {name: a, host: h, user: u, prot: 22}\n' >"$LIB_TMP/bad.yaml"
run_lg batch -q "$LIB_TMP/bad.yaml"
expect_eq "bad roster: exit 2" 2 "$LG_RC"
expect_contains "bad roster: file:line:col" \
	"$LIB_TMP/bad.yaml:2:39: unknown key 'prot'" "$LG_ERR"
run_lg batch --shard 3/3 "$LIB_TMP/r3.yaml"
expect_eq "bad shard: exit 2" 2 "$LG_RC"

# --- 5. from vagrant ssh-config to a roster
cat >"$LIB_TMP/vagrant.cfg" <<CFG
Host ana
  HostName 127.0.0.1
  User $ME
  Port $PORT1
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  PasswordAuthentication no
  IdentityFile $SSH_DIR/id
  IdentitiesOnly yes
  LogLevel FATAL
CFG
run_lg roster --from-ssh-config "$LIB_TMP/vagrant.cfg" -o "$LIB_TMP/fromvagrant.yaml"
expect_eq "roster from ssh-config: exit 0" 0 "$LG_RC"
expect_contains "roster from ssh-config: warns about disabled checks" \
	"turned host key checking off; the roster does not" "$LG_ERR"
run_lg roster --check "$LIB_TMP/fromvagrant.yaml"
expect_eq "roster from ssh-config: loads" \
	"ana	$ME@127.0.0.1:$PORT1	~/.kube/config" "$LG_OUT"
printf 'Host a\n  Port none\n' >"$LIB_TMP/bad.cfg"
run_lg roster --from-ssh-config "$LIB_TMP/bad.cfg"
expect_eq "bad ssh-config: exit 2" 2 "$LG_RC"
expect_contains "bad ssh-config: file:line" "$LIB_TMP/bad.cfg:2: bad port 'none'" "$LG_ERR"

# --- 6. shards: a stable partition, merged back into the same outputs
run_lg batch -q --no-journal --shard 0/2 -o "$LIB_TMP/s0" "$LIB_TMP/r2.yaml"
S0_RC=$LG_RC
run_lg batch -q --no-journal --shard 1/2 -o "$LIB_TMP/s1" "$LIB_TMP/r2.yaml"
names() { python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(open(sys.argv[1]))["students"]))' "$1"; }
N0=$(names "$LIB_TMP/s0/class.json")
N1=$(names "$LIB_TMP/s1/class.json")
expect_eq "shards: every student in exactly one" \
	"ana bo changed dead mute nokc refused" \
	"$(echo "$N0 $N1" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check "shards: both non-empty" test -n "$N0" -a -n "$N1"
run_lg batch -q --no-journal --shard 0/2 -o "$LIB_TMP/s0b" "$LIB_TMP/r2.yaml"
expect_eq "shards: stable" "$N0" "$(names "$LIB_TMP/s0b/class.json")"
run_lg merge -o "$LIB_TMP/merged" "$LIB_TMP/s1/class.json" "$LIB_TMP/s0/class.json"
expect_eq "merge: exit 3 like the whole class" 3 "$LG_RC"
check "merge: same gradebook as one run" \
	cmp "$LIB_TMP/merged/gradebook.csv" "$LIB_TMP/out2/gradebook.csv"
check "merge: same class table as one run" \
	cmp "$LIB_TMP/merged/class.md" "$LIB_TMP/out2/class.md"
check "merge: junit well formed" xmllint --noout "$LIB_TMP/merged/junit.xml"
expect_eq "merge: per-student reports" 7 \
	"$(find "$LIB_TMP/merged/students" -name '*.md' | wc -l)"
check "merge: a student's report as graded" \
	cmp "$LIB_TMP/merged/students/dead.md" "$LIB_TMP/s$( [[ " $N0 " == *" dead "* ]] && echo 0 || echo 1)/students/dead.md"
run_lg merge -o "$LIB_TMP/merged2" "$LIB_TMP/s0/class.json" "$LIB_TMP/s0/class.json"
expect_eq "merge: a student twice is refused" 2 "$LG_RC"
expect_contains "merge: names both files" "is also in '$LIB_TMP/s0/class.json'" "$LG_ERR"
[ "$S0_RC" = 3 ] || [ "$S0_RC" = 1 ] || [ "$S0_RC" = 0 ]
check "shard: exit status is 0, 1 or 3" test $? = 0

# --- 7. docs/batch-job.yaml: the manifest parses with the real kubectl
# (offline: labsim serves no batch/v1), and the shard command it runs
# works when its paths are moved here
JOB="$SRCDIR/docs/batch-job.yaml"
jq_job() {
	KUBECONFIG=/dev/null kubectl label --local -f "$JOB" -o jsonpath="$1" \
		checked=yes 2>/dev/null | tail -1
}
expect_eq "job manifest: a volume claim and an Indexed Job of 4" \
	"PersistentVolumeClaim//Job/Indexed/4" \
	"$(jq_job '{.kind}/{.spec.completionMode}/{.spec.completions}')"
CMD=$(jq_job '{.spec.template.spec.containers[0].args[0]}')
mkdir -p "$LIB_TMP/etc/labgrade" "$LIB_TMP/bin" "$LIB_TMP/results"
cp "$LIB_TMP/r2.yaml" "$LIB_TMP/etc/labgrade/roster.yaml"
ln -sf "$LABGRADE" "$LIB_TMP/bin/labgrade"
CMD=${CMD//\/etc\/labgrade/$LIB_TMP/etc/labgrade}
CMD=${CMD//\/results/$LIB_TMP/results}
expect_contains "job command: a shard of the roster" "--shard" "$CMD"
for i in 0 1 2 3; do
	JOB_COMPLETION_INDEX=$i PATH="$LIB_TMP/bin:$PATH" sh -c "$CMD" \
		>/dev/null 2>&1
	rcs="${rcs:-}$?"
done
expect_eq "job command: exit 0 for results with unreachable students" \
	0000 "$rcs"
run_lg merge -o "$LIB_TMP/jobclass" "$LIB_TMP"/results/shard-*/class.json
check "job shards merge into the class gradebook" \
	cmp "$LIB_TMP/jobclass/gradebook.csv" "$LIB_TMP/out2/gradebook.csv"

# --- 8. the grade deadline: a student whose grade outlives timeouts.grade
# has its tunnels closed, so what was still running ends as an error
start_labsim slow --scenario "$(scenario fault-injection)" || exit 1
mkdir -p "$VM/slow"
cp "$KC" "$VM/slow/config"
cat >"$LIB_TMP/r8.yaml" <<YAML
known-hosts: $KH
timeouts: {connect: 3s, grade: 2s}
defaults: {user: $ME, port: $PORT1, identity: $SSH_DIR/id}
students:
  - {name: slow, host: 127.0.0.1, kubeconfig: $VM/slow/config}
YAML
run_lg batch -q --no-journal -o "$LIB_TMP/out8" "$LIB_TMP/r8.yaml"
expect_eq "grade deadline: exit 3" 3 "$LG_RC"
expect_contains "grade deadline: said in the report" \
	"tunnels closed at the grade deadline" "$(cat "$LIB_TMP/out8/students/slow.md")"
# (which ones depends on the machine's speed; fault-injection's live test
# waits out jason's 6 s delay, so it is always cut by the 2 s deadline;
# steps judged pending from the configuration need no tunnel and may not)
expect_contains "grade deadline: a check cut by it is an error" \
	"fault-injection=error" "$(cj "$LIB_TMP/out8/class.json" slow verdicts)"

# --- 9. a jump host: vm1 as the bastion, the student's VM (vm2) reached
# from it as "localhost" (so its key is checked under that name)
cat >"$LIB_TMP/r9.yaml" <<YAML
known-hosts: $LIB_TMP/known_hosts9
timeouts: {connect: 3s}
defaults: {user: $ME, identity: $SSH_DIR/id}
students:
  - {name: hop, host: localhost, port: $PORT2, jump: "$ME@127.0.0.1:$PORT1",
     kubeconfig: $VM/ana/config, gateway-url: "$GW_ANA"}
  - {name: nohop, host: localhost, port: $DEAD_PORT,
     jump: "127.0.0.1:$PORT1"}
  - {name: deadjump, host: 127.0.0.1, port: $PORT2,
     jump: "127.0.0.1:$DEAD_PORT"}
YAML
run_lg batch -q --no-journal --trust-new-hosts -o "$LIB_TMP/out9" "$LIB_TMP/r9.yaml"
expect_eq "jump host: graded like labgrade all" "$(ref "$REF_ANA" verdicts)" \
	"$(cj "$LIB_TMP/out9/class.json" hop verdicts)"
expect_contains "jump host: the VM's own key recorded under its name" \
	"[localhost]:$PORT2 ssh-ed25519 $(cut -d' ' -f2 "$SSH_DIR/vm2/hostkey.pub")" \
	"$(cat "$LIB_TMP/known_hosts9")"
expect_contains "jump host: a VM the bastion cannot reach, said so" \
	"through jump host '127.0.0.1:$PORT1': 127.0.0.1:$PORT1: the VM could not open a connection to localhost:$DEAD_PORT" \
	"$(cj "$LIB_TMP/out9/class.json" nohop error)"
expect_contains "jump host: a dead bastion" \
	"127.0.0.1:$DEAD_PORT: cannot connect: Connection refused" \
	"$(cj "$LIB_TMP/out9/class.json" deadjump error)"

# --- 10. the defaults: the kubeconfig at ~/.kube/config on the VM, and
# no gateway-url: the gateway Service is found as labgrade all finds it,
# and its address (as the VM sees it) is used through the tunnel
# (its server by a host name the VM resolves: the tunnel carries the name
# for TLS, the address is the VM's business)
mkdir -p "$SSH_DIR/vm1/home/.kube"
sed 's|server: https://127.0.0.1:|server: https://localhost:|' \
	"$VM/ana/config" >"$SSH_DIR/vm1/home/.kube/config"
cat >"$LIB_TMP/r10.yaml" <<YAML
known-hosts: $KH
defaults: {user: $ME, port: $PORT1, identity: $SSH_DIR/id}
students:
  - {name: ana, host: 127.0.0.1}
YAML
run_lg batch -q --no-journal -o "$LIB_TMP/out10" "$LIB_TMP/r10.yaml"
R10=$(cat "$LIB_TMP/out10/students/ana.md")
expect_contains "found gateway: said which, through the tunnel" \
	"gateway: Service bookinfo-gateway-istio: " "$R10"
expect_contains "found gateway: traffic through the tunnel" \
	"GET http://127.0.0.1:" "$(grep 'productpage-reachable' -A3 <<<"$R10")"
expect_eq "found gateway: graded like labgrade all" "$(ref "$REF_ANA" verdicts)" \
	"$(cj "$LIB_TMP/out10/class.json" ana verdicts)"
expect_contains "server by name: the report names it" \
	"**Server:** https://localhost:" "$R10"

# --- 11. login by ssh-agent; a key with a passphrase is refused clearly
ssh-keygen -q -t ed25519 -N 'not-in-roster' -f "$SSH_DIR/locked"
cat "$SSH_DIR/locked.pub" >>"$SSH_DIR/vm1/authorized_keys"
cat >"$LIB_TMP/r11.yaml" <<YAML
known-hosts: $KH
defaults: {user: $ME, port: $PORT1}
students:
  - {name: agent, host: 127.0.0.1, kubeconfig: $VM/bo/config}
  - {name: locked, host: 127.0.0.1, identity: $SSH_DIR/locked}
YAML
AGENT_ENV=$(ssh-agent -s)
eval "$AGENT_ENV" >/dev/null
MUTE_PIDS="$MUTE_PIDS $SSH_AGENT_PID" # stopped on exit with the others
ssh-add -q "$SSH_DIR/stranger" 2>/dev/null # refused first: the next is tried
ssh-add -q "$SSH_DIR/id" 2>/dev/null
run_lg batch -q --no-journal -o "$LIB_TMP/out11" "$LIB_TMP/r11.yaml"
expect_eq "ssh-agent: graded like labgrade all" "$(ref "$REF_BO" verdicts)" \
	"$(cj "$LIB_TMP/out11/class.json" agent verdicts)"
expect_contains "passphrase key: said so" \
	"cannot use identity file '$SSH_DIR/locked'" \
	"$(cj "$LIB_TMP/out11/class.json" locked error)"
ssh-agent -k >/dev/null
unset SSH_AUTH_SOCK SSH_AGENT_PID
run_lg batch -q --no-journal -o "$LIB_TMP/out11b" "$LIB_TMP/r11.yaml"
expect_contains "no identity and no agent: said so" \
	"no identity, no password and no ssh-agent" \
	"$(cj "$LIB_TMP/out11b/class.json" agent error)"
