# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Problem lists: numbered problems, and nova's services that are down or unknown."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.problems import FilterModule

FILTERS = FilterModule().filters()
NUMBERED = FILTERS['numbered_problems']
DOWN = FILTERS['nova_services_down']
UNKNOWN = FILTERS['nova_computes_unknown']
ADVICE = 'bring it up, or delete its record if the host is gone'


def service(host, binary='nova-compute', **extra):
    return dict({'host': host, 'binary': binary, 'state': 'up', 'status': 'enabled'}, **extra)


@pytest.mark.parametrize('problems, expected', [
    ([], ''),
    (['MariaDB is down'], '(1) MariaDB is down.'),
    (['RabbitMQ has an alarm.', 'MariaDB is down'], '(1) RabbitMQ has an alarm. (2) MariaDB is down.'),
    (['check failed (rc 2): Upgrade checks...'], '(1) check failed (rc 2): Upgrade checks...'),  # one stop only
    (('a', 'b', 'c'), '(1) a. (2) b. (3) c.'),
    (['ends in a space. ', ' \nstarts on a new line'], '(1) ends in a space. (2) starts on a new line.'),
])
def test_problems_are_numbered_each_with_one_full_stop(problems, expected):
    assert NUMBERED(problems) == expected


@pytest.mark.parametrize('problems, message', [
    ('MariaDB is down', 'expects a list of problems'),
    ({'db': 'MariaDB is down'}, 'expects a list of problems'),
    (None, 'expects a list of problems'),
    (['MariaDB is down', None], 'expects each problem to be a text'),
    ([['nested']], 'expects each problem to be a text'),
])
def test_numbered_problems_refuses_what_is_not_a_list_of_texts(problems, message):
    with pytest.raises(AnsibleFilterError, match=message):
        NUMBERED(problems)


def test_every_service_up_is_no_problem():
    assert DOWN([service('cmp1'), service('ctl1', 'nova-scheduler', status='disabled')]) == []
    assert DOWN([]) == []


@pytest.mark.parametrize('state', [
    'down',
    None,          # a service of a cell nova cannot reach (microversion 2.69)
    'UNKNOWN',
    'Up',          # only nova's own spelling counts as up
])
def test_any_state_but_up_is_down(state):
    assert DOWN([service('cmp1'), service('cmp2', state=state)]) == ['nova service nova-compute on cmp2 is down']


def test_a_service_without_a_state_is_down():
    record = {'host': 'cmp3', 'binary': 'nova-compute', 'status': 'UNKNOWN'}
    assert DOWN([record]) == ['nova service nova-compute on cmp3 is down']


def test_down_services_keep_their_order_and_take_the_advice():
    services = [service('ctl1', 'nova-conductor', state='down'), service('cmp1'), service('cmp2', state='down')]
    assert DOWN(services, ADVICE) == [
        'nova service nova-conductor on ctl1 is down; ' + ADVICE,
        'nova service nova-compute on cmp2 is down; ' + ADVICE,
    ]


def test_nova_computes_on_hosts_outside_the_inventory():
    services = [service('cmp1'), service('cmp9', state='down'), service('ctl1', 'nova-scheduler'), service('cmp8')]
    assert UNKNOWN(services, ['cmp1', 'cmp2']) == [
        'nova-compute runs on %s, which is not in the inventory group computes; '
        'add it, or delete its service record if the host is gone' % host for host in ('cmp9', 'cmp8')]
    assert UNKNOWN(services, ['cmp1', 'cmp8', 'cmp9']) == []
    assert UNKNOWN([], []) == []


@pytest.mark.parametrize('services', [
    None,
    'cmp1 nova-compute',
    {'compute_services': []},
    [['cmp1', 'nova-compute']],
    [{'host': 'cmp1'}],
    [{'binary': 'nova-compute', 'state': 'down'}],
    [{'host': '', 'binary': 'nova-compute'}],
])
def test_nova_filters_refuse_what_is_not_a_list_of_services(services):
    with pytest.raises(AnsibleFilterError, match='nova_services_down expects'):
        DOWN(services)
    with pytest.raises(AnsibleFilterError, match='nova_computes_unknown expects'):
        UNKNOWN(services, ['cmp1'])


@pytest.mark.parametrize('hostnames', [None, 'cmp1', {'cmp1': 1}])
def test_nova_computes_unknown_refuses_what_is_not_a_list_of_names(hostnames):
    with pytest.raises(AnsibleFilterError, match='nova_computes_unknown expects a list of host names'):
        UNKNOWN([service('cmp1')], hostnames)
