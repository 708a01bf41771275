#!/usr/bin/env bash
# labgrade.sh: build labgrade from the shared source tree and install it on
# the master (/usr/local/bin/labgrade, rubric in /usr/local/share/labgrade).
# The build happens outside /vagrant so that the host's tree stays clean.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq make gcc >/dev/null
build=/var/tmp/labgrade-build
rm -rf "$build"
mkdir -p "$build"
cp -a /vagrant/. "$build/"
rm -rf "$build"/build "$build"/build-*
make -C "$build" deps
make -C "$build" binaries
make -C "$build" install
labgrade version
