# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""nova finds the driver, and each node keeps one UUID."""

import uuid

import pytest

from nova.virt import driver as virt_driver
from nova.virt import fake
from stackroll_lab_driver.driver import LabDriver

from helpers import Host


def test_nova_loads_the_driver_by_its_alias():
    loaded = virt_driver.load_compute_driver(fake.FakeVirtAPI(),
                                             'stackroll_lab.LabDriver')
    assert type(loaded) is LabDriver
    assert isinstance(loaded, fake.FakeLiveMigrateDriver)


def test_nova_cannot_load_a_path_outside_nova_virt():
    # Why the package ships the alias: nova prefixes "nova.virt.".
    with pytest.raises(SystemExit):
        virt_driver.load_compute_driver(
            fake.FakeVirtAPI(), 'stackroll_lab_driver.driver.LabDriver')


def test_node_uuid_is_kept_across_restarts(host):
    first = host.start_compute()
    node_uuid = first.get_available_resource('compute1')['uuid']
    uuid.UUID(node_uuid)

    second = host.start_compute()
    assert second.get_available_resource('compute1')['uuid'] == node_uuid
    assert second.get_nodenames_by_uuid() == {node_uuid: 'compute1'}
    # nova's own identity file, which nova-compute insists on after its
    # first start.
    compute_id = host.state_path / 'compute_id'
    assert compute_id.read_text().strip() == node_uuid


def test_each_host_has_its_own_node_uuid(hosts):
    one, other = hosts
    ids = [h.start_compute().get_nodenames_by_uuid() for h in hosts]
    assert [list(i.values()) for i in ids] == [['compute1'], ['compute2']]
    assert set(ids[0]).isdisjoint(ids[1])


def test_the_node_is_named_after_the_host(tmp_path):
    # The stock fake names the node of a host called "compute" "fake-mini".
    compute = Host(tmp_path, 'compute').start_compute()
    assert compute.get_available_nodes() == ['compute']
    assert compute.get_available_resource('compute')['hypervisor_hostname'] \
        == 'compute'
    assert compute.get_available_resource('fake-mini') == {}
