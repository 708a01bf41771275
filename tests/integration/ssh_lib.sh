#!/usr/bin/env bash
# ssh_lib.sh: a real OpenSSH server for the batch tests (source after
# lib.sh). Debian's /usr/sbin/sshd on 127.0.0.1 with its own host key, an
# authorized key and a config of its own in a temp dir; stopped on exit.
SSHD_PIDS=""
# The roster's client key, and the wrong one for "login refused".
ssh_setup_keys() {
	SSH_DIR="$LIB_TMP/ssh"
	mkdir -p "$SSH_DIR"
	ssh-keygen -q -t ed25519 -N '' -C labgrade-test -f "$SSH_DIR/id"
	ssh-keygen -q -t ed25519 -N '' -C stranger -f "$SSH_DIR/stranger"
}

# free_port: a TCP port nothing listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_sshd NAME: sshd with host key $SSH_DIR/NAME/hostkey and the
# login's home (for SFTP) in $SSH_DIR/NAME/home; sets SSHD_PORT.
start_sshd() {
	local d="$SSH_DIR/$1"
	mkdir -p "$d/home"
	# sshd run by root wants its privilege separation directory
	[ "$(id -u)" != 0 ] || mkdir -p /run/sshd
	[ -f "$d/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
	cp "$SSH_DIR/id.pub" "$d/authorized_keys"
	SSHD_PORT=$(free_port)
	cat >"$d/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $d/hostkey
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
# the VM's "home" for paths such as ~/.kube/config: SFTP starts there
Subsystem sftp internal-sftp -d $d/home
LogLevel VERBOSE
CONF
	/usr/sbin/sshd -D -e -f "$d/sshd_config" 2>"$d/sshd.log" &
	SSHD_PIDS="$SSHD_PIDS $!"
	for _ in $(seq 1 50); do
		grep -q "Server listening" "$d/sshd.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "sshd did not start:"; cat "$d/sshd.log"
	return 1
}

ssh_cleanup() {
	local p
	for p in $SSHD_PIDS $MUTE_PIDS; do kill "$p" 2>/dev/null; done
	lib_cleanup
}
trap ssh_cleanup EXIT

# start_mute: a TCP listener that accepts and never says a word (a VM
# whose sshd hangs); sets MUTE_PORT.
MUTE_PIDS=""
start_mute() {
	local f="$LIB_TMP/mute.port"
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$f" &
	MUTE_PIDS="$MUTE_PIDS $!"
	while [ ! -s "$f" ]; do sleep 0.05; done
	# shellcheck disable=SC2034 # read by the tests that source this
	MUTE_PORT=$(cat "$f")
}
