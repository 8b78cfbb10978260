# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The lab's honest fake hypervisor.

nova's FakeLiveMigrateDriver, changed where a lab built on it would lie:

* The node keeps one UUID for the life of the host, read from nova's own
  ``$state_path/compute_id`` as on a libvirt compute. The fake makes up a new
  one in every process, and never writes compute_id, so a restarted
  nova-compute is refused ("No local node identity found").
* Guests outlive a nova-compute restart but not a host reboot. Their
  definitions are kept under ``$state_path`` (like libvirt's domain XML);
  which of them run is kept under /run, a tmpfs that a reboot empties. After a
  reboot nova finds its guests shut off and stops them, as with libvirt.
* Each VIF of a running guest is an OVS internal port on br-int, named and
  tagged like os-vif's, so OVN binds it, neutron reports it ACTIVE and sends
  nova real network-vif-plugged events, which spawn waits for.
* Force-complete and abort act on one live migration, not on every migration
  running on the host.
"""

import json
import os
import threading
import time

from oslo_concurrency import processutils
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import excutils

from nova.compute import power_state
import nova.conf
from nova import exception
from nova.network import model as network_model
from nova.virt import fake
import nova.virt.node

try:
    _VIF_TIMEOUT = exception.InstanceEventTimeout
except AttributeError:  # nova 2025.1 and older time out with eventlet
    import eventlet.timeout
    _VIF_TIMEOUT = eventlet.timeout.Timeout

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

lab_driver_opts = [
    cfg.StrOpt('run_dir', default='/run/nova-lab-driver',
               help='Where the running guests are recorded. It must be on '
                    'a tmpfs that a host reboot empties, exist at boot, be '
                    'writable by nova-compute and survive its restarts.'),
    cfg.StrOpt('state_dir',
               help='Where the guest definitions are kept across reboots. '
                    'Defaults to $state_path/lab-driver.'),
    cfg.BoolOpt('plug_vifs', default=True,
                help='Plug each VIF of a running guest as an OVS internal '
                     'port. Turn it off only on a compute without OVS: '
                     'neutron ports then never go ACTIVE.'),
    cfg.StrOpt('ovsdb_connection',
               help='ovs-vsctl --db, e.g. tcp:127.0.0.1:6640, for a '
                    'nova-compute that may not use OVS\'s root-only unix '
                    'socket. Default: ovs-vsctl\'s own.'),
]
CONF.register_opts(lab_driver_opts, group='lab_driver')


def list_opts():
    return [('lab_driver', lab_driver_opts)]


def _ports(network_info):
    """What plugging and unplugging a VIF needs, fit for a JSON file."""
    return [{'id': vif['id'],
             'address': vif['address'],
             'devname': (vif.get('devname') or
                         ('tap' + vif['id'])[:network_model.NIC_NAME_LEN]),
             'bridge': ((vif.get('network') or {}).get('bridge') or
                        CONF.neutron.ovs_bridge)}
            for vif in network_info or []]


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def _write_json(path, data):
    # Readers, and a nova-compute killed mid-write, see the old file or the
    # new one, never half of one.
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


class LabDriver(fake.FakeLiveMigrateDriver):

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only)
        self._ports = {}        # instance uuid -> _ports() of its VIFs
        self._usage = {}        # instance uuid -> [vcpus, memory_mb, root_gb]
        self._migrations = {}   # instance uuid -> flags of its live migration
        self._save_lock = threading.Lock()

    # The host and its node

    def init_host(self, host):
        super().init_host(host)
        # One node named after the host, as libvirt reports it (the fake
        # calls a host named "compute" "fake-mini").
        self._set_nodes([host])
        self._defined_file, self._running_file = self._files()
        self._load()

    def get_available_resource(self, nodename):
        resources = super().get_available_resource(nodename)
        if resources:
            resources['uuid'] = nova.virt.node.get_local_node_uuid()
        return resources

    def get_nodenames_by_uuid(self, refresh=False):
        return {nova.virt.node.get_local_node_uuid():
                self.get_available_nodes()[0]}

    # Guests kept on disk and in /run

    def _files(self):
        state_dir = (CONF.lab_driver.state_dir or
                     os.path.join(CONF.state_path, 'lab-driver'))
        return (os.path.join(state_dir, 'guests.json'),
                os.path.join(CONF.lab_driver.run_dir, 'running.json'))

    def _load(self):
        defined_file, running_file = self._defined_file, self._running_file
        os.makedirs(os.path.dirname(defined_file), exist_ok=True)
        os.makedirs(os.path.dirname(running_file), exist_ok=True)
        rebooted = not os.path.exists(running_file)
        running = _read_json(running_file)
        for uuid, guest in _read_json(defined_file).items():
            state = running.get(uuid, power_state.SHUTDOWN)
            self.instances[uuid] = fake.FakeInstance(guest['name'], state,
                                                     uuid)
            self._ports[uuid] = guest['ports']
            self._usage[uuid] = guest['usage']
            self.resources.claim(*guest['usage'])
            self._interfaces.update((p['id'], p) for p in guest['ports'])
            if rebooted:
                # The reboot took the guests' taps; OVS kept their ports.
                self._unplug(guest['ports'])
        LOG.info('Found %d guests, %d running, in %s and %s',
                 len(self.instances), len(running), defined_file,
                 running_file)
        self._save()

    def _save(self):
        with self._save_lock:
            guests = dict(self.instances)
            _write_json(self._defined_file, {
                uuid: {'name': guest.name,
                       'ports': self._ports.get(uuid, []),
                       'usage': self._usage.get(uuid, [0, 0, 0])}
                for uuid, guest in guests.items()})
            _write_json(self._running_file, {
                uuid: guest.state for uuid, guest in guests.items()
                if guest.state != power_state.SHUTDOWN})

    def _settle(self, uuid):
        """Give a guest's VIFs OVS ports while it runs, none otherwise, and
        record it."""
        guest = self.instances.get(uuid)
        if guest is not None and guest.state == power_state.RUNNING:
            self._plug(uuid)
        else:
            self._unplug(self._ports.get(uuid, []))
        self._save()

    # OVS ports

    def _vsctl(self, *args):
        db = CONF.lab_driver.ovsdb_connection
        processutils.execute('ovs-vsctl', *(['--db=' + db] if db else []),
                             '--timeout=10', *args)

    def _plug(self, uuid):
        if not CONF.lab_driver.plug_vifs:
            return
        for port in self._ports.get(uuid, []):
            dev = port['devname']
            # The external_ids are os-vif's: ovn-controller binds the logical
            # port named by iface-id.
            self._vsctl('--', '--may-exist', 'add-port', port['bridge'], dev,
                        '--', 'set', 'Interface', dev, 'type=internal',
                        'mac="%s"' % port['address'],
                        'external_ids:iface-id=%s' % port['id'],
                        'external_ids:iface-status=active',
                        'external_ids:attached-mac="%s"' % port['address'],
                        'external_ids:vm-uuid=%s' % uuid)

    def _unplug(self, ports):
        if not CONF.lab_driver.plug_vifs:
            return
        for port in ports:
            self._vsctl('--if-exists', 'del-port', port['devname'])

    def _vif_plug_failed(self, event_name, instance):
        LOG.error('Neutron reported failure on event %s', event_name,
                  instance=instance)
        if CONF.vif_plugging_is_fatal:
            raise exception.VirtualInterfaceCreateException()

    def plug_vifs(self, instance, network_info):
        # nova calls this for every instance of the host when it starts.
        if instance.uuid in self.instances:
            self._ports[instance.uuid] = _ports(network_info)
            self._settle(instance.uuid)

    def unplug_vifs(self, instance, network_info):
        self._unplug(_ports(network_info))

    # Guest life cycle

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        # As libvirt does: expect network-vif-plugged for each port neutron
        # has not reported active, plug, then wait, so that
        # vif_plugging_timeout and vif_plugging_is_fatal mean what they say.
        events = []
        if (CONF.lab_driver.plug_vifs and power_on and
                CONF.vif_plugging_timeout):
            events = [('network-vif-plugged', vif['id'])
                      for vif in network_info or []
                      if vif.get('active', True) is False]
        try:
            with self.virtapi.wait_for_instance_event(
                    instance, events, CONF.vif_plugging_timeout,
                    self._vif_plug_failed):
                super().spawn(context, instance, image_meta, injected_files,
                              admin_password, allocations, network_info,
                              block_device_info, power_on, accel_info)
                flavor = instance.flavor
                self._usage[instance.uuid] = [flavor.vcpus, flavor.memory_mb,
                                              flavor.root_gb]
                # Moves spawn with no network_info; they set the ports.
                if network_info is not None:
                    self._ports[instance.uuid] = _ports(network_info)
                self._settle(instance.uuid)
        except _VIF_TIMEOUT:
            if CONF.vif_plugging_is_fatal:
                self.destroy(context, instance, network_info)
                raise exception.VirtualInterfaceCreateException()
        except Exception:
            with excutils.save_and_reraise_exception():
                self.destroy(context, instance, network_info)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        super().destroy(context, instance, network_info, block_device_info,
                        destroy_disks, destroy_secrets)
        # Live migration's source destroys with no network_info.
        ports = self._ports.pop(instance.uuid, None) or _ports(network_info)
        self._unplug(ports)
        for port in ports:
            self._interfaces.pop(port['id'], None)
        self._usage.pop(instance.uuid, None)
        self._save()

    def power_off(self, instance, *args, **kwargs):
        super().power_off(instance, *args, **kwargs)
        self._settle(instance.uuid)

    def power_on(self, context, instance, *args, **kwargs):
        super().power_on(context, instance, *args, **kwargs)
        self._settle(instance.uuid)

    def reboot(self, context, instance, network_info, *args, **kwargs):
        # As libvirt: the guest comes back with the VIFs nova has now.
        if network_info is not None:
            self._ports[instance.uuid] = _ports(network_info)
        super().reboot(context, instance, network_info, *args, **kwargs)

    def resume_state_on_host_boot(self, context, instance, network_info,
                                  share_info, block_device_info=None):
        # As libvirt: a hard reboot brings the guest back.
        self.reboot(context, instance, network_info, 'hard',
                    block_device_info)

    def finish_migration(self, context, migration, instance, disk_info,
                         network_info, *args, **kwargs):
        self._ports[instance.uuid] = _ports(network_info)
        super().finish_migration(context, migration, instance, disk_info,
                                 network_info, *args, **kwargs)

    def finish_revert_migration(self, context, instance, network_info,
                                *args, **kwargs):
        super().finish_revert_migration(context, instance, network_info,
                                        *args, **kwargs)
        self._ports[instance.uuid] = _ports(network_info)
        self._settle(instance.uuid)

    def attach_interface(self, context, instance, image_meta, vif):
        super().attach_interface(context, instance, image_meta, vif)
        self._ports.setdefault(instance.uuid, []).extend(_ports([vif]))
        self._settle(instance.uuid)

    def detach_interface(self, context, instance, vif):
        super().detach_interface(context, instance, vif)
        ports = self._ports.get(instance.uuid, [])
        self._unplug([p for p in ports if p['id'] == vif['id']])
        self._ports[instance.uuid] = [p for p in ports if p['id'] != vif['id']]
        self._save()

    # Live migration

    def pre_live_migration(self, context, instance, block_device_info,
                           network_info, disk_info, migrate_data):
        # The destination plugs before the memory copy, as libvirt's does:
        # OVN then binds the port here too and neutron tells the source's
        # nova, which waits for network-vif-plugged before it migrates.
        self._ports[instance.uuid] = _ports(network_info)
        self._plug(instance.uuid)
        return super().pre_live_migration(context, instance,
                                          block_device_info, network_info,
                                          disk_info, migrate_data)

    def post_live_migration_at_destination(self, context, instance,
                                           network_info, *args, **kwargs):
        self._ports[instance.uuid] = _ports(network_info)
        super().post_live_migration_at_destination(context, instance,
                                                   network_info, *args,
                                                   **kwargs)

    def rollback_live_migration_at_destination(self, context, instance,
                                               network_info, *args, **kwargs):
        # The guest still runs on the source; take back what
        # pre_live_migration plugged here.
        if instance.uuid not in self.instances:
            self._unplug(self._ports.pop(instance.uuid, None) or
                         _ports(network_info))

    def live_migration(self, context, instance, dest, post_method,
                       recover_method, block_migration=False,
                       migrate_data=None):
        # As FakeLiveMigrateDriver: copy memory for 5 s unless forced to
        # complete or aborted; but per instance, since the lab runs several
        # migrations at once.
        flags = self._migrations[instance.uuid] = {'done': False,
                                                   'abort': False}
        try:
            for _ in range(50):
                if flags['done']:
                    break
                time.sleep(0.1)
        finally:
            del self._migrations[instance.uuid]
        if flags['abort']:
            recover_method(context, instance, dest, migrate_data,
                           migration_status='cancelled')
        else:
            post_method(context, instance, dest, block_migration,
                        migrate_data)

    def live_migration_force_complete(self, instance):
        self._migrations.get(instance.uuid, {})['done'] = True

    def live_migration_abort(self, instance):
        self._migrations.get(instance.uuid, {}).update(done=True, abort=True)
