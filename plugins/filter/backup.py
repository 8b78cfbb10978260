# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Filters of the backups and their verification.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils import _backup


def _rows(value, name):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, dict) and 'tbl' in row and 'n' in row
                                              for row in value):
        raise AnsibleFilterError('%s expects a list of rows {tbl, n}, got %r.' % (name, value))
    return value


def backup_count_query(tables, database):
    """['instances', ...] | backup_count_query('nova') -> SQL."""
    if not isinstance(tables, list):
        raise AnsibleFilterError('backup_count_query expects a list of tables, got %r.' % (tables,))
    return _backup.count_query(database, tables)


def backup_row_ranges(before, after):
    """rows before | backup_row_ranges(rows after) -> {table: [low, high]}."""
    return _backup.row_ranges(_rows(before, 'backup_row_ranges'), _rows(after, 'backup_row_ranges'))


def backup_row_mismatches(counted, ranges, database):
    """restored rows | backup_row_mismatches(ranges, 'nova') -> messages."""
    if not isinstance(ranges, dict):
        raise AnsibleFilterError('backup_row_mismatches expects ranges {table: [low, high]}, got %r.' % (ranges,))
    return _backup.row_mismatches(ranges, _rows(counted, 'backup_row_mismatches'), database)


def backup_expired(paths, keep, current):
    """['/var/backups/stackroll/2026...', ...] | backup_expired(7, current) -> paths to delete."""
    if not isinstance(paths, list):
        raise AnsibleFilterError('backup_expired expects a list of paths, got %r.' % (paths,))
    if int(keep) < 1:
        raise AnsibleFilterError('backup_expired keeps at least one backup, not %r.' % (keep,))
    return _backup.expired(paths, keep, current)


class FilterModule:
    """stackroll.lifecycle's backup filters."""

    def filters(self):
        return {
            'backup_count_query': backup_count_query,
            'backup_expired': backup_expired,
            'backup_row_ranges': backup_row_ranges,
            'backup_row_mismatches': backup_row_mismatches,
        }
