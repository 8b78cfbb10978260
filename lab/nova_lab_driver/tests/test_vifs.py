# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""VIFs are OVS ports, and spawn waits for neutron's network-vif-plugged
through nova's own event machinery."""

import threading
import time
import types

import pytest

from nova.compute import manager
from nova.compute import power_state
from nova import exception
from nova import objects

from helpers import make_instance, make_network_info, spawn


def test_a_running_guest_has_an_os_vif_style_port(host):
    compute = host.start_compute()
    instance = make_instance()
    vif = make_network_info()[0]
    spawn(compute, instance, [vif])
    assert host.switch.ports == {vif['devname']: {
        'bridge': 'br-int', 'type': 'internal', 'mac': vif['address'],
        'iface-id': vif['id'], 'iface-status': 'active',
        'attached-mac': vif['address'], 'vm-uuid': instance.uuid}}


def test_plugging_is_idempotent(host):
    compute = host.start_compute()
    instance = make_instance()
    network_info = make_network_info()
    spawn(compute, instance, network_info)
    ports = dict(host.switch.ports)
    compute.plug_vifs(instance, network_info)
    compute.unplug_vifs(instance, network_info)
    compute.unplug_vifs(instance, network_info)
    assert host.switch.ports == {}
    compute.plug_vifs(instance, network_info)
    assert host.switch.ports == ports


def test_ovsdb_connection_is_passed_to_ovs_vsctl(host, flags):
    flags(group='lab_driver', ovsdb_connection='tcp:127.0.0.1:6640')
    spawn(host.start_compute(), make_instance(), make_network_info())
    assert all(call[1] == '--db=tcp:127.0.0.1:6640'
               for call in host.switch.calls)


def test_plugging_can_be_turned_off(host, flags):
    flags(group='lab_driver', plug_vifs=False)
    compute = host.start_compute()
    instance = make_instance()
    spawn(compute, instance, make_network_info())
    compute.destroy(None, instance, None)
    assert host.switch.calls == []


class Neutron:
    """Sends nova's compute manager the events neutron would, through the
    manager's own InstanceEvents and event dispatch."""

    def __init__(self):
        self.compute = types.SimpleNamespace(
            reportclient=None, instance_events=manager.InstanceEvents())
        self.virtapi = manager.ComputeVirtAPI(self.compute)

    def send(self, instance, vif, status='completed'):
        event = objects.InstanceExternalEvent(
            instance_uuid=instance.uuid, name='network-vif-plugged',
            tag=vif['id'], status=status)
        manager.ComputeManager._process_instance_event(
            self.compute, instance, event)


def spawn_in_thread(compute, instance, network_info):
    result = {}

    def run():
        try:
            spawn(compute, instance, network_info)
        except Exception as e:
            result['error'] = e
    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def wait_until(condition, timeout=5):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_spawn_waits_for_network_vif_plugged(host, flags):
    flags(vif_plugging_timeout=10)
    neutron = Neutron()
    compute = host.start_compute(neutron.virtapi)
    instance = make_instance()
    network_info = make_network_info(2)

    thread, result = spawn_in_thread(compute, instance, network_info)
    wait_until(lambda: len(host.switch.ports) == 2)
    time.sleep(0.2)
    assert thread.is_alive()            # plugged, and waiting for neutron
    neutron.send(instance, network_info[0])
    neutron.send(instance, network_info[1])
    thread.join(5)
    assert not thread.is_alive() and result == {}
    assert compute.get_info(instance).state == power_state.RUNNING


def test_ports_neutron_reports_active_are_not_waited_for(host, flags):
    flags(vif_plugging_timeout=10)
    compute = host.start_compute(Neutron().virtapi)
    started = time.monotonic()
    spawn(compute, make_instance(), make_network_info(active=True))
    assert time.monotonic() - started < 1


def test_a_vif_plugging_timeout_is_fatal_when_configured(host, flags):
    flags(vif_plugging_timeout=1, vif_plugging_is_fatal=True)
    compute = host.start_compute(Neutron().virtapi)
    instance = make_instance()
    with pytest.raises(exception.VirtualInterfaceCreateException):
        spawn(compute, instance, make_network_info())
    assert compute.list_instance_uuids() == []
    assert host.switch.ports == {}


def test_a_vif_plugging_timeout_is_not_fatal_otherwise(host, flags):
    flags(vif_plugging_timeout=1, vif_plugging_is_fatal=False)
    compute = host.start_compute(Neutron().virtapi)
    instance = make_instance()
    spawn(compute, instance, make_network_info())
    assert compute.get_info(instance).state == power_state.RUNNING
    assert len(host.switch.ports) == 1


def test_a_failed_plug_event_is_fatal(host, flags):
    flags(vif_plugging_timeout=10, vif_plugging_is_fatal=True)
    neutron = Neutron()
    compute = host.start_compute(neutron.virtapi)
    instance = make_instance()
    network_info = make_network_info()
    thread, result = spawn_in_thread(compute, instance, network_info)
    wait_until(lambda: host.switch.ports)
    neutron.send(instance, network_info[0], status='failed')
    thread.join(5)
    assert isinstance(result['error'],
                      exception.VirtualInterfaceCreateException)
    assert host.switch.ports == {}
