#!/usr/bin/env bash
# bench_batch.sh: figures of `labgrade batch` (`make bench`): a class of
# BENCH_STUDENTS (10) labsim clusters with the fault delay live, graded
# through a real sshd, against one student's `labgrade all`; peak RSS per
# student; and the same class with dead and mute hosts added. Figures, not
# pass/fail: exits 0 unless it cannot run at all (needs root for sshd).
# Usage: bash tests/bench_batch.sh [BUILD_DIR]
set -u
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$SRCDIR/$BUILD ;; esac
LABGRADE=$BUILD/labgrade
LABSIM=$BUILD/labsim
N=${BENCH_STUDENTS:-10}
TMP=$(mktemp -d)
PIDS=""

cleanup() {
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

echo
echo "== batch: $N students through sshd"
if [ ! -x /usr/sbin/sshd ] || [ "$(id -u)" != 0 ]; then
	echo "bench: batch figures need root and /usr/sbin/sshd (openssh-server)"
	exit 0
fi

now() { echo "${EPOCHREALTIME/,/.}"; }
calc() { python3 -c "print($*)"; }
fmt() { python3 -c "print('%.2f' % ($*))"; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# peak_kib CMD...: the command's maximum resident set size in KiB.
peak_kib() {
	/usr/bin/time -v "$@" 2>&1 >/dev/null |
		awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
}
# wall CMD...: seconds the command took.
wall() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	fmt "$t1 - $t0"
}

ssh-keygen -q -t ed25519 -N '' -f "$TMP/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/id"
PORT=$(free_port)
mkdir -p /run/sshd
cat >"$TMP/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $TMP/hostkey
PidFile $TMP/sshd.pid
AuthorizedKeysFile $TMP/id.pub
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
AllowTcpForwarding yes
MaxStartups 200
MaxSessions 200
Subsystem sftp internal-sftp
CONF
/usr/sbin/sshd -D -e -f "$TMP/sshd_config" 2>"$TMP/sshd.log" &
PIDS="$PIDS $!"
sleep 0.5
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$TMP/hostkey.pub")" >"$TMP/known_hosts"

# N clusters with the fault-injection step in effect
for i in $(seq 1 "$N"); do
	"$LABSIM" --kubeconfig "$TMP/kc$i" \
		--scenario "$SRCDIR/fixtures/scenarios/fault-injection" \
		>"$TMP/sim$i.out" 2>"$TMP/sim$i.err" &
	PIDS="$PIDS $!"
done
for i in $(seq 1 "$N"); do
	for _ in $(seq 1 300); do
		grep -q '^ready$' "$TMP/sim$i.out" 2>/dev/null && break
		sleep 0.1
	done
done

# roster COUNT [DEAD] [MUTE]: the first COUNT students, plus unreachable ones
roster() {
	local i
	printf 'known-hosts: %s\nparallel: %s\ntimeouts: {connect: 5s}\n' \
		"$TMP/known_hosts" "${PAR:-$N}"
	printf 'defaults: {user: root, port: %s, identity: %s}\nstudents:\n' \
		"$PORT" "$TMP/id"
	for i in $(seq 1 "$1"); do
		printf '  - {name: s%s, host: 127.0.0.1, kubeconfig: %s}\n' \
			"$i" "$TMP/kc$i"
	done
	for i in $(seq 1 "${2:-0}"); do
		printf '  - {name: dead%s, host: 127.0.0.1, port: %s}\n' "$i" "$DEAD"
	done
	for i in $(seq 1 "${3:-0}"); do
		printf '  - {name: mute%s, host: 127.0.0.1, port: %s}\n' "$i" "$MUTE"
	done
}

t1=$(wall env NO_COLOR=1 "$LABGRADE" --no-journal --kubeconfig "$TMP/kc1" all)
echo "one student, labgrade all (direct): $t1 s"
roster 1 >"$TMP/r1.yaml"
tb1=$(wall "$LABGRADE" batch -q --no-journal -o "$TMP/o1" "$TMP/r1.yaml")
echo "one student, labgrade batch through sshd: $tb1 s"
roster "$N" >"$TMP/rN.yaml"
tbn=$(wall "$LABGRADE" batch -q --no-journal -o "$TMP/oN" "$TMP/rN.yaml")
echo "$N students at once through sshd: $tbn s, $(fmt "$tbn / $t1") x one student's labgrade all (goal <= 1.5)"
echo "  statuses: $(tail -n +2 "$TMP/oN/gradebook.csv" | tr -d '\r' |
	awk -F, '{ print $NF }' | sort | uniq -c | xargs)"
r1=$(peak_kib "$LABGRADE" batch -q --no-journal -o "$TMP/o1b" "$TMP/r1.yaml")
rn=$(peak_kib "$LABGRADE" batch -q --no-journal -o "$TMP/oNb" "$TMP/rN.yaml")
echo "peak RSS: 1 student $r1 KiB, $N students $rn KiB: $(fmt "($rn - $r1) / 1024 / ($N - 1)") MiB per extra student (goal <= 2)"

DEAD=$(free_port)
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
c = []
while True: c.append(s.accept()[0])
' >"$TMP/mute.port" &
PIDS="$PIDS $!"
while [ ! -s "$TMP/mute.port" ]; do sleep 0.05; done
MUTE=$(cat "$TMP/mute.port")
k=$(( (N + 9) / 10 ))
PAR=$((N + 2 * k)) roster "$N" "$k" "$k" >"$TMP/rbad.yaml"
tbad=$(wall "$LABGRADE" batch -q --no-journal -o "$TMP/obad" "$TMP/rbad.yaml")
echo "$N students + $k dead + $k mute hosts (connect timeout 5 s): $tbad s, $(fmt "$tbad - $tbn") s more than the healthy class"
