# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The driver's ovs-vsctl commands against a real ovsdb-server, when Open
vSwitch is installed (ovsdb-server and ovs-vsctl on PATH). No ovs-vswitchd
runs, so no network device is made."""

import os
import pathlib
import shutil
import subprocess
import time

import pytest

from helpers import make_instance, make_network_info, spawn

pytestmark = pytest.mark.real_ovs

OVSDB_SERVER = shutil.which('ovsdb-server',
                            path=os.environ['PATH'] + ':/usr/sbin')
OVS_VSCTL = shutil.which('ovs-vsctl')


@pytest.fixture
def ovsdb(tmp_path, monkeypatch, flags):
    if not (OVSDB_SERVER and OVS_VSCTL):
        pytest.skip('Open vSwitch is not installed')
    schema = (pathlib.Path(OVSDB_SERVER).parent.parent / 'share' /
              'openvswitch' / 'vswitch.ovsschema')
    db, sock = tmp_path / 'conf.db', tmp_path / 'db.sock'
    subprocess.run(['ovsdb-tool', 'create', str(db), str(schema)],
                   check=True)
    server = subprocess.Popen([
        OVSDB_SERVER, str(db), '--remote=punix:%s' % sock,
        '--unixctl=%s' % (tmp_path / 'ovsdb.ctl'),
        '--log-file=%s' % (tmp_path / 'ovsdb.log'), '--no-chdir'])
    while not sock.exists():
        time.sleep(0.05)
    # With no ovs-vswitchd, ovs-vsctl must not wait for it.
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'ovs-vsctl').write_text(
        '#!/bin/sh\nexec %s --no-wait "$@"\n' % OVS_VSCTL)
    (bin_dir / 'ovs-vsctl').chmod(0o755)
    monkeypatch.setenv('PATH', '%s:%s' % (bin_dir, os.environ['PATH']))
    flags(group='lab_driver', ovsdb_connection='unix:%s' % sock)

    def vsctl(*args):
        return subprocess.run(
            [OVS_VSCTL, '--no-wait', '--db=unix:%s' % sock, *args],
            check=True, capture_output=True, text=True).stdout.strip()
    vsctl('add-br', 'br-int')
    yield vsctl
    server.terminate()
    server.wait()


def test_ports_in_a_real_ovsdb(host, ovsdb):
    compute = host.start_compute()
    instance = make_instance()
    vif = make_network_info()[0]
    dev = vif['devname']
    spawn(compute, instance, [vif])
    spawn(compute, instance, [vif])     # plugging twice is harmless

    assert ovsdb('list-ports', 'br-int') == dev
    assert ovsdb('get', 'Interface', dev, 'type') == 'internal'
    assert ovsdb('get', 'Interface', dev, 'mac') == '"%s"' % vif['address']
    assert ovsdb('get', 'Interface', dev, 'external_ids') == (
        '{attached-mac="%s", iface-id="%s", iface-status=active, '
        'vm-uuid="%s"}' % (vif['address'], vif['id'], instance.uuid))

    compute.destroy(None, instance, None)
    compute.destroy(None, instance, [vif])  # so is unplugging twice
    assert ovsdb('list-ports', 'br-int') == ''
