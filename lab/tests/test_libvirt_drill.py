# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The pure parts of lab/libvirt_drill.py: the guest's console line, and
the hosts a guest is migrated to in turn."""
import importlib.util
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location('libvirt_drill', os.path.join(HERE, '..', 'libvirt_drill.py'))
drill = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(drill)


def test_the_last_up_line_of_the_console_wins():
    console = ('[    0.000000] Linux version 6.1\nstackroll-guest: up 192.168.77.5 boot_id=0b5c-11\n'
               'noise\nstackroll-guest: up 192.168.77.9 boot_id=aa-bb\n')
    assert drill.guest_up(console) == {'address': '192.168.77.9', 'boot_id': 'aa-bb'}
    assert drill.guest_up('booting...') is None
    assert drill.guest_up(None) is None


@pytest.mark.parametrize('current, expected', [('cmp1', 'cmp2'), ('cmp2', 'cmp3'), ('cmp3', 'cmp1'), ('ctl1', 'cmp1')])
def test_the_guest_goes_to_the_next_host_in_turn(current, expected):
    assert drill.next_host(current, ['cmp1', 'cmp2', 'cmp3']) == expected


def test_a_service_reported_after_a_time():
    since = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    assert drill.reported_after('up', '2023-11-14T22:13:21.000000', since)
    assert not drill.reported_after('up', '2023-11-14T22:13:19.500000', since)
    assert not drill.reported_after('down', '2023-11-14T22:13:21.000000', since)
    assert not drill.reported_after('up', None, since)
    assert not drill.reported_after('up', '2023-11-14T23:13:19+01:00', since)


def test_the_fixed_ipv4_address_from_the_compute_api():
    class Server:
        addresses = {'drill-net': [
            {'version': 6, 'addr': 'fd00::5', 'OS-EXT-IPS:type': 'fixed'},
            {'version': 4, 'addr': '203.0.113.7', 'OS-EXT-IPS:type': 'floating'},
            {'version': 4, 'addr': '192.168.77.5', 'OS-EXT-IPS:type': 'fixed'}]}
    assert drill.fixed_address(Server) == '192.168.77.5'
    Server.addresses = None
    assert drill.fixed_address(Server) is None
