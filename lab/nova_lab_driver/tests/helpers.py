# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A compute host in a test: nova's real objects, a fake ovs-vsctl."""

import shlex

from oslo_utils import uuidutils

from nova import objects
from nova.network import model as network_model
from nova.virt import fake
import nova.virt.node
from stackroll_lab_driver import driver as lab


class FakeSwitch:
    """Just enough of ovs-vsctl for the commands the driver runs."""

    def __init__(self):
        self.ports = {}     # port name -> {column or external_ids key: value}
        self.calls = []

    def execute(self, *cmd, **kwargs):
        assert cmd[0] == 'ovs-vsctl', cmd
        self.calls.append(cmd)
        args = [a for a in cmd[1:] if not a.startswith('--db=')]
        assert args[0] == '--timeout=10', cmd
        if args[1:3] == ['--if-exists', 'del-port']:
            self.ports.pop(args[3], None)
        elif args[1:4] == ['--', '--may-exist', 'add-port']:
            bridge, name = args[4], args[5]
            assert args[6:9] == ['--', 'set', 'Interface'] and args[9] == name
            port = self.ports.setdefault(name, {'bridge': bridge})
            for setting in args[10:]:
                key, value = setting.split('=', 1)
                port[key.replace('external_ids:', '')] = shlex.split(value)[0]
        else:
            raise AssertionError('unexpected ovs-vsctl call %s' % (cmd,))
        return '', ''


def start_compute(hostname='compute1', virtapi=None):
    """A fresh nova-compute process on the current host: a new driver, and
    nova's process-wide node identity cache forgotten."""
    nova.virt.node.LOCAL_NODE_UUID = None
    driver = lab.LabDriver(virtapi or fake.FakeVirtAPI())
    driver.init_host(hostname)
    return driver


def reboot_host(host):
    """What a reboot does to the host's files: /run is a tmpfs."""
    for f in (host / 'run').iterdir():
        f.unlink()


_ids = iter(range(1, 1000))


def make_instance(vcpus=1, memory_mb=512, root_gb=1):
    return objects.Instance(
        id=next(_ids), uuid=uuidutils.generate_uuid(),
        vm_state='building', task_state=None,
        flavor=objects.Flavor(vcpus=vcpus, memory_mb=memory_mb,
                              root_gb=root_gb))


def make_network_info(count=1, active=False):
    vifs = []
    for _ in range(count):
        port_id = uuidutils.generate_uuid()
        vifs.append(network_model.VIF(
            id=port_id, address='fa:16:3e:00:00:%02x' % len(vifs),
            type=network_model.VIF_TYPE_OVS,
            devname=('tap' + port_id)[:network_model.NIC_NAME_LEN],
            network=network_model.Network(id=uuidutils.generate_uuid(),
                                          bridge='br-int', subnets=[]),
            active=active))
    return network_model.NetworkInfo(vifs)


def spawn(driver, instance, network_info=None, power_on=True):
    driver.spawn(None, instance, None, [], None, {},
                 network_info=network_info, power_on=power_on)
