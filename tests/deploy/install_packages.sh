#!/usr/bin/env bash
# What the deployment tests need on this machine, from Debian's archive: sshd for the test
# hosts, debootstrap and apt-cacher-ng for the one with its own Debian root, and what the
# playbook installs on hosts that share this machine's files (their namespace cannot reach
# the archive, so it must already be here); chromium and an emoji font (the tables' icons)
# for the generated admin's browser tests; poppler-utils (pdftoppm, pdftotext) for the Insights
# PDF exports' tests; lxc (with its templates and rsync, which the debian template copies its cache
# with, python3-lxc for Ansible's lxc_container and lxcfs)
# for the LXC provider's containers; QEMU, libvirt (its network's DHCP server dnsmasq, and the
# Python binding and lxml that community.libvirt's modules import) for the VM provider's tests.
# Run by .ci/run, and by the tests when missing.
set -euo pipefail
mkdir -p /etc/postgresql-common/createcluster.d
# No default cluster: the playbook makes one per app.
echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/50-nocode-tests.conf
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    git openssh-server openssh-client iproute2 util-linux debootstrap apt-cacher-ng \
    postgresql postgresql-client python3-venv python3-apt supervisor \
    chromium fonts-noto-color-emoji poppler-utils \
    lxc lxc-templates rsync python3-lxc lxcfs \
    qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients dnsmasq-base \
    python3-libvirt python3-lxml >/dev/null
