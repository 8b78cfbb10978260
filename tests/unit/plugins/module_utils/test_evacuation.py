# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The evacuation engine's logic, driven by scripted answers and a fake
clock. The scripts say what nova answers; they do not imitate nova."""
from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_actions import (
    EvacuationActions,
    backoff_delay,
    classify_error,
    error_kind,
    verify_move,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_capacity import (
    check_capacity,
    flavor_resources,
    free_capacity,
    instance_resources,
    move_order,
    shortfall_text,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_plan import (
    classify_servers,
    eligible_targets,
    plan_evacuation,
    scheduler_picks_targets,
    select_instances,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_report import (
    host_actions,
    summary_message,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_request import (
    DEFAULTS,
    normalize_request,
    validate_request,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_run import (
    Evacuation,
)

# --- facts ----------------------------------------------------------------


def service(host, status='enabled', state='up', **extra):
    return dict({'host': host, 'binary': 'nova-compute', 'status': status,
                 'state': state, 'forced_down': False, 'disabled_reason': None}, **extra)


SERVICES = [service('cmp1'), service('cmp2'), service('cmp3'), service('cmp4'),
            service('ctl1', binary='nova-conductor')]
AGGREGATES = {'fast': ['cmp3', 'cmp4'], 'slow': ['cmp1', 'cmp2']}


def provider(vcpu=16, ram=32768, disk=500, used=None, ratio=None, max_unit=None, reserved=None):
    inventories = {}
    for rc, total in (('VCPU', vcpu), ('MEMORY_MB', ram), ('DISK_GB', disk)):
        inv = {'total': total, 'reserved': (reserved or {}).get(rc, 0),
               'allocation_ratio': (ratio or {}).get(rc, 1.0)}
        if max_unit and rc in max_unit:
            inv['max_unit'] = max_unit[rc]
        inventories[rc] = inv
    return {'inventories': inventories, 'usages': dict(used or {})}


def providers(**overrides):
    result = {h: provider() for h in ('cmp1', 'cmp2', 'cmp3', 'cmp4')}
    result.update(overrides)
    return result


def server(sid, host='cmp1', status='ACTIVE', ram=2048, vcpus=2, disk=20, **extra):
    power = {'ACTIVE': 1, 'PAUSED': 3, 'SHUTOFF': 4, 'SUSPENDED': 7}.get(status, 0)
    return dict({'id': sid, 'name': 'vm-%s' % sid, 'host': host, 'status': status,
                 'task_state': None, 'power_state': power,
                 'resources': {'VCPU': vcpus, 'MEMORY_MB': ram, 'DISK_GB': disk}}, **extra)


def request(**params):
    return normalize_request(dict({'hosts': ['cmp1']}, **params))


# --- validation -----------------------------------------------------------

@pytest.mark.parametrize('params, expected', [
    ({'hosts': ['cmp9']},
     'Unknown compute host(s) in hosts: cmp9. Known compute hosts: cmp1, cmp2, cmp3, cmp4.'),
    ({'hosts': []}, 'hosts is empty'),
    ({'hosts': ['ctl1']}, 'Unknown compute host(s) in hosts: ctl1'),
    ({'concurrency': 0}, 'concurrency must be a whole number, 1 or more (got 0)'),
    ({'concurrency': -3}, 'concurrency must be a whole number, 1 or more (got -3)'),
    ({'concurrency': True}, 'concurrency must be a whole number'),
    ({'per_host_concurrency': 0}, 'per_host_concurrency must be a whole number, 1 or more'),
    ({'timeout': -5}, 'timeout must be a number of seconds above 0 (got -5)'),
    ({'timeout': 0}, 'timeout must be a number of seconds above 0 (got 0)'),
    ({'poll_interval': 0}, 'poll_interval must be a number of seconds above 0'),
    ({'action_grace': -1}, 'action_grace must be a number of seconds, 0 or more'),
    ({'retries': -1}, 'retries must be a whole number, 0 or more'),
    ({'target_retries': 1.5}, 'target_retries must be a whole number, 0 or more'),
    ({'targets': ['cmp1', 'cmp2']},
     'cmp1 is both drained and a target, but a host being drained cannot take instances. '
     'Remove it from targets or from hosts.'),
    ({'hosts': ['cmp1', 'cmp2'], 'targets': ['cmp1', 'cmp2', 'cmp3']},
     'cmp1, cmp2 are both drained and a target'),
    ({'targets': ['cmp2', 'cmp3'], 'exclude': ['cmp3']},
     'Target(s) cmp3 are also excluded, and an excluded host is never a target.'),
    ({'targets': ['cmp7']}, 'Unknown compute host(s) in targets: cmp7. Known compute hosts'),
    ({'exclude': ['cmp-3']}, 'Unknown compute host(s) in exclude: cmp-3.'),
    ({'target_aggregate': 'gpu'}, "Unknown aggregate 'gpu'. Known aggregates: fast, slow."),
    ({'target_aggregate': 'fast', 'targets': ['cmp3']}, 'Give targets or target_aggregate, not both.'),
    ({'non_live_policy': 'ignore'},
     "non_live_policy must be one of cold_migrate, skip, fail (got 'ignore')."),
    ({'timeout_action': 'kill'}, "timeout_action must be one of force_complete, abort (got 'kill')."),
    ({'block_migration': 'yes'}, 'block_migration must be one of auto, True, False'),
])
def test_validation_says_what_is_wrong(params, expected):
    problems = validate_request(request(**params), SERVICES, AGGREGATES)
    assert len(problems) == 1, problems
    assert expected in problems[0]


@pytest.mark.parametrize('params', [
    {},
    {'hosts': ['cmp1', 'cmp2'], 'concurrency': 8, 'per_host_concurrency': 4},
    {'targets': ['cmp2', 'cmp3'], 'timeout_action': 'force_complete'},
    {'target_aggregate': 'fast', 'exclude': ['cmp4'], 'non_live_policy': 'cold_migrate'},
    {'hosts': 'cmp1', 'targets': [], 'retries': 0, 'action_grace': 0},
    {'timeout': 0.5, 'block_migration': False},
])
def test_valid_requests_pass(params):
    assert validate_request(request(**params), SERVICES, AGGREGATES) == []


def test_validation_reports_every_problem_at_once():
    problems = validate_request(request(hosts=['cmp9'], concurrency=0, timeout=-1),
                                SERVICES, AGGREGATES)
    assert len(problems) == 3


@pytest.mark.parametrize('params, expected', [
    ({'hosts': ['cmp1', 'cmp1', 'cmp2']}, {'hosts': ['cmp1', 'cmp2']}),
    ({'hosts': 'cmp1'}, {'hosts': ['cmp1']}),
    ({'targets': []}, {'targets': None}),
    ({'exclude': None}, {'exclude': []}),
    ({'concurrency': None}, {'concurrency': DEFAULTS['concurrency']}),
    ({'unrelated': 1}, {}),
])
def test_normalize_request(params, expected):
    normalized = normalize_request(params)
    for key, value in expected.items():
        assert normalized[key] == value
    assert 'unrelated' not in normalized


# --- targets --------------------------------------------------------------

@pytest.mark.parametrize('params, expected', [
    ({}, True),
    ({'targets': ['cmp2']}, False),
    ({'target_aggregate': 'fast'}, False),
    ({'exclude': ['cmp4']}, False),
])
def test_scheduler_picks_only_without_restrictions(params, expected):
    assert scheduler_picks_targets(request(**params)) is expected


@pytest.mark.parametrize('params, services, provs, eligible, rejected', [
    ({}, SERVICES, None, ['cmp2', 'cmp3', 'cmp4'], {'cmp1': 'being drained'}),
    ({'targets': ['cmp3']}, SERVICES, None, ['cmp3'], {}),
    ({'target_aggregate': 'fast'}, SERVICES, None, ['cmp3', 'cmp4'], {}),
    ({'target_aggregate': 'slow'}, SERVICES, None, ['cmp2'], {'cmp1': 'being drained'}),
    ({'exclude': ['cmp2']}, SERVICES, None, ['cmp3', 'cmp4'],
     {'cmp1': 'being drained', 'cmp2': 'excluded'}),
    ({'hosts': ['cmp1', 'cmp2']}, SERVICES, None, ['cmp3', 'cmp4'],
     {'cmp1': 'being drained', 'cmp2': 'being drained'}),
    ({'targets': ['cmp2', 'cmp3', 'cmp4']},
     [service('cmp1'), service('cmp2', status='disabled', disabled_reason='broken disk'),
      service('cmp3', state='down'), service('cmp4', forced_down=True)], None, [],
     {'cmp2': 'disabled (broken disk)', 'cmp3': 'nova-compute is down', 'cmp4': 'forced down'}),
    ({'targets': ['cmp2', 'cmp3']}, SERVICES, {'cmp3': provider()}, ['cmp3'],
     {'cmp2': 'no resource provider in placement'}),
    ({'target_aggregate': 'odd'}, SERVICES + [service('bm1', binary='nova-conductor')], None,
     [], {'bm1': 'runs no nova-compute'}),
])
def test_eligible_targets(params, services, provs, eligible, rejected):
    aggregates = dict(AGGREGATES, odd=['bm1'])
    assert eligible_targets(request(**params), services, aggregates, provs) == (eligible, rejected)


# --- capacity -------------------------------------------------------------

@pytest.mark.parametrize('flavor, bfv, expected', [
    ({'vcpus': 2, 'ram': 4096, 'disk': 40}, False, {'VCPU': 2, 'MEMORY_MB': 4096, 'DISK_GB': 40}),
    ({'vcpus': 2, 'ram': 4096, 'disk': 40, 'ephemeral': 10, 'swap': 1536}, False,
     {'VCPU': 2, 'MEMORY_MB': 4096, 'DISK_GB': 52}),
    ({'vcpus': 1, 'ram': 512, 'disk': 40, 'ephemeral': 5, 'swap': ''}, True,
     {'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 5}),
])
def test_flavor_resources(flavor, bfv, expected):
    assert flavor_resources(flavor, bfv) == expected


@pytest.mark.parametrize('srv, expected', [
    ({'resources': {'VCPU': 4, 'MEMORY_MB': 8192, 'DISK_GB': 0, 'PCPU': 0}},
     {'VCPU': 4, 'MEMORY_MB': 8192}),
    ({'flavor': {'vcpus': 1, 'ram': 1024, 'disk': 10}}, {'VCPU': 1, 'MEMORY_MB': 1024, 'DISK_GB': 10}),
    ({'flavor': {'vcpus': 1, 'ram': 1024, 'disk': 10}, 'boot_from_volume': True},
     {'VCPU': 1, 'MEMORY_MB': 1024}),
])
def test_instance_resources_prefers_placement(srv, expected):
    assert instance_resources(srv) == expected


@pytest.mark.parametrize('prov, expected', [
    (provider(), {'VCPU': 16, 'MEMORY_MB': 32768, 'DISK_GB': 500}),
    (provider(used={'VCPU': 10, 'MEMORY_MB': 30000}), {'VCPU': 6, 'MEMORY_MB': 2768, 'DISK_GB': 500}),
    (provider(ratio={'VCPU': 4.0, 'MEMORY_MB': 1.5}, reserved={'MEMORY_MB': 512}),
     {'VCPU': 64, 'MEMORY_MB': 48384, 'DISK_GB': 500}),
    (provider(used={'VCPU': 20}), {'VCPU': -4, 'MEMORY_MB': 32768, 'DISK_GB': 500}),
])
def test_free_capacity(prov, expected):
    assert free_capacity(prov) == expected


def moves_of(*servers):
    return classify_servers(servers, 'cold_migrate')[0]


@pytest.mark.parametrize('moves, provs, scheduler, ok, shortfall, unplaced', [
    # Everything fits.
    (moves_of(server('a', ram=8192), server('b', ram=8192)),
     {'cmp2': provider(ram=16384)}, False, True, {}, []),
    # Memory short by 2048 in total.
    (moves_of(server('a', ram=8192), server('b', ram=8192)),
     {'cmp2': provider(ram=8192), 'cmp3': provider(ram=6144)}, False, False,
     {'MEMORY_MB': 2048}, ['b']),
    # Enough in total, but fragmented: no single target takes the big one.
    (moves_of(server('big', ram=12288)),
     {'cmp2': provider(ram=8192), 'cmp3': provider(ram=8192)}, False, False, {}, ['big']),
    # max_unit forbids an instance that would otherwise fit.
    (moves_of(server('wide', vcpus=12)),
     {'cmp2': provider(vcpu=64, max_unit={'VCPU': 8})}, False, False, {}, ['wide']),
    # Several resource classes short at once.
    (moves_of(server('a', vcpus=8, ram=4096, disk=300), server('b', vcpus=8, ram=4096, disk=300)),
     {'cmp2': provider(vcpu=12, disk=400)}, False, False, {'VCPU': 4, 'DISK_GB': 200}, ['b']),
    # Overcommit through allocation ratios.
    (moves_of(*[server(str(i), vcpus=8, ram=1024) for i in range(4)]),
     {'cmp2': provider(vcpu=8, ratio={'VCPU': 4.0})}, False, True, {}, []),
    # The scheduler picks: the sums and each instance's fit somewhere count.
    (moves_of(server('a', ram=6000), server('b', ram=6000)),
     {'cmp2': provider(ram=8192), 'cmp3': provider(ram=8192)}, True, True, {}, []),
    (moves_of(server('a', ram=6000), server('b', ram=6000), server('c', ram=6000)),
     {'cmp2': provider(ram=8192), 'cmp3': provider(ram=8192)}, True, False,
     {'MEMORY_MB': 1616}, []),
    (moves_of(server('wide', vcpus=12)),
     {'cmp2': provider(vcpu=64, max_unit={'VCPU': 8}), 'cmp3': provider(vcpu=8)}, True, False,
     {}, ['wide']),
    # A used-up target adds nothing to the total.
    (moves_of(server('a', ram=4096)),
     {'cmp2': provider(ram=4096, used={'MEMORY_MB': 8192}), 'cmp3': provider(ram=2048)},
     True, False, {'MEMORY_MB': 2048}, ['a']),
])
def test_check_capacity(moves, provs, scheduler, ok, shortfall, unplaced):
    capacity = check_capacity(moves, sorted(provs), provs, scheduler)
    assert capacity['ok'] is ok
    assert capacity['shortfall'] == shortfall
    assert [u['id'] for u in capacity['unplaced']] == unplaced


def test_capacity_says_how_much_is_missing():
    capacity = check_capacity(moves_of(server('a', ram=8192), server('b', ram=8192)),
                              ['cmp2'], {'cmp2': provider(ram=14336)}, False)
    text = shortfall_text(capacity)
    assert text.startswith('MEMORY_MB short by 2048; vm-b (b) needs MEMORY_MB 8192')
    assert 'the most free on one target is 6144' in text


def test_capacity_names_max_unit():
    capacity = check_capacity(moves_of(server('wide', vcpus=12)), ['cmp2'],
                              {'cmp2': provider(vcpu=64, max_unit={'VCPU': 8})}, False)
    assert capacity['unplaced'][0]['reason'] == \
        'needs VCPU 12, above the max_unit (8) of every target'


def test_packing_spreads_when_it_can():
    moves = moves_of(*[server(str(i), ram=4096) for i in range(4)])
    provs = {'cmp2': provider(ram=16384), 'cmp3': provider(ram=16384)}
    assignment = check_capacity(moves, ['cmp2', 'cmp3'], provs, False)['assignment']
    assert sorted(assignment.values()) == ['cmp2', 'cmp2', 'cmp3', 'cmp3']


def test_packing_falls_back_to_first_fit_when_spreading_fails():
    # Spreading puts 6144 on each target and leaves no room for 10240;
    # first fit decreasing keeps cmp3 whole for it.
    moves = moves_of(server('x', ram=10240), server('y', ram=3072), server('z', ram=3072))
    provs = {'cmp2': provider(ram=6144), 'cmp3': provider(ram=10240)}
    capacity = check_capacity(moves, ['cmp2', 'cmp3'], provs, False)
    assert capacity['ok']
    assert capacity['assignment'] == {'x': 'cmp3', 'y': 'cmp2', 'z': 'cmp2'}


# --- classification -------------------------------------------------------

@pytest.mark.parametrize('status, task_state, policy, where, method, reason', [
    ('ACTIVE', None, 'fail', 'moves', 'live', None),
    ('PAUSED', None, 'fail', 'moves', 'live', None),     # nova live-migrates paused guests
    ('SHUTOFF', None, 'cold_migrate', 'moves', 'cold', None),
    ('SHUTOFF', None, 'skip', 'skipped', None, 'shut off'),
    ('SHUTOFF', None, 'fail', 'blocked', None, 'non_live_policy=fail'),
    ('SUSPENDED', None, 'cold_migrate', 'blocked', None, 'resume it first'),
    ('SUSPENDED', None, 'skip', 'skipped', None, 'resume it first'),
    ('ERROR', None, 'cold_migrate', 'blocked', None, 'repair it first'),
    ('ERROR', None, 'skip', 'skipped', None, 'in ERROR'),
    ('VERIFY_RESIZE', None, 'fail', 'blocked', None, 'in status VERIFY_RESIZE'),
    ('ACTIVE', 'migrating', 'cold_migrate', 'blocked', None, 'busy with task migrating'),
    ('ACTIVE', 'rebooting', 'skip', 'skipped', None, 'busy with task rebooting'),
])
def test_classification(status, task_state, policy, where, method, reason):
    moves, skipped, blocked = classify_servers(
        [server('a', status=status, task_state=task_state)], policy)
    found = {'moves': moves, 'skipped': skipped, 'blocked': blocked}
    assert sum(len(v) for v in found.values()) == 1     # nothing dropped
    entry = found[where][0]
    assert entry.get('method') == method
    if reason:
        assert reason in entry['reason']


@pytest.mark.parametrize('status, expected', [
    ('ACTIVE', {'status': 'ACTIVE', 'power_state': 1}),
    ('PAUSED', {'status': 'PAUSED', 'power_state': 3}),
    ('SHUTOFF', {'status': 'SHUTOFF', 'power_state': 4}),
])
def test_expected_state_is_the_state_before(status, expected):
    assert moves_of(server('a', status=status))[0]['expected'] == expected


def test_move_order_is_largest_first_then_stable():
    moves = moves_of(server('c', ram=1024), server('b', ram=4096), server('a', ram=1024),
                     server('d', ram=4096, vcpus=8))
    assert [m['id'] for m in sorted(moves, key=move_order)] == ['d', 'b', 'a', 'c']


# --- the plan -------------------------------------------------------------

def plan_for(servers, provs=None, services=None, **params):
    return plan_evacuation(request(**params), services or SERVICES, AGGREGATES, servers,
                           providers() if provs is None else provs)


def test_plan_is_what_check_mode_returns():
    plan = plan_for([server('s', ram=1024), server('b', ram=8192), server('off', status='SHUTOFF'),
                     server('elsewhere', host='cmp3')], non_live_policy='cold_migrate')
    assert plan['problems'] == []
    assert [(m['id'], m['method'], m['target']) for m in plan['moves']] == [
        ('b', 'live', None), ('off', 'cold', None), ('s', 'live', None)]
    assert plan['scheduler_picks_targets'] is True
    assert plan['eligible_targets'] == ['cmp2', 'cmp3', 'cmp4']
    assert plan['disable'] == [{'host': 'cmp1', 'disabled_reason': DEFAULTS['disabled_reason']}]
    assert plan['capacity']['ok'] and plan['capacity']['needed']['MEMORY_MB'] == 11264
    assert plan['timeout_action'] == {'action': 'abort', 'microversion': '2.24'}


def test_plan_names_targets_and_alternates_when_restricted():
    plan = plan_for([server('a', ram=8192), server('b', ram=4096)], targets=['cmp3', 'cmp4'])
    assert [(m['id'], m['target'], m['alternates']) for m in plan['moves']] == [
        ('a', 'cmp3', ['cmp4']), ('b', 'cmp4', ['cmp3'])]


def test_plan_alternates_respect_max_unit():
    provs = providers(cmp2=provider(vcpu=64, max_unit={'VCPU': 4}))
    plan = plan_for([server('a', vcpus=8)], provs, exclude=['cmp4'])
    assert plan['moves'][0]['target'] == 'cmp3'
    assert plan['moves'][0]['alternates'] == []


def test_plan_with_blocked_instances_fails_before_acting():
    plan = plan_for([server('a'), server('off', status='SHUTOFF'), server('sus', status='SUSPENDED')])
    assert [b['id'] for b in plan['blocked']] == ['off', 'sus']
    assert len(plan['problems']) == 1
    assert plan['problems'][0].startswith('2 instance(s) cannot be moved under non_live_policy=fail: '
                                          'vm-off (off) on cmp1, SHUTOFF')
    assert 'choose non_live_policy=skip' in plan['problems'][0]


def test_plan_lists_skipped_instances():
    plan = plan_for([server('a'), server('sus', status='SUSPENDED')], non_live_policy='skip')
    assert plan['problems'] == []
    assert [s['id'] for s in plan['skipped']] == ['sus']


def test_plan_without_eligible_target_says_why():
    services = [service('cmp1'), service('cmp2', status='disabled', disabled_reason='rma'),
                service('cmp3', state='down')]
    plan = plan_for([server('a')], services=services)
    assert plan['problems'] == ['No eligible target for the instances of cmp1: cmp1 being drained; '
                                'cmp2 disabled (rma); cmp3 nova-compute is down.']


def test_plan_refuses_a_source_whose_compute_is_down():
    services = [service('cmp1', state='down'), service('cmp2')]
    plan = plan_for([server('a')], services=services)
    assert 'nova-compute is down on cmp1' in plan['problems'][0]


def test_plan_refuses_when_capacity_is_short():
    provs = {'cmp2': provider(ram=4096), 'cmp3': provider(ram=2048)}
    plan = plan_for([server('a', ram=4096), server('b', ram=4096)], provs)
    assert plan['problems'] == [
        'Not enough free capacity on the eligible targets (cmp2, cmp3): MEMORY_MB short by 2048.']


def test_plan_can_skip_the_capacity_check():
    plan = plan_for([server('a', ram=4096), server('b', ram=4096), server('c', ram=4096)], {},
                    targets=['cmp2', 'cmp3'], capacity_check=False)
    assert plan['problems'] == []
    assert plan['capacity'] is None
    assert [m['target'] for m in plan['moves']] == ['cmp2', 'cmp3', 'cmp2']


def test_plan_of_an_empty_host_changes_nothing_but_the_service():
    plan = plan_for([server('x', host='cmp2')])
    assert plan['moves'] == [] and plan['problems'] == []
    already = plan_for([], services=[service('cmp1', status='disabled'), service('cmp2')])
    assert already['disable'] == []


def test_plan_with_bad_input_stops_at_validation():
    plan = plan_for([server('a')], hosts=['cmp9'])
    assert plan['moves'] == [] and len(plan['problems']) == 1


# --- errors, backoff, proof -----------------------------------------------

class HttpError(Exception):
    """What error_kind reads from openstacksdk's HttpException."""

    def __init__(self, status_code, message):
        super().__init__(message)
        self.status_code = status_code


