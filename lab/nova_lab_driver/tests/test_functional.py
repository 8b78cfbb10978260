# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The driver under nova's own functional test harness: real nova-api,
conductor, scheduler and nova-compute managers, placement, a database;
neutron and glance faked by nova's fixtures. Needs nova's test extras:
pip install oslotest wsgi-intercept openstack-placement."""

import os
import sys
import time
import uuid

import pytest

pytest.importorskip('oslotest')
pytest.importorskip('wsgi_intercept')
pytest.importorskip('placement')

import fixtures  # noqa: E402

from nova import context  # noqa: E402
from nova import exception  # noqa: E402
from nova.tests.functional import integrated_helpers  # noqa: E402
from stackroll_lab_driver.driver import LabDriver  # noqa: E402

from helpers import FakeSwitch  # noqa: E402


class _LabTestBase(integrated_helpers.ProviderUsageBaseTestCase):
    compute_driver = 'stackroll_lab.LabDriver'
    # Use nova's real compute_id file, not the harness's stub.
    STUB_COMPUTE_ID = False

    def setUp(self):
        # pip puts nova's api-paste.ini in the venv, not beside nova's source
        # as the harness expects.
        self.flags(api_paste_config=os.path.join(
            sys.prefix, 'etc', 'nova', 'api-paste.ini'), group='wsgi')
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        self.flags(state_path=os.path.join(self.state, 'var-lib-nova'))
        self.flags(run_dir=os.path.join(self.state, 'run'),
                   group='lab_driver')
        os.mkdir(os.path.join(self.state, 'var-lib-nova'))
        FakeSwitch.current = FakeSwitch()
        self.useFixture(fixtures.MockPatch(
            'stackroll_lab_driver.driver.processutils.execute',
            FakeSwitch.execute))
        self.ctxt = context.get_admin_context()

    def _clear_attrs(self):
        # nova's harness deletes the test's attributes at clean-up, among
        # them the test method pytest set and deletes itself afterwards.
        pass

    def _hypervisors(self):
        return {h['hypervisor_hostname']: h['id'] for h in
                self.api.api_get('/os-hypervisors').body['hypervisors']}

    def _reboot_host(self):
        run_dir = os.path.join(self.state, 'run')
        for name in os.listdir(run_dir):
            os.unlink(os.path.join(run_dir, name))


class LabComputeTestCase(_LabTestBase):

    def test_restart_keeps_node_and_guest_and_reboot_stops_it(self):
        compute = self._start_compute('host1')
        server = self._create_server(networks='none')
        self.assertEqual('ACTIVE', server['status'])
        node = self._hypervisors()

        compute = self.restart_compute_service(
            compute, keep_hypervisor_state=False)
        self.assertIsInstance(compute.manager.driver, LabDriver)
        compute.manager._sync_power_states(self.ctxt)
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertEqual(node, self._hypervisors())

        self._reboot_host()
        compute = self.restart_compute_service(
            compute, keep_hypervisor_state=False)
        self.assertEqual(node, self._hypervisors())
        # nova's power-state sync finds the guest shut off and stops it.
        compute.manager._sync_power_states(self.ctxt)
        server = self._wait_for_state_change(server, 'SHUTOFF')

        self._start_server(server)
        self._wait_for_state_change(server, 'ACTIVE')
        self._delete_server(server)
        self.assertEqual([], compute.manager.driver.list_instance_uuids())

    def test_the_stock_fake_driver_cannot_restart(self):
        # What the driver fixes: FakeLiveMigrateDriver never writes
        # compute_id, and nova-compute refuses to start again without it.
        self.flags(compute_driver='fake.FakeLiveMigrateDriver')
        compute = self._start_compute('host1')
        error = self.assertRaises(exception.InvalidConfiguration,
                                  self.restart_compute_service, compute,
                                  keep_hypervisor_state=False)
        self.assertIn('No local node identity found', str(error))


class PerHostLabDriver(LabDriver):
    """Computes in one test process share nova's config and its node
    identity cache; give each its own files and node UUID, as its own
    state_path would on a real host."""

    def _files(self):
        return tuple(path.replace('/lab-test-host/', '/%s/' % self._host)
                     for path in super()._files())

    def get_available_resource(self, nodename):
        return dict(super().get_available_resource(nodename),
                    uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS, self._host)))

    def get_nodenames_by_uuid(self, refresh=False):
        return {str(uuid.uuid5(uuid.NAMESPACE_DNS, self._host)): self._host}


class LabLiveMigrationTestCase(_LabTestBase):
    # Node identity is per host here, and tested above.
    STUB_COMPUTE_ID = True

    def setUp(self):
        super().setUp()
        self.flags(state_dir=os.path.join(self.state, 'lab-test-host', 'lib'),
                   run_dir=os.path.join(self.state, 'lab-test-host', 'run'),
                   group='lab_driver')
        self.useFixture(fixtures.MockPatch(
            'nova.virt.stackroll_lab.LabDriver', PerHostLabDriver))

    def _migration(self, server, status, timeout=20):
        for _ in range(timeout * 10):
            for migration in self.api.get_migrations():
                if (migration['instance_uuid'] == server['id'] and
                        migration['status'] == status):
                    return migration
            time.sleep(0.1)
        self.fail('no %s migration of %s' % (status, server['id']))

    def test_live_migration_moves_the_guest(self):
        computes = {h: self._start_compute(h) for h in ('host1', 'host2')}
        server = self._create_server(networks='none', host='host1')
        self._wait_for_state_change(server, 'ACTIVE')

        # The fake copies memory for 5 s, unless told to complete.
        started = time.monotonic()
        self.api.post_server_action(
            server['id'], {'os-migrateLive': {'host': 'host2',
                                              'block_migration': 'auto'}})
        self._migration(server, 'completed')
        self.assertGreater(time.monotonic() - started, 5)
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual('host2', server['OS-EXT-SRV-ATTR:host'])
        drivers = {h: c.manager.driver for h, c in computes.items()}
        self.assertEqual([], drivers['host1'].list_instance_uuids())
        self.assertEqual([server['id']],
                         drivers['host2'].list_instance_uuids())

        # And back, forced to complete, after both nova-computes restarted.
        for host in computes:
            computes[host] = self.restart_compute_service(
                computes[host], keep_hypervisor_state=False)
        started = time.monotonic()
        self.api.post_server_action(
            server['id'], {'os-migrateLive': {'host': 'host1',
                                              'block_migration': 'auto'}})
        migration = self._migration(server, 'running')
        self.api.force_complete_migration(server['id'], migration['id'])
        self._migration(server, 'completed')
        self.assertLess(time.monotonic() - started, 5)
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual('host1', server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual(
            [server['id']],
            computes['host1'].manager.driver.list_instance_uuids())
