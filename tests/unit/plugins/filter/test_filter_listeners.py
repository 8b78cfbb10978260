# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What listens on the hosts: ss -H -ltnup read into records, and judged
against a table of what may listen where (and against the lab's own
table, tests/integration/listener_table.yml, which must be usable)."""
from __future__ import annotations

import inspect
import os
import pathlib

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import listeners as listener_filters
from ansible_collections.stackroll.lifecycle.plugins.filter.listeners import FilterModule
from ansible_collections.stackroll.lifecycle.plugins.module_utils import _listener_table as table_utils

FILTERS = FilterModule().filters()
PARSE = FILTERS['ss_listeners']
PROBLEMS = FILTERS['listener_problems']
LAB_TABLE = pathlib.Path(__file__).resolve().parents[3] / 'integration' / 'listener_table.yml'

# A process with every capability, and one with podman's default set (no CAP_SYS_PTRACE).
ROOT_STATUS = 'Name:\tcat\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n'
CONTAINER_STATUS = 'Name:\tcat\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\n'

# ss -H -ltnup on a lone controller at 10.89.42.10, as its roles leave it
# but for RabbitMQ, which listens as Debian configures a single node.
CONTROLLER = """\
tcp   LISTEN 0      4096      10.89.42.10:5000       0.0.0.0:*    users:(("gunicorn",pid=2101,fd=5),("gunicorn",pid=2100,fd=5))
tcp   LISTEN 0      4096      10.89.42.10:5000       0.0.0.0:*    users:(("gunicorn",pid=2102,fd=5))
tcp   LISTEN 0      2048   [::ffff:10.89.42.10]:8774      *:*    users:(("gunicorn: maste",pid=2300,fd=7),("gunicorn: worke",pid=2301,fd=7))
tcp   LISTEN 0      80        10.89.42.10:3306       0.0.0.0:*    users:(("mariadbd",pid=650,fd=20))
tcp   LISTEN 0      1024      10.89.42.10:11211      0.0.0.0:*    users:(("memcached",pid=700,fd=26))
tcp   LISTEN 0      10        10.89.42.10:6641       0.0.0.0:*    users:(("ovsdb-server",pid=1200,fd=21))
tcp   LISTEN 0      10        10.89.42.10:6642       0.0.0.0:*    users:(("ovsdb-server",pid=1210,fd=21))
tcp   LISTEN 0      128           0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=88,fd=3))
tcp   LISTEN 0      128              [::]:22            [::]:*    users:(("sshd",pid=88,fd=4))
tcp   LISTEN 0      4096                *:4369             *:*    users:(("epmd",pid=901,fd=3),("systemd",pid=1,fd=40))
tcp   LISTEN 0      128                 *:5672             *:*    users:(("beam.smp",pid=950,fd=71))
tcp   LISTEN 0      128           0.0.0.0:25672      0.0.0.0:*    users:(("beam.smp",pid=950,fd=18))
"""
COMPUTE = """\
tcp   LISTEN 0      128         127.0.0.1:6640       0.0.0.0:*    users:(("ovsdb-server",pid=300,fd=19))
tcp   LISTEN 0      128           0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=88,fd=3))
"""

TABLE = {
    'all': [{'process': 'sshd', 'protocol': 'tcp', 'port': 22, 'address': 'any', 'why': 'Ansible'}],
    'controllers': [
        {'process': ['gunicorn', 'gunicorn: maste', 'gunicorn: worke'], 'protocol': 'tcp', 'port': [5000, 8774],
         'address': 'management'},
        {'process': 'mariadbd', 'protocol': 'tcp', 'port': 3306, 'address': 'management'},
        {'process': 'mariadbd', 'protocol': 'tcp', 'port': 4567, 'address': 'management', 'when': ['clustered']},
        {'process': 'memcached', 'protocol': 'tcp', 'port': 11211, 'address': 'management'},
        {'process': 'ovsdb-server', 'protocol': 'tcp', 'port': '6641-6642', 'address': 'management'},
        {'process': ['epmd', 'systemd'], 'protocol': 'tcp', 'port': 4369, 'address': 'management'},
        {'process': ['epmd', 'systemd'], 'protocol': 'tcp', 'port': 4369, 'address': 'loopback'},
        {'process': 'beam.smp', 'protocol': 'tcp', 'port': 5672, 'address': 'management'},
        {'process': 'beam.smp', 'protocol': 'tcp', 'port': 25672, 'address': 'management'},
        {'process': 'haproxy', 'protocol': 'tcp', 'port': 5000, 'address': 'vip', 'when': 'vip'},
    ],
    'computes': [
        {'process': 'ovsdb-server', 'protocol': 'tcp', 'port': 6640, 'address': 'loopback'},
        {'process': 'qemu-system-x86', 'protocol': 'tcp', 'port': '49152-49215', 'address': 'management',
         'when': ['libvirt']},
        {'process': 'kernel', 'protocol': 'udp', 'port': 6081, 'address': 'any', 'when': ['kernel_datapath'],
         'why': "the kernel's geneve socket"},
    ],
}


def hostvar(address, *groups):
    return {'group_names': list(groups), 'ansible_facts': {'default_ipv4': {'address': address}}}


HOSTVARS = {
    'ctl1': hostvar('10.89.42.10', 'controllers', 'lab'),
    'ctl2': hostvar('10.89.42.202', 'controllers', 'lab'),
    'cmp1': hostvar('10.89.42.11', 'computes', 'lab', 'lab_libvirt_driver'),
    'cmp2': dict(hostvar('10.89.42.12', 'computes', 'lab'), openstack_host_address='10.89.43.12'),
}


CONDITIONS = ('clustered', 'vip', 'libvirt', 'kernel_datapath')


def problems(readings, conditions=None, vip='', table=None):
    """The filter on TABLE, every condition false but those given."""
    if conditions is None or isinstance(conditions, dict):
        conditions = dict(dict.fromkeys(CONDITIONS, False), **(conditions or {}))
    return PROBLEMS(readings, TABLE if table is None else table, HOSTVARS, conditions, vip)


def rabbitmq_free(text):
    """The controller's reading without RabbitMQ's listeners on every address."""
    return ''.join(line + '\n' for line in text.splitlines() if ':5672' not in line and ':25672' not in line
                   and ':4369' not in line)


# --- ss's lines ---------------------------------------------------------------

def test_every_line_a_record_with_its_processes():
    records = PARSE(CONTROLLER)
    assert len(records) == 12
    assert records[0] == {'protocol': 'tcp', 'local': '10.89.42.10:5000', 'address': '10.89.42.10', 'port': 5000,
                          'processes': [{'name': 'gunicorn', 'pid': 2101}, {'name': 'gunicorn', 'pid': 2100}]}
    assert [p['name'] for p in records[9]['processes']] == ['epmd', 'systemd']


@pytest.mark.parametrize('line, address, port', [
    ('tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=88,fd=3))', '0.0.0.0', 22),
    ('tcp LISTEN 0 128 [::]:22 [::]:* users:(("sshd",pid=88,fd=4))', '::', 22),
    ('tcp LISTEN 0 4096 *:4369 *:* users:(("epmd",pid=901,fd=3))', '*', 4369),
    ('tcp LISTEN 0 2048 [::ffff:10.89.42.10]:8774 *:*', '::ffff:10.89.42.10', 8774),
    ('tcp LISTEN 0 128 [2001:db8::11]:5000 [::]:*', '2001:db8::11', 5000),
    ('udp UNCONN 0 0 0.0.0.0%eth0:68 0.0.0.0:* users:(("dhclient",pid=400,fd=7))', '0.0.0.0', 68),
    ('udp UNCONN 0 0 [fe80::1%eth0]:546 [::]:*', 'fe80::1', 546),
    ('udp UNCONN 0 0 [fe80::1]%eth0:546 [::]:*', 'fe80::1', 546),
])
def test_addresses_as_ss_writes_them(line, address, port):
    record = PARSE(line)[0]
    assert (record['address'], record['port']) == (address, port)


def test_a_name_with_spaces_commas_and_brackets():
    line = 'tcp LISTEN 0 2048 10.89.42.10:9696 0.0.0.0:* users:(("gunicorn: maste",pid=5,fd=7),("a (b), c",pid=6,fd=7))'
    assert [p['name'] for p in PARSE(line)[0]['processes']] == ['gunicorn: maste', 'a (b), c']


def test_no_process_a_header_and_lines():
    text = ('Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n'
            'udp UNCONN 0 0 0.0.0.0:6081 0.0.0.0:*\n\n')
    assert PARSE(text) == [{'protocol': 'udp', 'local': '0.0.0.0:6081', 'address': '0.0.0.0', 'port': 6081,
                            'processes': []}]
    assert PARSE(COMPUTE.splitlines()) == PARSE(COMPUTE)


@pytest.mark.parametrize('text, message', [
    ('LISTEN 0 128 0.0.0.0:22 0.0.0.0:*', 'is not a line of ss -H -ltnup'),
    ('tcp LISTEN 0 128 0.0.0.0 0.0.0.0:*', 'is not an address:port'),
    ('raw UNCONN 0 0 0.0.0.0:112 0.0.0.0:*', 'is not a line of ss -H -ltnup'),
])
def test_what_is_not_ss_fails(text, message):
    with pytest.raises(AnsibleFilterError, match=message):
        PARSE(text)
    with pytest.raises(AnsibleFilterError, match='the output of ss'):
        PARSE({'stdout': text})


@pytest.mark.parametrize('status, sees', [(ROOT_STATUS, True), (CONTAINER_STATUS, False)])
def test_cap_sys_ptrace_from_the_status(status, sees):
    assert table_utils.sees_other_users(status) is sees


# --- the judge ------------------------------------------------------------------

def test_a_host_as_the_table_says_has_no_problem():
    assert problems({'ctl1': rabbitmq_free(CONTROLLER), 'cmp1': COMPUTE}) == []


def test_listeners_on_every_address_name_the_address_the_table_allows():
    assert problems({'ctl1': CONTROLLER}) == [
        'ctl1: epmd listens on tcp *:4369, every address; the table allows it on the management address'
        ' (10.89.42.10) or the loopback only',
        'ctl1: systemd listens on tcp *:4369, every address; the table allows it on the management address'
        ' (10.89.42.10) or the loopback only',
        'ctl1: beam.smp listens on tcp *:5672, every address; the table allows it on the management address'
        ' (10.89.42.10) only',
        'ctl1: beam.smp listens on tcp 0.0.0.0:25672, every address; the table allows it on the management address'
        ' (10.89.42.10) only',
    ]


def test_a_listener_the_table_does_not_know():
    text = ('tcp LISTEN 0 128 10.89.42.10:15672 0.0.0.0:* users:(("beam.smp",pid=950,fd=80))\n'
            'tcp LISTEN 0 128 10.89.42.10:3306 0.0.0.0:* users:(("nc",pid=77,fd=3))\n')
    assert problems({'ctl1': text}) == [
        'ctl1: beam.smp listens on tcp 10.89.42.10:15672, which the listener table does not allow',
        'ctl1: nc listens on tcp 10.89.42.10:3306, which the listener table does not allow'
        ' (it allows that port to mariadbd only)',
    ]


def test_another_address_than_the_tables():
    text = ('tcp LISTEN 0 1024 127.0.0.1:11211 0.0.0.0:* users:(("memcached",pid=700,fd=26))\n'
            'tcp LISTEN 0 1024 [::1]:11211 [::]:* users:(("memcached",pid=700,fd=27))\n'
            'tcp LISTEN 0 128 10.89.42.11:6640 0.0.0.0:* users:(("ovsdb-server",pid=300,fd=19))\n')
    assert problems({'ctl1': text.splitlines()[0] + '\n' + text.splitlines()[1], 'cmp1': text.splitlines()[2]}) == [
        'ctl1: memcached listens on tcp 127.0.0.1:11211; the table allows it on the management address'
        ' (10.89.42.10) only',
        'ctl1: memcached listens on tcp [::1]:11211; the table allows it on the management address (10.89.42.10) only',
        'cmp1: ovsdb-server listens on tcp 10.89.42.11:6640; the table allows it on the loopback only',
    ]


def test_the_management_address_is_the_inventorys_where_it_sets_one():
    on_route = 'tcp LISTEN 0 128 10.89.42.12:6640 0.0.0.0:* users:(("ovsdb-server",pid=3,fd=1))'
    qemu = 'tcp LISTEN 0 1 10.89.43.12:49160 0.0.0.0:* users:(("qemu-system-x86",pid=4,fd=9))'
    assert problems({'cmp2': qemu}, conditions={'libvirt': ['cmp2']}) == []
    assert problems({'cmp2': qemu.replace('10.89.43.12', '10.89.42.12')}, conditions={'libvirt': ['cmp2']}) == [
        'cmp2: qemu-system-x86 listens on tcp 10.89.42.12:49160; the table allows it on the management address'
        ' (10.89.43.12) only']
    assert len(problems({'cmp2': on_route})) == 1


def test_workers_of_one_port_make_one_problem():
    text = ''.join('tcp LISTEN 0 4096 0.0.0.0:5000 0.0.0.0:* users:(("gunicorn",pid=%d,fd=5))\n' % pid
                   for pid in (2100, 2101, 2102))
    assert problems({'ctl1': text}) == [
        'ctl1: gunicorn listens on tcp 0.0.0.0:5000, every address; the table allows it on the management address'
        ' (10.89.42.10) only']


@pytest.mark.parametrize('conditions, found', [
    (None, 1),
    ({'clustered': False}, 1),
    ({'clustered': True}, 0),
    ({'clustered': ['ctl2']}, 1),
    ({'clustered': ['ctl1', 'ctl2']}, 0),
])
def test_an_entry_applies_where_its_conditions_hold(conditions, found):
    galera = 'tcp LISTEN 0 4096 10.89.42.10:4567 0.0.0.0:* users:(("mariadbd",pid=650,fd=11))'
    assert len(problems({'ctl1': galera}, conditions)) == found


def test_a_readings_conditions_hold_for_its_host_only():
    kernel = 'udp UNCONN 0 0 0.0.0.0:6081 0.0.0.0:*\nudp UNCONN 0 0 [::]:6081 [::]:*\n'
    assert problems({'cmp1': {'ss': kernel, 'conditions': {'kernel_datapath': True}}}) == []
    kernel_socket = "cmp1: a socket of no process (the kernel's, or another PID namespace's) listens on udp"
    assert problems({'cmp1': {'ss': kernel, 'conditions': {'kernel_datapath': False}}}) == [
        kernel_socket + ' 0.0.0.0:6081, which the listener table does not allow',
        kernel_socket + ' [::]:6081, which the listener table does not allow',
    ]


def test_the_vip_only_for_the_vip():
    haproxy = 'tcp LISTEN 0 4096 10.89.42.250:5000 0.0.0.0:* users:(("haproxy",pid=40,fd=7))'
    assert problems({'ctl2': haproxy}, {'vip': True}, vip='10.89.42.250') == []
    assert problems({'ctl2': haproxy}, {'vip': False}, vip='10.89.42.250') == [
        'ctl2: haproxy listens on tcp 10.89.42.250:5000, which the listener table does not allow'
        ' (it allows that port to gunicorn, gunicorn: maste, gunicorn: worke only)']
    assert problems({'ctl2': haproxy.replace('10.89.42.250', '0.0.0.0')}, {'vip': True}, vip='10.89.42.250') == [
        'ctl2: haproxy listens on tcp 0.0.0.0:5000, every address; the table allows it on the VIP (10.89.42.250) only']


def test_without_cap_sys_ptrace_the_unseen_listeners_are_one_problem():
    unseen = ('tcp LISTEN 0 80 10.89.42.10:3306 0.0.0.0:*\n'
              'tcp LISTEN 0 128 *:5672 *:*\n'
              'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=88,fd=3))\n'
              'tcp LISTEN 0 128 0.0.0.0:9999 0.0.0.0:* users:(("python3",pid=99,fd=3))\n')
    assert problems({'ctl1': {'ss': unseen, 'status': CONTAINER_STATUS}}) == [
        'ctl1: python3 listens on tcp 0.0.0.0:9999, which the listener table does not allow',
        'ctl1: ss shows no process for 2 listeners (tcp 10.89.42.10:3306, tcp *:5672): it ran without CAP_SYS_PTRACE,'
        " so it cannot see another user's processes; run it as root with that capability (the lab's hosts get it"
        ' from lab/create.yml)',
    ]
    # With the capability, a socket with no process is the kernel's.
    assert len(problems({'ctl1': {'ss': unseen, 'status': ROOT_STATUS}})) == 3


def test_the_hosts_order_then_ss():
    found = problems({'cmp1': 'tcp LISTEN 0 1 0.0.0.0:1 0.0.0.0:* users:(("a",pid=1,fd=1))',
                      'ctl1': 'tcp LISTEN 0 1 0.0.0.0:2 0.0.0.0:* users:(("b",pid=1,fd=1))\n'
                              'tcp LISTEN 0 1 0.0.0.0:3 0.0.0.0:* users:(("c",pid=1,fd=1))'})
    assert [problem.split(' listens')[0] for problem in found] == ['cmp1: a', 'ctl1: b', 'ctl1: c']


# --- the table -----------------------------------------------------------------

@pytest.mark.parametrize('bad, message', [
    ({'process': 'sshd', 'protocol': 'tcp', 'port': 22, 'address': 'any'}, 'address any needs a why'),
    ({'process': 'qemu-system-x86_64', 'protocol': 'tcp', 'port': 49152, 'address': 'management'},
     'qemu-system-x86_64 are over 15 characters'),
    ({'process': 'x', 'protocol': 'tcp', 'port': '49215-49152', 'address': 'management'}, 'is not a port or a range'),
    ({'process': 'x', 'protocol': 'tcp', 'port': 70000, 'address': 'management'}, 'is not a port or a range'),
    ({'process': 'x', 'protocol': 'tcp', 'port': 'ssh', 'address': 'management'}, 'neither a number nor a range'),
    ({'process': 'x', 'protocol': 'tcp', 'port': True, 'address': 'management'}, 'neither a number nor a range'),
    ({'process': 'x', 'protocol': 'tcp', 'port': [22, 'ssh'], 'address': 'management'}, "port 'ssh' is neither"),
    ({'process': 'x', 'protocol': 'tcp', 'port': [], 'address': 'management'}, 'names no port'),
    ({'process': 'x', 'protocol': 'sctp', 'port': 1, 'address': 'management'}, "protocol 'sctp' is not one of"),
    ({'process': 'x', 'protocol': 'tcp', 'port': 1, 'address': 'public'}, "address 'public' is not one of"),
    ({'process': [], 'protocol': 'tcp', 'port': 1, 'address': 'loopback'}, 'neither a name nor a list of names'),
    ({'process': 'x', 'protocol': 'tcp', 'port': 1, 'address': 'loopback', 'when': ['ha']},
     'when names conditions nobody sets: ha'),
    ({'process': 'x', 'protocol': 'tcp', 'port': 1, 'address': 'loopback', 'ports': 2}, 'keys the table does not know'),
    ('sshd', 'an entry is a mapping'),
])
def test_a_table_it_cannot_use_fails_naming_the_entry(bad, message):
    table = {'controllers': [bad]}
    assert message in table_utils.table_problems(table, ['clustered'])[0]
    with pytest.raises(AnsibleFilterError, match='the listener table cannot be used: \\(1\\) group controllers: '):
        problems({'ctl1': COMPUTE}, {'clustered': True}, table=table)


@pytest.mark.parametrize('readings, conditions, message', [
    ({'ctl9': COMPUTE}, None, 'ctl9 is not a host of the inventory'),
    (['ctl1'], None, 'its input as a mapping of each host'),
    ({'ctl1': {'ss': COMPUTE, 'conditions': ['x']}}, None, 'the reading of ctl1 as {ss, status, conditions}'),
    ({'ctl1': {'ss': COMPUTE, 'conditions': {'clustered': 'yes'}}}, None, 'a condition is true, false or a list'),
    ({'ctl1': COMPUTE}, {'clustered': 'yes'}, 'a condition is true, false or a list'),
    ({'ctl1': COMPUTE}, ['clustered'], 'conditions as a mapping'),
    ({'ctl1': {'status': ROOT_STATUS}}, None, 'the reading of ctl1 is {ss:'),
    ({'ctl1': {'ss': COMPUTE, 'status': 'Name: cat'}}, None, 'no CapEff line'),
])
def test_wrong_arguments_fail_saying_what_is_expected(readings, conditions, message):
    with pytest.raises(AnsibleFilterError, match=message.replace('(', '\\(').replace('{', '\\{')):
        problems(readings, conditions)


def test_the_labs_table_is_usable_and_justifies_every_any():
    table = yaml.safe_load(LAB_TABLE.read_text(encoding='utf-8'))['listener_table']
    assert table_utils.table_problems(table, CONDITIONS) == []
    anywhere = [entry for entries in table.values() for entry in entries if entry['address'] == 'any']
    assert {entry['process'] for entry in anywhere} == {'sshd', 'kernel'}
    # A lone controller as its roles leave it passes, but for RabbitMQ and epmd.
    found = PROBLEMS({'ctl1': CONTROLLER}, table, HOSTVARS, dict.fromkeys(CONDITIONS, False))
    assert [problem.split(' listens on ')[1].split(',')[0] for problem in found] == [
        'tcp *:4369', 'tcp *:4369', 'tcp *:5672', 'tcp 0.0.0.0:25672']


@pytest.mark.parametrize('name', sorted(FILTERS))
def test_documented_beside_it(name):
    with open(os.path.join(os.path.dirname(listener_filters.__file__), name + '.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == name
    assert set(doc['DOCUMENTATION']['options']) == {'_input'} | set(list(inspect.signature(FILTERS[name]).parameters)[1:])
