# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Filters of the rolling upgrade.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils import (
    upgrade_report as upgrade_report_module,
)


def _mapping(value, name):
    if not isinstance(value, dict):
        raise AnsibleFilterError('%s expects a mapping of host to its record, got %r.'
                                 % (name, value))
    return value


def upgrade_report(progress, release, preflight=None, versions_after=None):
    """{host: upgrade_progress} | upgrade_report('2026.2', ...) -> the report."""
    return upgrade_report_module.build_report(
        _mapping(progress, 'upgrade_report'), release, preflight, versions_after)


def upgrade_lagging(versions, release):
    """{host: {service: release}} | upgrade_lagging('2026.2') -> messages."""
    return upgrade_report_module.lagging(_mapping(versions, 'upgrade_lagging'), release)


class FilterModule:
    """stackroll.lifecycle's upgrade filters."""

    def filters(self):
        return {
            'upgrade_report': upgrade_report,
            'upgrade_lagging': upgrade_lagging,
        }
