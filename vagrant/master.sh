#!/usr/bin/env bash
# master.sh: kubeadm init on the private network address, the kubeconfig
# for the vagrant user (~/.kube/config, where labgrade and an instructor's
# roster look for it), flannel on the private interface, and the join
# command for the workers in the shared /vagrant folder.
set -euo pipefail
: "${NODE_IP:?}" "${POD_CIDR:?}"
FLANNEL_VERSION=v0.26.1

if [ ! -f /etc/kubernetes/admin.conf ]; then
	kubeadm init --apiserver-advertise-address "$NODE_IP" \
		--pod-network-cidr "$POD_CIDR" --node-name master
fi

home=/home/vagrant
mkdir -p "$home/.kube" /root/.kube
cp /etc/kubernetes/admin.conf "$home/.kube/config"
cp /etc/kubernetes/admin.conf /root/.kube/config
chown -R vagrant:vagrant "$home/.kube"
export KUBECONFIG=/etc/kubernetes/admin.conf

# flannel picks the default route's interface (VirtualBox NAT, the same
# address on every VM) unless told which one carries $NODE_IP
iface=$(ip -o -4 addr show | awk -v ip="$NODE_IP" '$4 ~ "^"ip"/" { print $2 }')
curl -fsSL "https://github.com/flannel-io/flannel/releases/download/${FLANNEL_VERSION}/kube-flannel.yml" |
	sed "s|- --kube-subnet-mgr|- --kube-subnet-mgr\n        - --iface=${iface}|" |
	kubectl apply -f -

kubeadm token create --print-join-command >/vagrant/vagrant/join.sh
chmod 600 /vagrant/vagrant/join.sh