class ConnectFailure(Exception):
    """Named like keystoneauth's."""


@pytest.mark.parametrize('status, message, expected', [
    (409, "Cannot 'os-migrateLive' instance x while it is in power_state pending", 'transient'),
    (409, "Cannot 'os-migrateLive' instance x while it is in task_state migrating", 'transient'),
    (409, 'Instance x is not ready', 'transient'),
    (409, "Cannot 'os-migrateLive' instance x while it is in vm_state stopped", 'permanent'),
    (503, 'Service Unavailable', 'transient'),
    (504, 'Gateway Timeout', 'transient'),
    (429, 'Too Many Requests', 'transient'),
    (400, 'No valid host was found. There are not enough hosts available.', 'target'),
    (400, 'Compute service of cmp3 is unavailable at this time.', 'target'),
    (400, 'Migration pre-check error: Unacceptable CPU info', 'target'),
    (400, 'Invalid input for field/attribute host.', 'permanent'),
    (404, 'Instance x could not be found.', 'permanent'),
    (403, 'Policy does not allow', 'permanent'),
    (500, 'Unexpected API Error.', 'permanent'),
    (None, 'something odd', 'permanent'),
])
def test_classify_error(status, message, expected):
    assert classify_error(status, message) == expected


@pytest.mark.parametrize('exc, expected', [
    (HttpError(409, 'while it is in power_state pending'), 'transient'),
    (HttpError(400, 'No valid host was found.'), 'target'),
    (ConnectFailure('Unable to establish connection'), 'transient'),
    (ConnectionResetError('reset by peer'), 'transient'),
    (ValueError('bug'), 'permanent'),
])
def test_error_kind_reads_exceptions(exc, expected):
    assert error_kind(exc) == expected


