#!/usr/bin/env bash
# Build the lab's host image locally: no container registry is reachable.
# A Debian 12 root with systemd as PID 1 and sshd (Ansible reaches the hosts
# as it reaches real ones), plus the Debian packages the roles install, so
# that a lab comes up without downloading them each time (the roles still
# manage them, as on a real host).
set -euo pipefail
image=${1:?usage: build.sh IMAGE}
cache=${STACKROLL_CACHE:-$HOME/.cache/stackroll}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)
# Rebuild when this script changes.
stamp=$(sha256sum "$0" | cut -c1-12)
rootfs_tar=$cache/images/bookworm-$stamp.tar

if podman image exists "$image:$stamp"; then
    podman tag "$image:$stamp" "$image:latest"
    exit 0
fi
mkdir -p "$cache/images"
if [ ! -s "$rootfs_tar" ]; then
    rootfs=$(mktemp -d "$cache/images/rootfs.XXXXXX")
    trap 'rm -rf "$rootfs"' EXIT
    packages=(
        systemd systemd-sysv dbus python3 python3-venv iproute2 iputils-ping
        sudo procps ca-certificates curl less openssh-server zstd
        mariadb-server python3-pymysql rabbitmq-server memcached
        openvswitch-switch ovn-central ovn-host
    )
    echo "debootstrap bookworm into $rootfs (a few minutes, once)"
    debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" \
        bookworm "$rootfs" "$mirror" >"$cache/images/debootstrap.log" 2>&1 ||
        { tail -20 "$cache/images/debootstrap.log"; exit 1; }
    # Services start from the roles, not from package installation.
    chroot "$rootfs" systemctl disable mariadb rabbitmq-server memcached \
        openvswitch-switch ovn-central ovn-host >/dev/null 2>&1 || true
    # Only the lab's own network: no getty on consoles, no timesyncd.
    chroot "$rootfs" systemctl mask getty@tty1 systemd-timesyncd \
        systemd-networkd-wait-online >/dev/null 2>&1 || true
    rm -f "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -cf "$rootfs_tar.part" . && mv "$rootfs_tar.part" "$rootfs_tar"
fi
podman import --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
    "$rootfs_tar" "$image:$stamp" >/dev/null
podman tag "$image:$stamp" "$image:latest"
echo "built $image:$stamp"
