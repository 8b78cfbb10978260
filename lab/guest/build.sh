#!/usr/bin/env bash
# Build the lab's guest image from Debian packages (no image registry is
# reachable): Debian 12's cloud kernel and a busybox initramfs whose /init
# takes an address by DHCP, logs "stackroll-guest: up <ip> boot_id=<id>" on
# the serial console and serves on port 80 a JSON page with the boot id, the
# uptime and the hostname. The guest runs from the initramfs alone.
#
# Memory: at least 74 MiB (96 MiB or more for a flavor). The kernel alone
# decides it: below 68 MiB its decompressor (init_size 51.5 MiB from the
# 16 MiB load address) does not fit, and up to 72 MiB it may run out of
# memory parsing its BTF at boot. Idle under TCG it takes about 1% of a core.
#
# Output, cached under $STACKROLL_CACHE/images/guest-<stamp>/ (the stamp
# hashes this script and rootfs/; the path is the last line printed):
#   vmlinuz     linux-image-6.1.*-cloud-amd64's kernel
#   initrd.img  busybox-static, the virtio modules and rootfs/ (cpio newc, gzip)
#   disk.img    a bootable raw disk: a FAT file system (no partition table)
#               with SYSLINUX, the kernel and the initramfs
#
# Into glance as an ordinary disk image:
#   openstack image create --container-format bare --disk-format raw \
#       --file disk.img stackroll-guest
# A disk, not split-kernel images (kernel_id, ramdisk_id): a live migration
# fetches those again on its target, where nova's image safety check takes
# the kernel's legacy boot sector for an MBR with bad partitions and refuses
# it. A FAT file system is raw to that check. The kernel's console is ttyS0,
# the serial log that os-getConsoleOutput reads; quiet keeps its messages out
# of it, and out of TCG's slow serial port.
set -euo pipefail
cache=${STACKROLL_CACHE:-$HOME/.cache/stackroll}
here=$(cd "$(dirname "$0")" && pwd)
# Modules the guest loads (with their dependencies): the cloud kernel builds
# virtio as modules (see modules.builtin).
modules=(virtio_pci virtio_net virtio_blk)

# Rebuild when this script or the guest's files change.
stamp=$(cd "$here" && find build.sh rootfs -type f | LC_ALL=C sort |
    xargs sha256sum | sha256sum | cut -c1-12)
out=$cache/images/guest-$stamp
if [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] && [ -s "$out/disk.img" ]; then
    echo "$out"
    exit 0
fi
mkdir -p "$cache/images"
work=$(mktemp -d "$cache/images/guest-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# The kernel package that the meta package names, e.g. linux-image-6.1.0-57-cloud-amd64.
apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || apt-get update -qq
kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 |
    sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-cloud-amd64\)$/\1/p' | head -1)
[ -n "$kernel_pkg" ] || { echo "no Debian 12 cloud kernel (linux-image-6.1.*-cloud-amd64) in apt" >&2; exit 1; }
echo "fetching $kernel_pkg, busybox-static and the tools that make the disk" >&2
apt-get download "$kernel_pkg" busybox-static syslinux mtools dosfstools >apt.log 2>&1 || { cat apt.log >&2; exit 1; }
dpkg-deb -x linux-image-*.deb kernel
dpkg-deb -x busybox-static_*.deb busybox
for tool in syslinux mtools dosfstools; do dpkg-deb -x "$tool"_*.deb tools; done
# syslinux installs itself through mtools' commands.
export PATH=$work/tools/usr/bin:$work/tools/sbin:$PATH MTOOLS_SKIP_CHECK=1
kernel_version=${kernel_pkg#linux-image-}
busybox=$work/busybox/bin/busybox

# The initramfs: busybox, the guest's files and the modules it loads.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp} "$root/lib/modules/$kernel_version"
cp "$busybox" "$root/bin/busybox"
cp -R "$here/rootfs/." "$root/"
"$busybox" depmod -b "$work/kernel" "$kernel_version"
moddir=$work/kernel/lib/modules/$kernel_version
for module in "${modules[@]}"; do
    if grep -q "/$module\.ko$" "$moddir/modules.builtin"; then continue; fi
    # A modules.dep line: the module, then every module it needs.
    grep -E "(^|/)$module\.ko:" "$moddir/modules.dep" | tr -d : | tr ' ' '\n'
done | sort -u | while read -r path; do
    mkdir -p "$root/lib/modules/$kernel_version/$(dirname "$path")"
    cp "$moddir/$path" "$root/lib/modules/$kernel_version/$path"
done
"$busybox" depmod -b "$root" "$kernel_version"

mkdir image
cp "$work/kernel/boot/vmlinuz-$kernel_version" image/vmlinuz
(cd "$root" && find . | LC_ALL=C sort | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
    gzip -9 >image/initrd.img
# The disk: 24 MiB of FAT, SYSLINUX in its boot sector, and what it boots.
printf '%s\n' 'DEFAULT guest' 'PROMPT 0' 'TIMEOUT 0' 'LABEL guest' '  KERNEL vmlinuz' '  INITRD initrd.img' \
    '  APPEND console=ttyS0 quiet' >syslinux.cfg
mkfs.fat -C -n GUEST image/disk.img 24576 >/dev/null
syslinux --install image/disk.img
mcopy -i image/disk.img image/vmlinuz image/initrd.img syslinux.cfg ::/
rm -rf "$out" && mv image "$out"
echo "$out"