@pytest.mark.parametrize('number, base, cap, expected', [
    (1, 5, 60, 5), (2, 5, 60, 10), (3, 5, 60, 20), (4, 5, 60, 40), (5, 5, 60, 60),
    (9, 5, 60, 60), (1, 0, 60, 0), (3, 1.5, 100, 6.0),
])
def test_backoff_delay(number, base, cap, expected):
    assert backoff_delay(number, base, cap) == expected


LIVE = {'id': 'a', 'source': 'cmp1', 'method': 'live',
        'expected': {'status': 'ACTIVE', 'power_state': 1}}
COLD = {'id': 'a', 'source': 'cmp1', 'method': 'cold',
        'expected': {'status': 'SHUTOFF', 'power_state': 4}}
DONE = {'id': 7, 'status': 'completed', 'source_compute': 'cmp1', 'dest_compute': 'cmp2'}
ON_CMP2 = {'host': 'cmp2', 'status': 'ACTIVE', 'power_state': 1, 'task_state': None}


@pytest.mark.parametrize('move, migration, srv, proven, reason', [
    (LIVE, DONE, ON_CMP2, True, 'ACTIVE on cmp2'),
    (COLD, dict(DONE, status='confirmed'), dict(ON_CMP2, status='SHUTOFF', power_state=4), True,
     'SHUTOFF on cmp2'),
    # A server's status alone is never enough.
    (LIVE, None, ON_CMP2, False, 'no migration record'),
    (LIVE, dict(DONE, status='running'), ON_CMP2, False, "is 'running', not 'completed'"),
    (LIVE, dict(DONE, status='error'), ON_CMP2, False, "is 'error'"),
    (COLD, dict(DONE, status='finished'), ON_CMP2, False, "not 'confirmed'"),
    (LIVE, DONE, dict(ON_CMP2, host='cmp1'), False, 'still on cmp1'),
    (LIVE, DONE, dict(ON_CMP2, host=None), False, 'still on cmp1'),
    (LIVE, DONE, dict(ON_CMP2, host='cmp5'), False, 'went to cmp2 but the server is on cmp5'),
    (LIVE, dict(DONE, dest_compute='cmp9'), dict(ON_CMP2, host='cmp9'), False,
     'another host being drained'),
    (LIVE, DONE, dict(ON_CMP2, task_state='migrating'), False, 'busy with task migrating'),
    (LIVE, DONE, dict(ON_CMP2, status='ERROR'), False, 'ERROR on cmp2, expected ACTIVE'),
    (LIVE, DONE, dict(ON_CMP2, power_state=4), False, 'shutdown on cmp2, expected running'),
    (LIVE, DONE, dict(ON_CMP2, power_state=None), False, 'expected running'),
    (LIVE, DONE, None, False, 'could not be read'),
])
def test_verify_move(move, migration, srv, proven, reason):
    ok, why = verify_move(move, migration, srv, ['cmp1', 'cmp9'])
    assert ok is proven
    assert reason in why


