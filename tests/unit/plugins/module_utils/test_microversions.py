# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Microversions: parsing and order (2.9 < 2.10 < latest)."""
from __future__ import annotations

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    compare_microversions,
    microversion_key,
    parse_microversion,
    sort_microversions,
)


@pytest.mark.parametrize('text, expected', [
    ('2.1', (2, 1)),
    ('2.10', (2, 10)),
    ('2.104', (2, 104)),
    ('1.0', (1, 0)),
    (' 2.79 ', (2, 79)),
])
def test_parse_microversion(text, expected):
    assert parse_microversion(text) == expected


@pytest.mark.parametrize('value, message', [
    (2.1, 'is a number: quote it'),
    (2, 'is a number'),
    (True, 'is a number'),
    (None, 'is not a string'),
    (['2.1'], 'is not a string'),
    ('', 'expected MAJOR.MINOR'),
    ('2', 'expected MAJOR.MINOR'),
    ('2.1.3', 'expected MAJOR.MINOR'),
    ('v2.1', 'expected MAJOR.MINOR'),
    ('2.01', 'expected MAJOR.MINOR'),
    ('0.5', 'expected MAJOR.MINOR'),
    ('latest', 'expected MAJOR.MINOR'),
    ('compute 2.1', 'expected MAJOR.MINOR'),
])
def test_parse_microversion_refuses(value, message):
    with pytest.raises(ValueError, match=message):
        parse_microversion(value)


@pytest.mark.parametrize('left, right, expected', [
    ('2.9', '2.10', -1),
    ('2.10', '2.9', 1),
    ('2.10', '2.10', 0),
    ('2.100', '2.99', 1),
    ('1.39', '2.1', -1),
    ('latest', '2.104', 1),
    ('2.104', 'latest', -1),
    ('latest', 'LATEST', 0),
])
def test_compare_microversions(left, right, expected):
    assert compare_microversions(left, right) == expected


@pytest.mark.parametrize('values, reverse, expected', [
    (['2.10', '2.9', '2.1', '2.100'], False, ['2.1', '2.9', '2.10', '2.100']),
    (['2.10', 'latest', '2.9'], False, ['2.9', '2.10', 'latest']),
    (['2.10', '2.9', '2.1'], True, ['2.10', '2.9', '2.1']),
    ([], False, []),
])
def test_sort_microversions(values, reverse, expected):
    assert sort_microversions(values, reverse=reverse) == expected


def test_microversion_key_refuses_garbage():
    with pytest.raises(ValueError, match='Invalid microversion'):
        microversion_key('newest')
