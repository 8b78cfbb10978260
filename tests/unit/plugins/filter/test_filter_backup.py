# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The backup filters: row count queries, ranges, comparison, retention."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.backup import FilterModule

FILTERS = FilterModule().filters()


def rows(**counts):
    return [{'tbl': table, 'n': n} for table, n in counts.items()]


def test_count_query_quotes_names():
    query = FILTERS['backup_count_query'](['instances', "we`ird'"], 'nova')
    assert query == ("SELECT 'instances' AS tbl, COUNT(*) AS n FROM `nova`.`instances` UNION ALL "
                     "SELECT 'we`ird''' AS tbl, COUNT(*) AS n FROM `nova`.`we``ird'`")


def test_count_query_of_no_table_is_empty():
    assert FILTERS['backup_count_query']([], 'nova') == ''


@pytest.mark.parametrize('before, after, expected', [
    (rows(a=3, b=5), rows(a=4, b=5), {'a': [3, 4], 'b': [5, 5]}),
    (rows(a=4), rows(a=2), {'a': [2, 4]}),            # rows deleted meanwhile
    (rows(a=1), rows(a=1, b=7), {'a': [1, 1], 'b': [7, 7]}),
    ([], None, {}),
])
def test_row_ranges(before, after, expected):
    assert FILTERS['backup_row_ranges'](before, after) == expected


def test_row_ranges_takes_only_rows():
    with pytest.raises(AnsibleFilterError, match='rows'):
        FILTERS['backup_row_ranges']([{'name': 'a'}], [])


@pytest.mark.parametrize('counted, expected', [
    (rows(a=3, b=5), []),
    (rows(a=4, b=5), []),
    (rows(a=2, b=5), ['nova.a: 2 rows restored, 3..4 counted']),
    (rows(a=3, b=6), ['nova.b: 6 rows restored, 5 counted']),
    (rows(a=3), ['nova.b: missing from the dump (5 rows counted)']),
    (rows(a=3, b=5, c=0), ['nova.c: in the dump, not in the database']),
])
def test_row_mismatches(counted, expected):
    assert FILTERS['backup_row_mismatches'](counted, {'a': [3, 4], 'b': [5, 5]}, 'nova') == expected


BACKUPS = ['/b/20261127T000000Z', '/b/20261129T000000Z', '/b/20261128T000000Z', '/b/20261130T000000Z']


@pytest.mark.parametrize('keep, current, expected', [
    (2, '/b/20261130T000000Z', ['/b/20261127T000000Z', '/b/20261128T000000Z']),
    (1, '/b/20261130T000000Z', ['/b/20261127T000000Z', '/b/20261128T000000Z', '/b/20261129T000000Z']),
    (7, '/b/20261130T000000Z', []),
    # A backup named otherwise is not among them: keep that many of the others.
    (2, '/b/named', ['/b/20261127T000000Z', '/b/20261128T000000Z']),
])
def test_expired(keep, current, expected):
    assert FILTERS['backup_expired'](BACKUPS, keep, current) == expected


def test_expired_keeps_one_at_least():
    with pytest.raises(AnsibleFilterError, match='at least one'):
        FILTERS['backup_expired'](BACKUPS, 0, '/b/x')
