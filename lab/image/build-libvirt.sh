#!/usr/bin/env bash
# Build the image of a libvirt lab's computes: the lab's host image
# (build.sh) with libvirt and QEMU from Debian, installed as the nova role
# installs them (nova_libvirt_packages, with their recommends), so that a
# lab does not download and unpack them on each compute (about 3 minutes a
# lab). The role still manages them, as on a real host, and starts libvirtd
# itself: the image starts none of libvirt's services. A podman build, not
# debootstrap: debootstrap's chroot cannot configure polkitd.
set -euo pipefail
image=${1:?usage: build-libvirt.sh IMAGE (the host image; this one is IMAGE-libvirt)}
here=$(cd "$(dirname "$0")" && pwd)
# The role's own list (a one-line YAML list in its defaults), not a copy.
defaults=$here/../../roles/nova/defaults/main.yml
read -r -a packages <<< "$(sed -n 's/^nova_libvirt_packages: \[\(.*\)\]$/\1/p' "$defaults" | tr -d ,)"
[ "${#packages[@]}" -gt 0 ] || { echo "no one-line nova_libvirt_packages list in $defaults" >&2; exit 1; }
# Rebuild when this script, the host image's or the package list changes.
stamp=$( { cat "$0" "$here/build.sh"; echo "${packages[*]}"; } | sha256sum | cut -c1-12)
target=$image-libvirt

"$here/build.sh" "$image"
if podman image exists "$target:$stamp"; then
    podman tag "$target:$stamp" "$target:latest"
    exit 0
fi
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cat > "$context/Containerfile" <<EOF
FROM $image:latest
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages[*]} >/tmp/apt.log 2>&1 \
 || { tail -20 /tmp/apt.log; exit 1; }; \
 systemctl disable libvirtd.service libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket \
    virtlogd.socket virtlockd.socket libvirt-guests.service >/dev/null 2>&1; \
 rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /tmp/apt.log
EOF
echo "building $target:$stamp (apt installs ${packages[*]}, once)"
podman build -q -t "$target:$stamp" "$context" >/dev/null
podman tag "$target:$stamp" "$target:latest"
echo "built $target:$stamp"
