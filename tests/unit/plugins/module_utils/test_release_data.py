# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The release map: its order and what each release's APIs serve."""
from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.stackroll.lifecycle.plugins.module_utils import _release_data
from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    compare_microversions,
    parse_api_version,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
    series_list,
)


def test_series_are_ordered_by_number():
    assert series_list() == ['2025.1', '2025.2', '2026.1', '2026.2']


@pytest.mark.parametrize('series', series_list())
def test_release_apis_are_valid(series):
    entry = RELEASES[series]
    assert entry['nova_oldest_compute'] <= entry['nova_service_version']
    for service, served in entry['apis'].items():
        assert served['versions'], service
        for version in served['versions'] + served.get('deprecated', []):
            parse_api_version(version)
        if 'max_version' in served:
            assert compare_microversions(served['min_version'],
                                         served['max_version']) < 0


@pytest.mark.parametrize('series, compute_max', [
    ('2025.1', '2.100'), ('2025.2', '2.100'), ('2026.1', '2.103'),
    ('2026.2', '2.104'),
])
def test_release_compute_maximum(series, compute_max):
    assert RELEASES[series]['apis']['compute']['max_version'] == compute_max


def test_release_keeps_its_existing_fields():
    entry = _release_data.release('2026.2')
    assert entry['series'] == '2026.2'
    assert entry['packages']['nova'] == 'nova==34.0.0'
    assert entry['constraints_overrides']
    assert _release_data.release('2025.1')['constraints_overrides'] == []


def _lab_constraints():
    """{series: the upper-constraints file the lab installs it with}."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    with open(os.path.join(root, 'lab', 'inventory', 'group_vars', 'all.yml'), encoding='utf-8') as handle:
        files = yaml.safe_load(handle)['openstack_constraints_files']
    return {series: os.path.join(root, 'lab', 'constraints', os.path.basename(path)) for series, path in files.items()}


@pytest.mark.parametrize('series', series_list())
def test_oslo_messaging_is_the_one_the_constraints_pin(series):
    with open(_lab_constraints()[series], encoding='utf-8') as handle:
        pins = dict(line.strip().split('===', 1) for line in handle if '===' in line and not line.startswith('#'))
    assert RELEASES[series]['oslo_messaging']['version'] == pins['oslo.messaging'].split(';')[0]


@pytest.mark.parametrize('series', series_list())
def test_oslo_messaging_has_the_quorum_queue_options(series):
    options = RELEASES[series]['oslo_messaging']['rabbit_queue_options']
    assert {'rabbit_quorum_queue', 'rabbit_transient_quorum_queue', 'rabbit_stream_fanout',
            'use_queue_manager'} <= set(options)
    assert len(options) == len(set(options))
