# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Live migration in the order nova's compute managers drive it."""

import threading
import time

from nova.compute import power_state

from helpers import make_instance, make_network_info, spawn


def migrate(src, dst, instance, network_info, before_copy=lambda: None):
    """Drive both drivers as nova does; returns how the migration ended."""
    (src_host, source), (dst_host, dest) = src, dst
    outcome = {}
    with dst_host.active():
        dest.pre_live_migration(None, instance, None, network_info, None,
                                None)

    def post_method(context, instance, dest_name, block_migration, data):
        with src_host.active():
            source.post_live_migration(context, instance, None, data)
        with dst_host.active():
            dest.post_live_migration_at_destination(context, instance,
                                                    network_info)
        outcome['ended'] = 'completed'

    def recover_method(context, instance, dest_name, data,
                       migration_status=None):
        with dst_host.active():
            dest.rollback_live_migration_at_destination(
                context, instance, network_info, None)
        outcome['ended'] = migration_status

    with src_host.active():
        thread = threading.Thread(target=source.live_migration, args=(
            None, instance, dst_host.name, post_method, recover_method))
        thread.start()
        before_copy()
        thread.join(10)
    return outcome['ended']


def test_a_live_migration_moves_guest_and_port(hosts):
    src_host, dst_host = hosts
    source, dest = src_host.start_compute(), dst_host.start_compute()
    instance = make_instance()
    network_info = make_network_info()
    with src_host.active():
        spawn(source, instance, network_info)

    started = time.monotonic()
    assert migrate((src_host, source), (dst_host, dest), instance,
                   network_info) == 'completed'
    # The fake's memory copy takes its 5 s, which makes timings realistic.
    assert time.monotonic() - started >= 5
    assert source.list_instance_uuids() == []
    assert src_host.switch.ports == {}
    assert dest.get_info(instance).state == power_state.RUNNING
    assert dst_host.switch.ports[network_info[0]['devname']]['iface-id'] == \
        network_info[0]['id']
    # ... and each host remembers it that way after a restart.
    assert src_host.start_compute().list_instance_uuids() == []
    assert dst_host.start_compute().list_instance_uuids() == [instance.uuid]


def test_abort_and_force_complete_act_on_one_migration(hosts):
    src_host, dst_host = hosts
    source, dest = src_host.start_compute(), dst_host.start_compute()
    aborted, forced = make_instance(), make_instance()
    network_info = {i.uuid: make_network_info() for i in (aborted, forced)}
    with src_host.active():
        for instance in (aborted, forced):
            spawn(source, instance, network_info[instance.uuid])
    ended = {}

    def run(instance):
        ended[instance.uuid] = migrate(
            (src_host, source), (dst_host, dest), instance,
            network_info[instance.uuid])

    threads = [threading.Thread(target=run, args=(i,))
               for i in (aborted, forced)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    source.live_migration_abort(aborted)
    time.sleep(0.5)
    source.live_migration_force_complete(forced)
    for thread in threads:
        thread.join(10)

    assert ended == {aborted.uuid: 'cancelled', forced.uuid: 'completed'}
    assert time.monotonic() - started < 4
    assert source.list_instance_uuids() == [aborted.uuid]
    assert dest.list_instance_uuids() == [forced.uuid]
    # The aborted migration took back its port on the destination.
    assert list(dst_host.switch.ports) == [
        network_info[forced.uuid][0]['devname']]
    assert list(src_host.switch.ports) == [
        network_info[aborted.uuid][0]['devname']]
