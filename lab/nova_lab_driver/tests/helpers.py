# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Compute hosts in one test process: nova's real objects and config, and
ovs-vsctl faked by a small in-memory switch per host."""

import contextlib
import shlex

from oslo_utils import uuidutils

import nova.conf
from nova import objects
from nova.network import model as network_model
from nova.virt import fake
import nova.virt.node
from stackroll_lab_driver import driver as lab

CONF = nova.conf.CONF


class FakeSwitch:
    """Just enough of ovs-vsctl for the commands the driver runs."""

    current = None      # the switch of the host whose code is running

    def __init__(self):
        self.ports = {}     # port name -> {column or external_ids key: value}
        self.calls = []

    @classmethod
    def execute(cls, *cmd, **kwargs):
        return cls.current._execute(*cmd)

    def _execute(self, *cmd):
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


class Host:
    """A compute host: its state_path (kept across reboots), its /run (which
    a reboot empties) and its Open vSwitch."""

    def __init__(self, root, name):
        self.name = name
        self.state_path = root / name / 'var-lib-nova'
        self.run_dir = root / name / 'run'
        self.state_path.mkdir(parents=True)
        self.switch = FakeSwitch()

    @contextlib.contextmanager
    def active(self):
        """Run as this host: its config, its switch."""
        CONF.set_override('state_path', str(self.state_path))
        CONF.set_override('run_dir', str(self.run_dir), 'lab_driver')
        FakeSwitch.current = self.switch
        yield self

    def start_compute(self, virtapi=None):
        """A fresh nova-compute process here: a new driver, and nova's
        process-wide node identity cache forgotten."""
        with self.active():
            nova.virt.node.LOCAL_NODE_UUID = None
            driver = lab.LabDriver(virtapi or fake.FakeVirtAPI())
            driver.init_host(self.name)
            return driver

    def reboot(self):
        """What a reboot does to the host's files: /run is a tmpfs."""
        for f in self.run_dir.iterdir():
            f.unlink()


_ids = iter(range(1, 100000))


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
