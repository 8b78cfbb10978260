# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The release lookup the deploy roles read the release map through."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.stackroll.lifecycle.plugins.lookup.release import (
    LookupModule,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
)


@pytest.fixture(name='lookup')
def _lookup():
    return LookupModule()


@pytest.mark.parametrize('terms, series', [
    (['2026.2'], ['2026.2']),
    (['hibiscus'], ['2026.2']),
    (['Hibiscus'], ['2026.2']),
    ([' gazpacho '], ['2026.1']),
    ([2026.2], ['2026.2']),      # an unquoted series in YAML is a float
    ([2025.1], ['2025.1']),
    (['2025.1', 'flamingo'], ['2025.1', '2025.2']),
])
def test_release_entries(lookup, terms, series):
    assert [entry['series'] for entry in lookup.run(terms)] == series


def test_entry_content(lookup):
    entry = lookup.run(['2026.2'])[0]
    assert entry['codename'] == 'hibiscus'
    assert entry['slurp'] is False
    assert entry['packages']['nova'] == 'nova==34.0.0'
    assert entry['constraints_overrides'] == ['keystoneauth1===5.16.0',
                                              'oslo.versionedobjects===3.12.0']
    assert entry['apis']['compute']['max_version'] == '2.104'
    assert entry['nova_service_version'] == 74
    assert entry['nova_oldest_compute'] == 72
    assert lookup.run(['2025.1'])[0]['constraints_overrides'] == []


def test_entries_are_copies(lookup):
    entry = lookup.run(['2026.2'])[0]
    entry['packages']['nova'] = 'nova==0.0.0'
    entry['apis']['compute']['versions'].append('v9.9')
    assert RELEASES['2026.2']['packages']['nova'] == 'nova==34.0.0'
    assert lookup.run(['2026.2'])[0]['apis']['compute']['versions'] == [
        'v2.0', 'v2.1']


@pytest.mark.parametrize('terms, message', [
    (['2027.1'], r"Unknown OpenStack release '2027.1'. Known releases: "
                 r"2025.1 \(epoxy\), 2025.2 \(flamingo\), 2026.1 \(gazpacho\), "
                 r"2026.2 \(hibiscus\)\."),
    (['2026.2', 'zed'], "Unknown OpenStack release 'zed'"),
    ([], 'No release given'),
    ([''], 'No release given'),
    (['  '], 'No release given'),
    ([None], 'A release must be a series such as 2026.2'),
    ([['2026.2']], 'A release must be a series'),
    ([{'series': '2026.2'}], 'A release must be a series'),
])
def test_unknown_releases_fail(lookup, terms, message):
    with pytest.raises(AnsibleLookupError, match=message):
        lookup.run(terms)
