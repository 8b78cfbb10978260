# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Filters of the backups, their verification, retention and restore.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def _list(value, name, what):
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise AnsibleFilterError('%s expects a list of %s, got %r.' % (name, what, value))
    return value


def _mapping(value, name, what):
    if not isinstance(value, Mapping):
        raise AnsibleFilterError('%s expects %s, got %r.' % (name, what, value))
    return value


def _listings(value, name):
    for listing in _list(value, name, "backup_manifests_info's results, one per host"):
        if not isinstance(listing, Mapping) or 'item' not in listing:
            raise AnsibleFilterError('%s expects each listing to name its host (item), got %r.' % (name, listing))
        for backup in _list(listing.get('backups') or [], name, 'backups {name, manifest}'):
            if not isinstance(backup, Mapping) or not backup.get('name'):
                raise AnsibleFilterError('%s expects each backup to have a name, got %r.' % (name, backup))
    return value


def backup_retention(listings, keep, safety_keep, current):
    """backup_manifests_info results | backup_retention(7, 3, current) -> [{host, name}] to delete."""
    if int(keep) < 1:
        raise AnsibleFilterError('backup_retention keeps at least one backup, not %r.' % (keep,))
    if int(safety_keep) < 0:
        raise AnsibleFilterError('backup_retention keeps no safety dumps at the least, not %r.' % (safety_keep,))
    return _backup.retention(_listings(listings, 'backup_retention'), int(keep), int(safety_keep), current)


def backup_chosen(backups, requested, where):
    """backup_manifests_info's backups | backup_chosen('latest', 'ctl1:/var/backups/stackroll') -> {name, manifest, ...}."""
    _listings([{'item': where, 'backups': backups}], 'backup_chosen')
    return _backup.choose(backups, requested or '', where)


def backup_running_release(readings, fallback):
    """host_versions_facts results | backup_running_release(openstack_release) -> {release, read_from, services}."""
    readings = _list(readings, 'backup_running_release', "host_versions_facts' results")
    if not all(isinstance(reading, Mapping) for reading in readings):
        raise AnsibleFilterError("backup_running_release expects host_versions_facts' results, got %r." % (readings,))
    return _backup.running_release(readings, fallback)


def backup_restore_refusals(manifest, context):
    """manifest | backup_restore_refusals({name, requested, confirm, running, ...}) -> messages."""
    _mapping(manifest, 'backup_restore_refusals', "a backup's manifest")
    _mapping(context, 'backup_restore_refusals', 'the context of the restore')
    if not context.get('name'):
        raise AnsibleFilterError('backup_restore_refusals expects the name of the backup in its context.')
    return _backup.restore_refusals(manifest, context)


def backup_file_problems(files, found, base, host=None):
    """manifest files | backup_file_problems(find results, folder[, host]) -> messages."""
    for item in _list(files, 'backup_file_problems', "a manifest's files"):
        if not isinstance(item, Mapping) or 'path' not in item or ('host' not in item and not host):
            raise AnsibleFilterError('backup_file_problems expects files {host, path, sha256}, got %r.' % (item,))
    if isinstance(found, Mapping):
        found = [found]
    return _backup.file_problems(files, _list(found, 'backup_file_problems', "find's results"), base, host)


def backup_recipient_problems(recipients):
    """backup_encryption_recipients | backup_recipient_problems -> messages."""
    return _backup.recipient_problems(_list(recipients, 'backup_recipient_problems', 'public keys'))


class FilterModule:
    """stackroll.lifecycle's backup filters."""

    def filters(self):
        return {
            'backup_chosen': backup_chosen,
            'backup_count_query': backup_count_query,
            'backup_file_problems': backup_file_problems,
            'backup_recipient_problems': backup_recipient_problems,
            'backup_restore_refusals': backup_restore_refusals,
            'backup_retention': backup_retention,
            'backup_row_ranges': backup_row_ranges,
            'backup_row_mismatches': backup_row_mismatches,
            'backup_running_release': backup_running_release,
        }
