# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The version filters, and their documentation beside them."""
from __future__ import annotations

import inspect
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import versions
from ansible_collections.stackroll.lifecycle.plugins.filter.versions import (
    FilterModule,
)

FILTERS = FilterModule().filters()
DOCS = os.path.dirname(versions.__file__)


def run(name, *args, **kwargs):
    return FILTERS[name](*args, **kwargs)


@pytest.mark.parametrize('name, args, kwargs, expected', [
    ('release_of', ('34.0.0', 'nova'), {}, '2026.2'),
    ('release_of', ('33.0.1', 'nova'), {}, '2026.1'),
    ('release_of', ('15.0.0', 'openstack-placement'), {}, '2026.1'),
    ('release_of', ('nova==32.2.1',), {}, '2025.2'),
    ('release_of', ('30.1.0', 'nova'), {'default': 'unknown'}, 'unknown'),
    ('release_of', ('30.1.0', 'nova'), {'default': None}, None),
    ('version_of', ('nova', '2026.2'), {}, '34.0.0'),
    ('version_of', ('openstack-placement', 'epoxy'), {}, '13.0.1'),
    ('microversion_compare', ('2.9', '2.10'), {}, -1),
    ('microversion_compare', ('2.10', '2.9'), {}, 1),
    ('microversion_compare', ('2.79', '2.79'), {}, 0),
    ('microversion_compare', ('latest', '2.104'), {}, 1),
    ('microversion_sort', (['2.10', '2.9', '2.100'],), {},
     ['2.9', '2.10', '2.100']),
    ('microversion_sort', (('2.10', '2.9'),), {'reverse': True},
     ['2.10', '2.9']),
    ('upgrade_path', ('2025.1', '2026.2'), {}, [
        {'from': '2025.1', 'to': '2026.1', 'skip_level': True},
        {'from': '2026.1', 'to': '2026.2', 'skip_level': False}]),
    ('upgrade_path', ('2025.1', '2026.1'), {'skip_level': False}, [
        {'from': '2025.1', 'to': '2025.2', 'skip_level': False},
        {'from': '2025.2', 'to': '2026.1', 'skip_level': False}]),
    ('upgrade_path', ('hibiscus', '2026.2'), {}, []),
    ('upgrade_check', ('2025.1', '2026.1'), {}, {
        'ok': True, 'msg': '2025.1 (epoxy) -> 2026.1 (gazpacho): skip-level '
                           'upgrade between SLURP releases.'}),
])
def test_filters(name, args, kwargs, expected):
    assert run(name, *args, **kwargs) == expected


@pytest.mark.parametrize('name, args, message', [
    ('release_of', ('30.1.0', 'nova'), 'nova 30.1.0 belongs to no release'),
    ('release_of', ('34.0.0', 'cinder'), 'Unknown service or package'),
    ('release_of', ('34.0.0',), 'Give a version'),
    ('version_of', ('nova', '2027.1'), "Unknown OpenStack release '2027.1'"),
    ('microversion_compare', (2.10, '2.9'), 'is a number: quote it'),
    ('microversion_compare', ('2.x', '2.9'), 'Invalid microversion'),
    ('microversion_sort', ('2.10',), 'expects a list'),
    ('microversion_sort', (None,), 'expects a list'),
    ('microversion_sort', (['2.1', 'newest'],), "Invalid microversion 'newest'"),
    ('upgrade_path', ('2026.2', '2025.1'), 'is a downgrade'),
    ('upgrade_path', ('2026.2', 'zed'), "Unknown OpenStack release 'zed'"),
])
def test_filters_fail_with_the_reason(name, args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        run(name, *args)


def test_upgrade_check_refuses_without_failing():
    verdict = run('upgrade_check', '2025.2', '2026.2')
    assert not verdict['ok']
    assert 'Allowed next steps from 2025.2: 2026.1 (gazpacho).' in verdict['msg']


@pytest.mark.parametrize('name', sorted(FILTERS))
def test_every_filter_is_documented(name):
    with open(os.path.join(DOCS, name + '.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    documentation = doc['DOCUMENTATION']
    assert documentation['name'] == name
    assert doc['EXAMPLES'].count('stackroll.lifecycle.%s' % name) >= 1
    assert '_value' in doc['RETURN']
    # The documented options are the filter's parameters, in order.
    parameters = list(inspect.signature(FILTERS[name]).parameters)
    options = set(documentation['options'])
    assert options == {'_input'} | set(parameters[1:])
    positional = [p.strip() for p in
                  documentation.get('positional', '_input').split(',')]
    assert positional == ['_input'] + parameters[1:len(positional)]


def _facts(**services):
    """A stackroll_versions fact with each service's active venvs."""
    found = {}
    for name, venvs in services.items():
        venvs = venvs.split(',')
        series = [venv.rpartition('-')[2] for venv in venvs]
        found[name] = {'active_venvs': venvs, 'mixed': len(venvs) > 1,
                       'release': series[0] if len(venvs) == 1 else None}
    return {'services': found}


HOSTS = {
    'ctl1': _facts(keystone='keystone-2026.2', nova='nova-2026.2'),
    'cmp1': _facts(nova='nova-2026.1'),
    'cmp2': _facts(nova='nova-2026.1,nova-2026.2'),
    'cmp3': {'services': {'nova': {'active_venvs': [], 'release': None}}},
}
PIN = {'rpc_pin': '6.5', 'min_version': 72, 'controller_release': '2026.2',
       'too_old': [], 'too_new': []}


def test_version_skew():
    skew = run('version_skew', HOSTS, PIN)
    assert skew['services'] == ['keystone', 'nova']
    assert skew['hosts']['cmp2'] == {'nova': '2026.1+2026.2'}
    assert skew['hosts']['cmp3'] == {}
    assert skew['mixed'] == {'nova': ['2026.1', '2026.2']}
    assert (skew['rpc_pin'], skew['min_compute_version']) == ('6.5', 72)
    assert skew['table'] == [
        'host | keystone | nova',
        'cmp1 | -        | 2026.1*',
        'cmp2 | -        | 2026.1+2026.2*',
        'cmp3 | -        | -',
        'ctl1 | 2026.2   | 2026.2*',
        'mixed releases (*): nova 2026.1, 2026.2',
        'nova compute RPC pin: 6.5 (minimum compute service version 72, '
        'controllers 2026.2)',
    ]


@pytest.mark.parametrize('report, last', [
    (None, 'mixed releases (*): none'),
    ({'rpc_pin': None, 'too_old': ['cmp1'], 'too_new': []},
     'nova compute RPC pin: none (computes the controllers refuse: cmp1)'),
    ({'rpc_pin': None, 'too_old': [], 'too_new': []},
     'nova compute RPC pin: none (no compute counted)'),
    ({'rpc_pin': '6.5', 'min_version': 74, 'controller_release': '2026.2'},
     'nova compute RPC pin: none (every compute at service version 74, as the controllers 2026.2)'),
])
def test_version_skew_without_a_pin(report, last):
    hosts = {'ctl1': _facts(nova='nova-2026.2')}
    assert run('version_skew', hosts, report)['table'][-1] == last


def test_version_skew_needs_a_mapping():
    with pytest.raises(AnsibleFilterError, match='expects a mapping'):
        run('version_skew', ['ctl1'])
