#!/bin/sh
# Builds a VM base image without loop mounts or root-only block devices:
#   build-base-image.sh TARGET SUITE MIRROR SIZE_GB PACKAGES
# debootstrap makes the root in a folder, mke2fs -d copies that folder into a raw ext4 image
# (no partition table: the kernel boots it as /dev/vda), and qemu-img turns it into TARGET, a
# qcow2 that VMs only ever use as the read-only backing file of their own overlay. The kernel
# and initrd are copied beside it (TARGET.vmlinuz, TARGET.initrd) for direct kernel boot.
# PACKAGES is a comma-separated list; an http_proxy in the environment is used by debootstrap.
set -eu
target=$1 suite=$2 mirror=$3 size_gb=$4 packages=$5

work=$(mktemp -d "$(dirname "$target")/.building-XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror"

# Debian makes a default PostgreSQL cluster; the deploy role makes one per app.
chroot "$root" sh -c 'pg_lsclusters -h | while read -r version name _; do
    pg_dropcluster "$version" "$name"; done'
mkdir -p "$root/etc/postgresql-common/createcluster.d"
echo "create_main_cluster = false" > "$root/etc/postgresql-common/createcluster.d/50-nocode.conf"

# What each VM makes for itself on first boot: host keys and machine id.
rm -f "$root"/etc/ssh/ssh_host_*
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname"
cat > "$root/etc/ssh/sshd_config.d/nocode.conf" <<'CONF'
# One host key, made at first boot (an RSA key takes seconds under software emulation).
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
CONF

echo "/dev/vda / ext4 defaults,errors=remount-ro 0 1" > "$root/etc/fstab"
# The address comes from libvirt's DHCP server, which leases it by the MAC address.
cat > "$root/etc/systemd/network/20-nocode.network" <<'CONF'
[Match]
Name=en* eth*

[Network]
DHCP=ipv4

[DHCPv4]
ClientIdentifier=mac
CONF
chroot "$root" systemctl enable systemd-networkd.service >/dev/null 2>&1
# Nothing waits for "network online": sshd listens on any address as soon as it starts.
chroot "$root" systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1

install -m 0755 /dev/stdin "$root/usr/local/sbin/nocode-boot" <<'SCRIPT'
#!/bin/sh
# Every boot, before sshd: grow the root file system to its disk, make the host key if
# missing, and apply the config disk (/dev/vdb, ext4, read-only): the host name, root's
# authorized keys, and an apt proxy.
set -eu
resize2fs /dev/vda >/dev/null 2>&1 || echo "nocode-boot: resize2fs /dev/vda failed" >&2
[ -e /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
if [ -b /dev/vdb ]; then
    mkdir -p /run/nocode-config
    mount -o ro /dev/vdb /run/nocode-config
    config=/run/nocode-config
    if [ -s "$config/hostname" ]; then
        cp "$config/hostname" /etc/hostname
        hostname "$(cat /etc/hostname)"
        printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
            "$(cat /etc/hostname)" > /etc/hosts
    fi
    install -d -m 0700 /root/.ssh
    install -m 0600 "$config/authorized_keys" /root/.ssh/authorized_keys
    if [ -s "$config/apt-proxy" ]; then
        printf 'Acquire::http::Proxy "%s";\n' "$(cat "$config/apt-proxy")" \
            > /etc/apt/apt.conf.d/01nocode-proxy
    fi
    umount /run/nocode-config
fi
SCRIPT
cat > "$root/etc/systemd/system/nocode-boot.service" <<'UNIT'
[Unit]
Description=nocode: grow the root file system, host key, config disk
DefaultDependencies=no
After=local-fs.target
Before=ssh.service systemd-networkd.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/nocode-boot

[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable nocode-boot.service >/dev/null 2>&1

# The package lists stay: the deploy role's apt then needs no update for a day.
chroot "$root" apt-get clean
rm -rf "$root"/tmp/* "$root"/var/log/*.log

cp "$root"/boot/vmlinuz-* "$work/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/initrd"
mke2fs -q -t ext4 -L nocode-root -d "$root" "$work/root.raw" "${size_gb}G"
qemu-img convert -f raw -O qcow2 "$work/root.raw" "$work/image.qcow2"
chmod 0644 "$work/vmlinuz" "$work/initrd" "$work/image.qcow2"
mv "$work/vmlinuz" "$target.vmlinuz"
mv "$work/initrd" "$target.initrd"
mv "$work/image.qcow2" "$target"
