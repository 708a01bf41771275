#!/usr/bin/env bash
# common.sh: what every node of the lab needs before kubeadm: containerd,
# kubelet, kubeadm and kubectl of Kubernetes $K8S_VERSION (pkgs.k8s.io),
# no swap, the bridge netfilter settings, and the kubelet on the private
# network's address ($NODE_IP), not on VirtualBox's NAT one.
set -euo pipefail
: "${K8S_VERSION:?}" "${NODE_IP:?}"
export DEBIAN_FRONTEND=noninteractive

swapoff -a
sed -i '/\sswap\s/s/^/#/' /etc/fstab

cat >/etc/modules-load.d/k8s.conf <<CONF
overlay
br_netfilter
CONF
modprobe overlay
modprobe br_netfilter
cat >/etc/sysctl.d/k8s.conf <<CONF
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
CONF
sysctl --system >/dev/null

apt-get update -qq
apt-get install -y -qq apt-transport-https ca-certificates curl gpg \
	containerd >/dev/null
mkdir -p /etc/containerd
containerd config default >/etc/containerd/config.toml
# kubeadm configures the kubelet for the systemd cgroup driver
sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' \
	/etc/containerd/config.toml
systemctl restart containerd

key=/etc/apt/keyrings/kubernetes-apt-keyring.gpg
mkdir -p /etc/apt/keyrings
curl -fsSL "https://pkgs.k8s.io/core:/stable:/v${K8S_VERSION}/deb/Release.key" |
	gpg --batch --yes --dearmor -o "$key"
echo "deb [signed-by=$key] https://pkgs.k8s.io/core:/stable:/v${K8S_VERSION}/deb/ /" \
	>/etc/apt/sources.list.d/kubernetes.list
apt-get update -qq
apt-get install -y -qq kubelet kubeadm kubectl >/dev/null
apt-mark hold kubelet kubeadm kubectl >/dev/null
echo "KUBELET_EXTRA_ARGS=--node-ip=$NODE_IP" >/etc/default/kubelet
systemctl enable --now kubelet
