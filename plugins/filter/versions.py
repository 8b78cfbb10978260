# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Filters over the release map and microversions.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils import (
    _microversions,
    _package_releases,
    _upgrade_paths,
    _version_skew,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import input_errors_as

# The helpers' ValueErrors reach the template as filter errors, with their message.
_plain_errors = input_errors_as(AnsibleFilterError)


_FAIL = object()


@_plain_errors
def release_of(version, name=None, default=_FAIL):
    """'34.0.0' | release_of('nova') -> '2026.2'."""
    try:
        if name is None:
            return _package_releases.release_of(version)
        return _package_releases.release_of(name, version)
    except _package_releases.UnknownVersion:
        if default is _FAIL:
            raise
        return default


@_plain_errors
def version_of(service, series):
    """'nova' | version_of('2026.2') -> '34.0.0'."""
    return _package_releases.version_of(service, series)


@_plain_errors
def microversion_compare(version, other):
    """'2.9' | microversion_compare('2.10') -> -1."""
    return _microversions.compare_microversions(version, other)


@_plain_errors
def microversion_sort(values, reverse=False):
    """['2.10', '2.9'] | microversion_sort -> ['2.9', '2.10']."""
    if isinstance(values, (str, bytes)) or not hasattr(values, '__iter__'):
        raise AnsibleFilterError('microversion_sort expects a list, got %r.'
                                 % (values,))
    return _microversions.sort_microversions(list(values), reverse=bool(reverse))


@_plain_errors
def upgrade_path(current, target, skip_level=True):
    """'2025.1' | upgrade_path('2026.2') -> the steps, in order."""
    return _upgrade_paths.upgrade_path(current, target, skip_level=bool(skip_level))


@_plain_errors
def upgrade_check(current, target):
    """'2025.1' | upgrade_check('2026.1') -> {'ok': true, 'msg': ...}."""
    ok, msg = _upgrade_paths.check_upgrade(current, target)
    return {'ok': ok, 'msg': msg}


@_plain_errors
def version_skew(hosts, compute_report=None):
    """{host: stackroll_versions} | version_skew -> the skew table."""
    if not isinstance(hosts, dict):
        raise AnsibleFilterError('version_skew expects a mapping of host to '
                                 'its stackroll_versions fact, got %r.'
                                 % (hosts,))
    return _version_skew.version_skew(hosts, compute_report)


class FilterModule:
    """stackroll.lifecycle's version filters."""

    def filters(self):
        return {
            'release_of': release_of,
            'version_of': version_of,
            'microversion_compare': microversion_compare,
            'microversion_sort': microversion_sort,
            'upgrade_path': upgrade_path,
            'upgrade_check': upgrade_check,
            'version_skew': version_skew,
        }
