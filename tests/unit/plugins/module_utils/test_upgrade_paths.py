# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Upgrade paths between releases: next release, or SLURP to SLURP."""
from __future__ import annotations

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    UnknownRelease,
    series_list,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._upgrade_paths import (
    UnsupportedUpgrade,
    allowed_next,
    check_upgrade,
    upgrade_path,
)


@pytest.mark.parametrize('current, expected', [
    ('2025.1', ['2025.2', '2026.1']),
    ('epoxy', ['2025.2', '2026.1']),
    ('2025.2', ['2026.1']),
    ('2026.1', ['2026.2']),
    ('2026.2', []),
])
def test_allowed_next(current, expected):
    assert allowed_next(current) == expected


def _hops(steps):
    return [(s['from'], s['to'], s['skip_level']) for s in steps]


@pytest.mark.parametrize('current, target, skip_level, expected', [
    ('2025.1', '2025.2', True, [('2025.1', '2025.2', False)]),
    ('2025.1', '2026.1', True, [('2025.1', '2026.1', True)]),
    ('2025.1', '2026.1', False, [('2025.1', '2025.2', False),
                                 ('2025.2', '2026.1', False)]),
    ('2025.1', '2026.2', True, [('2025.1', '2026.1', True),
                                ('2026.1', '2026.2', False)]),
    ('2025.1', '2026.2', False, [('2025.1', '2025.2', False),
                                 ('2025.2', '2026.1', False),
                                 ('2026.1', '2026.2', False)]),
    ('2025.2', '2026.2', True, [('2025.2', '2026.1', False),
                                ('2026.1', '2026.2', False)]),
    ('2026.1', '2026.2', True, [('2026.1', '2026.2', False)]),
    ('flamingo', 'hibiscus', True, [('2025.2', '2026.1', False),
                                    ('2026.1', '2026.2', False)]),
    ('2026.1', '2026.1', True, []),
    ('gazpacho', '2026.1', True, []),
])
def test_upgrade_path(current, target, skip_level, expected):
    assert _hops(upgrade_path(current, target, skip_level)) == expected


@pytest.mark.parametrize('current, target, error, message', [
    ('2026.2', '2026.1', UnsupportedUpgrade,
     r'2026.2 \(hibiscus\) -> 2026.1 \(gazpacho\) is a downgrade, which '
     r'OpenStack does not support. Allowed next steps from 2026.2: none, '
     r'2026.2 is the newest release of the map\.'),
    ('2025.2', '2025.1', UnsupportedUpgrade,
     r'Allowed next steps from 2025.2: 2026.1 \(gazpacho\)\.'),
    ('2026.1', '2025.1', UnsupportedUpgrade, 'is a downgrade'),
    ('2024.2', '2026.1', UnknownRelease, "Unknown OpenStack release '2024.2'"),
    ('2026.1', 'zed', UnknownRelease, "Unknown OpenStack release 'zed'"),
])
def test_upgrade_path_refuses(current, target, error, message):
    with pytest.raises(error, match=message):
        upgrade_path(current, target)


def test_unsupported_upgrade_is_a_value_error():
    assert issubclass(UnsupportedUpgrade, ValueError)


@pytest.mark.parametrize('current, target, message', [
    ('2025.1', '2025.2',
     '2025.1 (epoxy) -> 2025.2 (flamingo): upgrade to the next release.'),
    ('2025.1', '2026.1', '2025.1 (epoxy) -> 2026.1 (gazpacho): skip-level '
     'upgrade between SLURP releases.'),
    ('epoxy', 'gazpacho', '2025.1 (epoxy) -> 2026.1 (gazpacho): skip-level '
     'upgrade between SLURP releases.'),
    ('2025.2', '2026.1', '2025.2 (flamingo) -> 2026.1 (gazpacho): upgrade to '
     'the next release.'),
    ('2026.1', '2026.2', '2026.1 (gazpacho) -> 2026.2 (hibiscus): upgrade to '
     'the next release.'),
    ('2026.2', '2026.2', 'Already on 2026.2 (hibiscus): nothing to upgrade.'),
])
def test_check_upgrade_allows(current, target, message):
    assert check_upgrade(current, target) == (True, message)


@pytest.mark.parametrize('current, target, parts', [
    # Skip-level only from a SLURP release to the next SLURP release.
    ('2025.2', '2026.2', [
        '2025.2 (flamingo) -> 2026.2 (hibiscus) is not a supported upgrade',
        'Allowed next steps from 2025.2: 2026.1 (gazpacho).',
        'Supported path: 2025.2 -> 2026.1 -> 2026.2.']),
    ('2025.1', '2026.2', [
        'Allowed next steps from 2025.1: 2025.2 (flamingo), 2026.1 (gazpacho) '
        '(SLURP skip-level).',
        'Supported path: 2025.1 -> 2026.1 -> 2026.2.']),
    ('2026.2', '2025.1', ['is a downgrade', 'newest release of the map']),
    ('2026.1', '2025.2', ['is a downgrade',
                          'Allowed next steps from 2026.1: 2026.2 (hibiscus).']),
    ('2026.1', '2027.1', ["Unknown OpenStack release '2027.1'",
                          'Known releases: 2025.1 (epoxy)']),
    ('dalmatian', '2025.1', ["Unknown OpenStack release 'dalmatian'"]),
])
def test_check_upgrade_refuses(current, target, parts):
    ok, message = check_upgrade(current, target)
    assert not ok
    for part in parts:
        assert part in message


@pytest.mark.parametrize('current', series_list())
@pytest.mark.parametrize('target', series_list())
def test_every_path_step_passes_the_check(current, target):
    if series_list().index(target) < series_list().index(current):
        return
    for step in upgrade_path(current, target):
        assert check_upgrade(step['from'], step['to'])[0]
