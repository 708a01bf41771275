#!/usr/bin/env bash
# worker.sh: join the cluster with the command the master left in the
# shared folder (so the master must be up first: `vagrant up` does master,
# then the workers, in the Vagrantfile's order).
set -euo pipefail
join=/vagrant/vagrant/join.sh
if [ -f /etc/kubernetes/kubelet.conf ]; then
	exit 0
fi
if [ ! -s "$join" ]; then
	echo "worker.sh: $join is missing: provision the master first" >&2
	exit 1
fi
bash "$join"
