# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Guests survive a nova-compute restart, stop at a host reboot, and their
ports follow them."""

import json
import pytest

from nova.compute import power_state
from nova import exception

from helpers import make_instance, make_network_info, spawn


def test_guests_survive_a_nova_compute_restart(host):
    compute = host.start_compute()
    running, stopped = make_instance(), make_instance()
    network_info = make_network_info()
    spawn(compute, running, network_info)
    spawn(compute, stopped, power_on=False)
    ports = dict(host.switch.ports)

    restarted = host.start_compute()
    assert sorted(restarted.list_instance_uuids()) == sorted(
        [running.uuid, stopped.uuid])
    assert running.name in restarted.list_instances()
    assert restarted.instance_exists(running)
    assert restarted.get_info(running).state == power_state.RUNNING
    assert restarted.get_info(stopped).state == power_state.SHUTDOWN
    # The restart leaves the running guest's network alone.
    assert host.switch.ports == ports
    assert list(ports) == [network_info[0]['devname']]
    # ... and nova's plug_vifs at start-up changes nothing either.
    restarted.plug_vifs(running, network_info)
    assert host.switch.ports == ports


def test_a_host_reboot_stops_the_guests(host):
    compute = host.start_compute()
    instance = make_instance()
    spawn(compute, instance, make_network_info())
    assert host.switch.ports

    host.reboot()
    rebooted = host.start_compute()
    # The guest is still defined, as a libvirt domain would be, but no longer
    # runs: nova's power-state sync will stop the server.
    assert rebooted.list_instance_uuids() == [instance.uuid]
    assert rebooted.get_info(instance).state == power_state.SHUTDOWN
    # Its tap died with the host, so OVN must not keep its port bound.
    assert host.switch.ports == {}

    rebooted.power_on(None, instance, None)
    assert rebooted.get_info(instance).state == power_state.RUNNING
    assert host.switch.ports


def test_a_host_rebooted_twice_stays_rebooted(host):
    compute = host.start_compute()
    spawn(compute, make_instance())
    host.reboot()
    host.start_compute()
    # The first start after the reboot recorded that nothing runs.
    restarted = host.start_compute()
    assert all(g.state == power_state.SHUTDOWN
               for g in restarted.instances.values())


def test_a_host_with_no_state_left_has_no_guests(host):
    compute = host.start_compute()
    spawn(compute, make_instance())
    host.reboot()
    for f in (host.state_path / 'lab-driver').iterdir():
        f.unlink()
    assert host.start_compute().list_instance_uuids() == []


def test_the_state_files_are_written_whole(host):
    compute = host.start_compute()
    instance = make_instance(vcpus=2, memory_mb=1024, root_gb=10)
    network_info = make_network_info(2)
    spawn(compute, instance, network_info)

    defined = json.loads(
        (host.state_path / 'lab-driver' / 'guests.json').read_text())
    running = json.loads((host.run_dir / 'running.json').read_text())
    assert defined[instance.uuid]['name'] == instance.name
    assert defined[instance.uuid]['usage'] == [2, 1024, 10]
    assert [p['id'] for p in defined[instance.uuid]['ports']] == \
        [vif['id'] for vif in network_info]
    assert running == {instance.uuid: power_state.RUNNING}
    leftovers = [f.name for f in host.run_dir.iterdir()] + [
        f.name for f in (host.state_path / 'lab-driver').iterdir()]
    assert sorted(leftovers) == ['guests.json', 'running.json']


def test_resources_are_claimed_again_after_a_restart(host):
    compute = host.start_compute()
    instance = make_instance(vcpus=4, memory_mb=2048, root_gb=20)
    spawn(compute, instance)
    restarted = host.start_compute()
    assert restarted.get_available_resource('compute1')['vcpus_used'] == 4
    restarted.destroy(None, instance, None)
    assert restarted.get_available_resource('compute1')['vcpus_used'] == 0


def test_destroy_forgets_the_guest_and_unplugs(host):
    compute = host.start_compute()
    instance = make_instance()
    spawn(compute, instance, make_network_info(2))
    assert len(host.switch.ports) == 2

    compute.destroy(None, instance, None)
    assert host.switch.ports == {}
    assert host.start_compute().list_instance_uuids() == []


def test_power_off_unplugs_and_power_on_plugs(host):
    compute = host.start_compute()
    instance = make_instance()
    spawn(compute, instance, make_network_info())
    compute.power_off(instance)
    assert host.switch.ports == {}
    restarted = host.start_compute()
    assert restarted.get_info(instance).state == power_state.SHUTDOWN

    compute = host.start_compute()
    compute.reboot(None, instance, None, 'SOFT')
    assert compute.get_info(instance).state == power_state.RUNNING
    assert len(host.switch.ports) == 1


def test_interfaces_attach_and_detach_across_restarts(host):
    compute = host.start_compute()
    instance = make_instance()
    spawn(compute, instance, make_network_info())
    extra = make_network_info()[0]
    compute.attach_interface(None, instance, None, extra)
    assert extra['devname'] in host.switch.ports

    restarted = host.start_compute()
    restarted.detach_interface(None, instance, extra)
    assert extra['devname'] not in host.switch.ports
    assert len(host.switch.ports) == 1
    with pytest.raises(exception.InterfaceDetachFailed):
        host.start_compute().detach_interface(None, instance, extra)


def test_resume_state_on_host_boot_starts_the_guest(host):
    compute = host.start_compute()
    instance = make_instance()
    network_info = make_network_info()
    spawn(compute, instance, network_info)
    host.reboot()
    rebooted = host.start_compute()
    rebooted.resume_state_on_host_boot(None, instance, network_info, None)
    assert rebooted.get_info(instance).state == power_state.RUNNING
    assert list(host.switch.ports) == [network_info[0]['devname']]


def test_a_hard_reboot_plugs_the_vifs_nova_has_now(host):
    compute = host.start_compute()
    instance = make_instance()
    old, new = make_network_info(), make_network_info()
    spawn(compute, instance, old)
    compute.power_off(instance)
    compute.reboot(None, instance, new, 'HARD')
    assert list(host.switch.ports) == [new[0]['devname']]