# --- the driver -----------------------------------------------------------

class Clock:
    """Time moves only when the engine sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        assert self.now < 1000000, 'the engine never stops'
        self.sleeps.append(seconds)
        self.now += seconds


class Scripted(EvacuationActions):
    """Answers from a script, per server and per attempt.

    ``starts[id]``: what each migrate call does, in order (an exception to
    raise, or None to accept). ``runs[id]``: per accepted attempt, the steps
    get_migration walks through, one per call, staying on the last; a step
    may set the server's fields with ``server``.
    """

    def __init__(self, servers, runs=None, starts=None):
        self.servers = {s['id']: dict(s) for s in servers}
        self.runs = {k: list(v) for k, v in (runs or {}).items()}
        self.starts = {k: list(v) for k, v in (starts or {}).items()}
        self.steps = {}
        self.sources = {}
        self.calls = []
        self.failing = {}     # method name -> exceptions to raise first

    def _call(self, name, *args):
        self.calls.append((name,) + args)
        if self.failing.get(name):
            raise self.failing[name].pop(0)

    def _accept(self, server_id, kind):
        queue = self.starts.get(server_id)
        outcome = queue.pop(0) if queue else None
        if outcome is not None:
            raise outcome
        self.steps[server_id] = list(self.runs[server_id].pop(0))
        self.sources[server_id] = self.servers[server_id]['host']

    def live_migrate(self, server_id, target, block_migration):
        self._call('live_migrate', server_id, target, block_migration)
        self._accept(server_id, 'live')

    def cold_migrate(self, server_id, target):
        self._call('cold_migrate', server_id, target)
        self._accept(server_id, 'cold')

    def confirm_migration(self, server_id):
        self._call('confirm_migration', server_id)
        steps = self.steps[server_id]
        steps.insert(0, {'status': 'confirmed', 'server': {'status': 'SHUTOFF'}})
        del steps[1:]

    def get_migration(self, server_id):
        self._call('get_migration', server_id)
        steps = self.steps.get(server_id)
        if not steps:
            return None
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        self.servers[server_id].update(step.get('server', {}))
        if step.get('status') is None:
            return None
        return {'id': step.get('id', 7), 'status': step['status'],
                'source_compute': self.sources[server_id],
                'dest_compute': step.get('dest', (step.get('server') or {}).get('host')),
                'reason': step.get('reason')}

    def get_server(self, server_id):
        self._call('get_server', server_id)
        return dict(self.servers[server_id])

    def force_complete(self, server_id, migration_id):
        self._call('force_complete', server_id, migration_id)
        self.steps[server_id] = [{'status': 'completed', 'server': arrived('cmp2')}]

    def abort(self, server_id, migration_id):
        self._call('abort', server_id, migration_id)
        self.steps[server_id] = [{'status': 'cancelled', 'server': {'task_state': None}}]

    def servers_on_host(self, host):
        self._call('servers_on_host', host)
        return [dict(s) for s in self.servers.values() if s['host'] == host]


def arrived(host, status='ACTIVE', power_state=1):
    return {'host': host, 'status': status, 'power_state': power_state, 'task_state': None}


def live(dest='cmp2', polls=2):
    """A live migration that runs for ``polls`` polls, then completes."""
    return [{'status': 'running', 'server': {'task_state': 'migrating'}}] * polls + [
        {'status': 'completed', 'server': arrived(dest)}]


def drain(servers, runs, starts=None, provs=None, services=None, actions=None, **params):
    params = dict({'poll_interval': 1, 'retry_delay': 5, 'settle_timeout': 0}, **params)
    plan = plan_for(servers, provs, services, **params)
    assert plan['problems'] == []
    clock = Clock()
    actions = actions or Scripted(servers, runs, starts)
    result = Evacuation(plan, request(**params), actions, clock, clock.sleep).run()
    return result, actions, clock


def by_id(result):
    return {i['id']: i for i in result['instances']}


def max_overlap(intervals):
    events = sorted([(start, 1) for start, end in intervals]
                    + [(end, -1) for start, end in intervals])
    running = peak = 0
    for _moment, step in events:
        running += step
        peak = max(peak, running)
    return peak


def migration_intervals(result, source=None):
    return [(a['at'], a['at'] + a['duration']) for i in result['instances']
            if source in (None, i['source']) for a in i['attempts'] if a['result'] != 'refused']


def test_drain_moves_everything_and_proves_it():
    servers = [server(str(i), ram=1024 * (i + 1)) for i in range(3)]
    result, actions, _clock = drain(servers, {s['id']: [live()] for s in servers})
    assert result['failed'] is False
    assert result['totals'] == {'instances': 3, 'moved': 3, 'cold_migrated': 0, 'failed': 0,
                                'skipped': 0, 'still_on_source': []}
    assert [i['id'] for i in result['instances']] == ['2', '1', '0']      # largest first
    first = by_id(result)['2']
    assert first['target'] == 'cmp2' and first['outcome'] == 'moved'
    assert first['reason'] == 'ACTIVE on cmp2'
    assert first['attempts'] == [{'attempt': 1, 'at': 0.0, 'target': None, 'result': 'completed',
                                  'error': None, 'kind': None, 'retry_in': None, 'migration_id': 7,
                                  'migration_status': 'completed', 'duration': 3.0}]
    assert ('live_migrate', '2', None, 'auto') in actions.calls
    assert result['hosts'] == [{'host': 'cmp1', 'drained': True, 'remaining': [], 'was_enabled': True,
                                'action': 'keep_disabled',
                                'disabled_reason': DEFAULTS['disabled_reason']}]
    assert result['msg'].startswith('Drained cmp1: 3 moved live, 0 cold-migrated')


@pytest.mark.parametrize('concurrency, per_host, hosts, count, peak, peak_per_host, elapsed', [
    (1, 1, ['cmp1'], 4, 1, 1, 12.0),
    (4, 1, ['cmp1'], 4, 1, 1, 12.0),      # one host: its own limit rules
    (4, 4, ['cmp1'], 4, 4, 4, 3.0),
    (8, 4, ['cmp1'], 12, 4, 4, 9.0),
    (3, 2, ['cmp1', 'cmp2'], 8, 3, 2, 9.0),  # several hosts in parallel, global limit binds
    (8, 2, ['cmp1', 'cmp2'], 8, 4, 2, 6.0),
])
def test_concurrency_limits(concurrency, per_host, hosts, count, peak, peak_per_host, elapsed):
    servers = [server('%s-%d' % (hosts[i % len(hosts)], i), host=hosts[i % len(hosts)])
               for i in range(count)]
    result, _actions, _clock = drain(
        servers, {s['id']: [live('cmp3')] for s in servers}, hosts=hosts,
        concurrency=concurrency, per_host_concurrency=per_host)
    assert result['totals']['moved'] == count
    assert max_overlap(migration_intervals(result)) == peak
    assert max(max_overlap(migration_intervals(result, h)) for h in hosts) == peak_per_host
    assert result['elapsed'] == elapsed


def test_transient_refusals_are_retried_with_backoff_and_reported():
    pending = HttpError(409, "Cannot 'os-migrateLive' instance a while it is in power_state pending")
    result, actions, _clock = drain([server('a')], {'a': [live()]},
                                    starts={'a': [pending, HttpError(503, 'unavailable'), None]})
    item = by_id(result)['a']
    assert item['outcome'] == 'moved'
    assert [(a['at'], a['result'], a['kind'], a['retry_in']) for a in item['attempts']] == [
        (0.0, 'refused', 'transient', 5), (5.0, 'refused', 'transient', 10),
        (15.0, 'completed', None, None)]
    assert 'power_state pending' in item['attempts'][0]['error']
    assert item['duration'] == 18.0


def test_transient_refusals_give_up_after_the_retries():
    busy = HttpError(409, 'Instance a is not ready')
    result, _actions, clock = drain([server('a')], {}, starts={'a': [busy] * 4}, retries=3,
                                    retry_delay=2, retry_delay_max=5)
    item = by_id(result)['a']
    assert item['outcome'] == 'failed'
    assert [a['retry_in'] for a in item['attempts']] == [2, 4, 5, None]
    assert item['reason'] == 'refused: Instance a is not ready (after 4 attempts)'
    assert result['failed'] is True
    assert result['totals']['still_on_source'] == [
        {'id': 'a', 'name': 'vm-a', 'host': 'cmp1', 'status': 'ACTIVE'}]
    assert clock.sleeps == [2, 4, 5]


def test_permanent_refusal_is_not_retried():
    result, actions, _clock = drain([server('a')], {},
                                    starts={'a': [HttpError(500, 'Unexpected API Error.')]})
    item = by_id(result)['a']
    assert len(item['attempts']) == 1 and item['attempts'][0]['kind'] == 'permanent'
    assert item['outcome'] == 'failed'
    assert [c[0] for c in actions.calls].count('live_migrate') == 1


def test_named_target_refusal_moves_to_the_alternate_at_once():
    refusal = HttpError(400, 'Compute service of cmp3 is unavailable at this time.')
    result, actions, _clock = drain([server('a')], {'a': [live('cmp4')]}, starts={'a': [refusal]},
                                    targets=['cmp3', 'cmp4'])
    item = by_id(result)['a']
    assert [(a['target'], a['kind'], a['retry_in']) for a in item['attempts']] == [
        ('cmp3', 'target', 0.0), ('cmp4', None, None)]
    assert item['outcome'] == 'moved' and item['target'] == 'cmp4'
    assert [c for c in actions.calls if c[0] == 'live_migrate'] == [
        ('live_migrate', 'a', 'cmp3', 'auto'), ('live_migrate', 'a', 'cmp4', 'auto')]


def test_no_valid_host_is_retried_a_limited_number_of_times():
    novalid = HttpError(400, 'No valid host was found.')
    result, _actions, _clock = drain([server('a')], {}, starts={'a': [novalid] * 5},
                                     target_retries=2)
    item = by_id(result)['a']
    assert [(a['target'], a['kind'], a['retry_in']) for a in item['attempts']] == [
        (None, 'target', 5), (None, 'target', 10), (None, 'target', None)]
    assert item['outcome'] == 'failed'


def test_failed_migration_with_the_instance_intact_is_retried():
    broke = [{'status': 'running', 'server': {'task_state': 'migrating'}},
             {'status': 'error', 'reason': 'target compute stopped',
              'server': {'task_state': None}}]
    result, _actions, _clock = drain([server('a')], {'a': [broke, live('cmp3')]})
    item = by_id(result)['a']
    assert [a['result'] for a in item['attempts']] == ['migration_failed', 'completed']
    assert item['attempts'][0]['error'] == "migration 7 ended 'error': target compute stopped"
    assert item['outcome'] == 'moved' and item['target'] == 'cmp3'


def test_failed_migration_waits_for_the_rollback_before_judging():
    rolling_back = [{'status': 'error', 'server': {'task_state': 'migrating'}},
                    {'status': 'error', 'server': {'task_state': 'migrating'}},
                    {'status': 'error', 'server': {'task_state': None}}]
    result, _actions, _clock = drain([server('a')], {'a': [rolling_back, live()]},
                                     settle_timeout=10)
    assert [a['result'] for a in by_id(result)['a']['attempts']] == ['migration_failed', 'completed']


@pytest.mark.parametrize('end, reason', [
    ({'status': 'error', 'server': {'status': 'ERROR', 'task_state': None}},
     "migration 7 ended 'error'; it stays on cmp1, ERROR"),
    ({'status': 'cancelled', 'server': {'task_state': None}},
     "migration 7 ended 'cancelled'; it stays on cmp1, ACTIVE"),
    ({'status': 'failed', 'server': arrived('cmp2', status='ERROR')},
     "migration 7 ended 'failed'; it is now on cmp2, ERROR"),
])
def test_failed_migration_that_left_damage_is_not_retried(end, reason):
    result, actions, _clock = drain([server('a')], {'a': [[end], live()]})
    item = by_id(result)['a']
    assert item['outcome'] == 'failed' and len(item['attempts']) == 1
    assert item['reason'] == reason
    assert [c[0] for c in actions.calls].count('live_migrate') == 1


def test_timeout_aborts_and_reports_it():
    stuck = [{'status': 'running', 'id': 11, 'server': {'task_state': 'migrating'}}]
    result, actions, _clock = drain([server('a')], {'a': [stuck]}, timeout=10)
    item = by_id(result)['a']
    assert ('abort', 'a', 11) in actions.calls
    # Seen running at the first poll (1 s), so it times out 10 s later.
    assert item['timeout_action'] == {'action': 'abort', 'microversion': '2.24', 'at': 11.0,
                                      'applied': True, 'error': None}
    assert item['outcome'] == 'failed'
    assert item['reason'] == ('timed out after 10 s; abort applied (compute API 2.24); '
                              'it stays on cmp1, ACTIVE')
    assert item['attempts'][0]['result'] == 'timed_out'
    assert result['failed'] and result['totals']['still_on_source'][0]['id'] == 'a'
    assert result['timeout_action'] == {'action': 'abort', 'microversion': '2.24'}


def test_timeout_forces_completion_and_reports_it():
    stuck = [{'status': 'running', 'id': 11, 'server': {'task_state': 'migrating'}}]
    result, actions, _clock = drain([server('a')], {'a': [stuck]}, timeout=10,
                                    timeout_action='force_complete')
    item = by_id(result)['a']
    assert ('force_complete', 'a', 11) in actions.calls
    assert item['outcome'] == 'moved'
    assert item['reason'] == ('ACTIVE on cmp2; timed out after 10 s; force_complete applied '
                              '(compute API 2.22)')
    assert item['timeout_action']['microversion'] == '2.22'


def test_refused_timeout_action_is_tried_again_then_gives_up():
    stuck = [{'status': 'running', 'server': {'task_state': 'migrating'}}]
    actions = Scripted([server('a')], {'a': [stuck]})
    actions.failing['force_complete'] = [HttpError(409, 'not in running state')] * 50
    result, actions, _clock = drain([server('a')], {}, actions=actions, timeout=10,
                                    action_grace=5, timeout_action='force_complete')
    item = by_id(result)['a']
    assert [c[0] for c in actions.calls].count('force_complete') == 5
    assert item['outcome'] == 'failed'
    assert item['reason'] == ("timed out after 10 s; force_complete (compute API 2.22) failed: "
                              "not in running state; the migration is still 'running' 5 s later")


def test_queued_time_does_not_count_against_the_timeout():
    queued_then_running = ([{'status': 'queued'}] * 8
                           + [{'status': 'running', 'server': {'task_state': 'migrating'}}] * 8
                           + [{'status': 'completed', 'server': arrived('cmp2')}])
    result, actions, _clock = drain([server('a')], {'a': [queued_then_running]}, timeout=10)
    assert by_id(result)['a']['outcome'] == 'moved'
    assert not [c for c in actions.calls if c[0] == 'abort']


def test_queued_time_is_bounded_too():
    result, actions, _clock = drain([server('a')], {'a': [[{'status': 'queued', 'id': 3}]]},
                                    timeout=10, action_grace=0)
    item = by_id(result)['a']
    assert ('abort', 'a', 3) in actions.calls
    assert item['outcome'] == 'failed'


def test_missing_migration_record_times_out():
    result, _actions, _clock = drain([server('a')], {'a': [[{'status': None}]]}, timeout=5,
                                     action_grace=2)
    item = by_id(result)['a']
    assert item['timeout_action']['error'] == 'no migration record to act on'
    assert item['reason'].endswith("the migration is still 'not started' 2 s later")


def test_cold_migration_is_confirmed_and_proven():
    cold = [{'status': 'migrating', 'server': {'task_state': 'resize_migrating'}},
            {'status': 'finished', 'server': {'host': 'cmp3', 'status': 'VERIFY_RESIZE',
                                              'task_state': None}}]
    off = server('off', status='SHUTOFF')
    result, actions, _clock = drain([off], {'off': [cold]}, non_live_policy='cold_migrate')
    item = by_id(result)['off']
    assert ('cold_migrate', 'off', None) in actions.calls
    assert ('confirm_migration', 'off') in actions.calls
    assert item['outcome'] == 'cold_migrated' and item['target'] == 'cmp3'
    assert result['totals']['cold_migrated'] == 1 and not result['failed']


def test_a_completed_record_without_the_server_moved_is_not_success():
    lying = [{'status': 'completed', 'dest': 'cmp2', 'server': {'task_state': None}}]
    result, _actions, _clock = drain([server('a')], {'a': [lying]}, settle_timeout=3)
    item = by_id(result)['a']
    assert item['outcome'] == 'failed'
    assert item['reason'] == 'the move is not proven: the server is still on cmp1'
    assert item['attempts'][0]['result'] == 'unproven'
    assert result['failed'] and result['totals']['still_on_source'][0]['id'] == 'a'


def test_proof_waits_for_the_server_to_catch_up():
    catching_up = [{'status': 'completed', 'dest': 'cmp2', 'server': {'task_state': 'migrating'}},
                   {'status': 'completed', 'dest': 'cmp2', 'server': arrived('cmp2')}]
    result, _actions, _clock = drain([server('a')], {'a': [catching_up]}, settle_timeout=5)
    assert by_id(result)['a']['outcome'] == 'moved'


def test_active_on_another_host_without_a_record_is_not_success():
    no_record = [{'status': None, 'server': arrived('cmp2')}]
    result, _actions, _clock = drain([server('a')], {'a': [no_record]}, timeout=5,
                                     action_grace=0)
    assert by_id(result)['a']['outcome'] == 'failed'
    assert result['failed'] is True


def test_lost_answer_with_a_running_migration_is_adopted():
    lost = ConnectFailure('connection reset')
    actions = Scripted([server('a')], {'a': [live()]})
    original = actions.live_migrate

    def accept_then_lose(server_id, target, block_migration):
        original(server_id, target, block_migration)
        raise lost
    actions.live_migrate = accept_then_lose
    result, actions, _clock = drain([server('a')], {}, actions=actions)
    item = by_id(result)['a']
    assert item['outcome'] == 'moved' and len(item['attempts']) == 1
    assert item['attempts'][0]['error'] == 'connection reset'


def test_poll_errors_are_tolerated():
    actions = Scripted([server('a')], {'a': [live()]})
    actions.failing['get_migration'] = [ConnectFailure('timed out'), ConnectFailure('timed out')]
    result, _actions, _clock = drain([server('a')], {}, actions=actions)
    assert by_id(result)['a']['outcome'] == 'moved'


def test_skipped_instances_keep_the_drain_failed():
    servers = [server('a'), server('sus', status='SUSPENDED')]
    result, _actions, _clock = drain(servers, {'a': [live()]}, non_live_policy='skip')
    assert by_id(result)['sus']['outcome'] == 'skipped'
    assert result['totals']['skipped'] == 1 and result['totals']['moved'] == 1
    assert result['failed'] is True
    assert [s['id'] for s in result['totals']['still_on_source']] == ['sus']
    assert 'vm-sus (sus) on cmp1' in result['msg']


def test_final_listing_wins_over_bookkeeping():
    actions = Scripted([server('a'), server('b')], {'a': [live()], 'b': [live()]})
    original = actions.servers_on_host

    def with_a_newcomer(host):
        return original(host) + [{'id': 'new', 'name': 'vm-new', 'host': host, 'status': 'BUILD'},
                                 {'id': 'a', 'name': 'vm-a', 'host': host, 'status': 'ACTIVE'}]
    actions.servers_on_host = with_a_newcomer
    result, _actions, _clock = drain([server('a'), server('b')], {}, actions=actions)
    assert result['failed'] is True
    assert [s['id'] for s in result['totals']['still_on_source']] == ['new', 'a']
    assert by_id(result)['a']['outcome'] == 'failed'
    assert by_id(result)['a']['reason'].endswith('but it is listed on cmp1 at the end')
    assert result['hosts'][0]['drained'] is False


def test_unlisted_source_falls_back_on_bookkeeping_and_fails():
    actions = Scripted([server('a'), server('b')], {'a': [live()], 'b': [[{'status': 'error'}]]})
    actions.failing['servers_on_host'] = [HttpError(503, 'down')]
    result, _actions, _clock = drain([server('a'), server('b')], {}, actions=actions,
                                     target_retries=0)
    assert result['failed'] is True
    assert [s['id'] for s in result['totals']['still_on_source']] == ['b']
    assert 'could not list the instances on cmp1 at the end (down)' in result['errors'][0]


def test_a_plan_with_problems_cannot_run():
    plan = plan_for([server('a'), server('off', status='SHUTOFF')])
    clock = Clock()
    with pytest.raises(ValueError, match='non_live_policy=fail'):
        Evacuation(plan, request(), Scripted([]), clock, clock.sleep)


def test_nothing_to_move_runs_nothing():
    result, actions, clock = drain([], {})
    assert not result['failed'] and result['instances'] == []
    assert actions.calls == [('servers_on_host', 'cmp1')] and clock.sleeps == []


def test_describe_error_is_used_for_messages():
    plan = plan_for([server('a')])
    clock = Clock()
    actions = Scripted([server('a')], {}, {'a': [HttpError(500, 'boom')]})
    result = Evacuation(plan, request(), actions, clock, clock.sleep,
                        describe_error=lambda exc: 'HTTP %s: %s' % (exc.status_code, exc)).run()
    assert by_id(result)['a']['reason'] == 'refused: HTTP 500: boom (after 1 attempt)'


# --- the host afterwards --------------------------------------------------

PLAN = {'sources': ['cmp1', 'cmp2'], 'disable': [{'host': 'cmp1', 'disabled_reason': 'x'}]}


@pytest.mark.parametrize('remaining, params, expected', [
    ([], {}, [('cmp1', True, 'keep_disabled', DEFAULTS['disabled_reason']),
              ('cmp2', True, 'keep_disabled', None)]),
    ([{'id': 'a', 'host': 'cmp1'}], {'disabled_reason': 'upgrade'},
     [('cmp1', False, 'keep_disabled', 'upgrade; drain incomplete, 1 instance(s) remain'),
      ('cmp2', True, 'keep_disabled', None)]),
    ([{'id': 'a', 'host': 'cmp1'}], {'enable_on_failure': True},
     [('cmp1', False, 'enable', None), ('cmp2', True, 'keep_disabled', None)]),
    # A host someone else disabled stays disabled with their reason.
    ([{'id': 'b', 'host': 'cmp2'}], {'enable_on_failure': True},
     [('cmp1', True, 'keep_disabled', DEFAULTS['disabled_reason']),
      ('cmp2', False, 'keep_disabled', None)]),
    ([{'id': 'a', 'host': 'cmp1'}], {'disabled_reason': 'r' * 300},
     [('cmp1', False, 'keep_disabled', 'r' * 255), ('cmp2', True, 'keep_disabled', None)]),
])
def test_host_actions(remaining, params, expected):
    actions = host_actions(PLAN, remaining, dict({'hosts': PLAN['sources']}, **params))
    assert [(a['host'], a['drained'], a['action'], a['disabled_reason']) for a in actions] == expected


def test_inputs_are_not_modified():
    servers = [server('a'), server('b', status='SHUTOFF')]
    provs = providers()
    before = copy.deepcopy((servers, provs, SERVICES, AGGREGATES))
    plan_evacuation(request(non_live_policy='cold_migrate', targets=['cmp2']), SERVICES,
                    AGGREGATES, servers, provs)
    assert (servers, provs, SERVICES, AGGREGATES) == before


def test_every_attempt_has_its_duration():
    broke = [{'status': 'running', 'server': {'task_state': 'migrating'}},
             {'status': 'error', 'server': {'task_state': None}}]
    result, _actions, _clock = drain([server('a')], {'a': [broke, live()]},
                                     starts={'a': [HttpError(503, 'busy')]})
    # The scheduler picks, so the retry after the failed migration backs off.
    assert [(a['at'], a['result'], a['duration'], a['retry_in'])
            for a in by_id(result)['a']['attempts']] == [
        (0.0, 'refused', 0.0, 5), (5.0, 'migration_failed', 2.0, 5), (12.0, 'completed', 3.0, None)]


def test_unreadable_server_after_a_failed_migration_is_judged_later():
    broke = [{'status': 'error', 'server': {'task_state': None}}]
    actions = Scripted([server('a')], {'a': [broke, live()]})
    actions.failing['get_server'] = [HttpError(503, 'busy')]
    result, _actions, _clock = drain([server('a')], {}, actions=actions, settle_timeout=5)
    assert [a['result'] for a in by_id(result)['a']['attempts']] == ['migration_failed', 'completed']


def test_cold_migration_timeout_has_no_action():
    slow = [{'status': 'migrating', 'server': {'task_state': 'resize_migrating'}}]
    result, actions, _clock = drain([server('off', status='SHUTOFF')], {'off': [slow]},
                                    non_live_policy='cold_migrate', timeout=5, action_grace=3)
    item = by_id(result)['off']
    assert not [c for c in actions.calls if c[0] in ('abort', 'force_complete')]
    assert item['reason'] == ("timed out after 5 s (a cold migration cannot be forced or "
                              "aborted); the migration is still 'migrating' 3 s later")


def test_a_target_that_starts_refusing_mid_drain_is_avoided():
    """Like a target disabled in the middle of a drain: the instances the
    plan gave it go to their alternate, each refusal reported."""
    servers = [server(str(i), ram=1024) for i in range(4)]
    disabled = HttpError(400, 'Compute service of cmp3 is unavailable at this time.')
    actions = Scripted(servers, {})
    original = actions.live_migrate

    def refuse_cmp3_after_the_first(server_id, target, block_migration):
        if target == 'cmp3' and any(c[0] == 'live_migrate' for c in actions.calls):
            actions.calls.append(('refused', server_id, target))
            raise disabled
        actions.runs[server_id] = [live(target)]
        original(server_id, target, block_migration)
    actions.live_migrate = refuse_cmp3_after_the_first
    result, actions, _clock = drain(servers, {}, actions=actions, targets=['cmp3', 'cmp4'],
                                    concurrency=2, per_host_concurrency=2)
    assert result['failed'] is False and result['totals']['moved'] == 4
    first_targets = {i['id']: (i['attempts'][0]['target'], i['target'])
                     for i in result['instances']}
    assert sorted(first_targets.values()) == [('cmp3', 'cmp3'), ('cmp3', 'cmp4'),
                                              ('cmp4', 'cmp4'), ('cmp4', 'cmp4')]
    refused = [i for i in result['instances'] if i['attempts'][0]['result'] == 'refused']
    assert [a['kind'] for i in refused for a in i['attempts']] == ['target', None]


def test_plan_and_result_are_plain_data():
    servers = [server('a'), server('off', status='SHUTOFF')]
    plan = plan_for(servers, non_live_policy='cold_migrate', targets=['cmp2'])
    cold = [{'status': 'finished', 'server': {'host': 'cmp2', 'status': 'VERIFY_RESIZE'}}]
    result, _actions, _clock = drain(servers, {'a': [live()], 'off': [cold]},
                                     non_live_policy='cold_migrate', targets=['cmp2'])
    assert json.loads(json.dumps(plan)) == plan
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize('count, limit, tail', [
    (2, 10, 'vm-1 (1) on cmp1.'),
    (12, 10, 'vm-9 (9) on cmp1 and 2 more.'),
])
def test_failure_message_lists_what_remains(count, limit, tail):
    result = {'failed': True, 'elapsed': 9, 'errors': [],
              'hosts': [{'host': 'cmp1'}], 'instances': [],
              'totals': {'moved': 0, 'cold_migrated': 0, 'skipped': 0, 'failed': 0,
                         'still_on_source': [{'id': str(i), 'name': 'vm-%d' % i, 'host': 'cmp1'}
                                             for i in range(count)]}}
    msg = summary_message(result, limit)
    assert msg.startswith('Drain of cmp1 incomplete: 0 moved live')
    assert ('%d instance(s) remain on the drained hosts' % count) in msg
    assert msg.endswith(tail)


# --- chosen instances (a refill) ----------------------------------------------

def chosen(found, **params):
    params = dict({'hosts': [], 'instances': list(found), 'targets': ['cmp1']}, **params)
    return normalize_request(params), select_instances(normalize_request(params), found)


@pytest.mark.parametrize('found, params, hosts, moving, in_place, missing, problem', [
    # Back from wherever the drain put them: the sources are their hosts.
    ({'a': server('a', host='cmp2'), 'b': server('b', host='cmp3')}, {},
     ['cmp2', 'cmp3'], ['a', 'b'], [], [], None),
    # Already home: nothing moves, so a second refill changes nothing.
    ({'a': server('a', host='cmp1'), 'b': server('b', host='cmp3')}, {},
     ['cmp3'], ['b'], ['a'], [], None),
    # Deleted meanwhile: refused, unless told to pass over it.
    ({'a': server('a', host='cmp2'), 'gone': None}, {},
     ['cmp2'], ['a'], [], ['gone'], 'No instance named or with the ID gone exists'),
    ({'a': server('a', host='cmp2'), 'gone': None}, {'ignore_missing': True},
     ['cmp2'], ['a'], [], ['gone'], None),
    # Named twice (name and ID): moved once.
    ({'vm-a': server('a', host='cmp2'), 'a': server('a', host='cmp2')}, {},
     ['cmp2'], ['a'], [], [], None),
    # Given hosts bound the sources.
    ({'a': server('a', host='cmp2'), 'b': server('b', host='cmp4')}, {'hosts': ['cmp2']},
     ['cmp2'], ['a'], [], [], 'Instance vm-b (b) runs on cmp4, not on hosts (cmp2)'),
])
def test_select_instances(found, params, hosts, moving, in_place, missing, problem):
    _request, selection = chosen(found, **params)
    assert selection['hosts'] == hosts
    assert [s['id'] for s in selection['servers']] == moving
    assert [s['id'] for s in selection['in_place']] == in_place
    assert selection['missing'] == missing
    if problem:
        assert any(problem in p for p in selection['problems'])
    else:
        assert selection['problems'] == []


def test_moving_chosen_instances_leaves_their_hosts_enabled():
    found = {'a': server('a', host='cmp2'), 'b': server('b', host='cmp2'),
             'c': server('c', host='cmp1')}
    req, selection = chosen(found)
    plan = plan_evacuation(req, SERVICES, AGGREGATES, None, providers(), selection)
    assert plan['problems'] == [] and plan['disable'] == []
    assert plan['sources'] == ['cmp2'] and plan['selected'] == ['a', 'b']
    assert [(m['id'], m['target']) for m in plan['moves']] == [('a', 'cmp1'), ('b', 'cmp1')]
    assert plan['in_place'] == [{'id': 'c', 'name': 'vm-c', 'host': 'cmp1'}]
    # Another instance on cmp2, not chosen, neither moves nor fails the result.
    others = [server('x', host='cmp2')]
    actions = Scripted(selection['servers'] + others,
                       {'a': [live('cmp1')], 'b': [live('cmp1')]})
    clock = Clock()
    result = Evacuation(plan, req, actions, clock, clock.sleep).run()
    assert result['failed'] is False and result['totals']['moved'] == 2
    assert result['hosts'] == [{'host': 'cmp2', 'drained': True, 'remaining': [],
                                'was_enabled': False, 'action': 'none',
                                'disabled_reason': None}]
    assert result['msg'].startswith('Moved the chosen instances off cmp2: 2 moved live')


def test_nothing_chosen_to_move_is_a_no_op():
    req, selection = chosen({'a': server('a', host='cmp1')})
    plan = plan_evacuation(req, SERVICES, AGGREGATES, None, providers(), selection)
    assert plan['problems'] == [] and plan['moves'] == [] and plan['disable'] == []
