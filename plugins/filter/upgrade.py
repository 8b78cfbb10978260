# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Filters of the rolling upgrade.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils import (
    _upgrade_report as upgrade_report_module,
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


def _records(value, name, what, keys):
    """value, checked to be a list of mappings that hold keys."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence) \
            or not all(isinstance(item, Mapping) and all(key in item for key in keys) for item in value):
        raise AnsibleFilterError('%s expects a list of %s, each with %s, got %r.'
                                 % (name, what, ' and '.join(keys), value))
    return value


def upgrade_release_problems(releases, hosts):
    """{host: {service: release}} | upgrade_release_problems(hosts) -> messages."""
    if not isinstance(releases, Mapping) or not all(isinstance(found, Mapping) for found in releases.values()):
        raise AnsibleFilterError('upgrade_release_problems expects a mapping of host to {service: release}, got %r.'
                                 % (releases,))
    if isinstance(hosts, (str, bytes, Mapping)) or not isinstance(hosts, Sequence):
        raise AnsibleFilterError('upgrade_release_problems expects the list of hosts to upgrade, got %r.' % (hosts,))
    problems = ['Could not read what %s runs; make it reachable' % host for host in hosts if host not in releases]
    if any(release is None for host in hosts if host in releases for release in releases[host].values()):
        problems.append('A service runs a version the release map does not know; deploy a release of the map first')
    return problems


def upgrade_mixed_venvs(services, host):
    """stackroll_versions.services | upgrade_mixed_venvs(host) -> messages."""
    if not isinstance(services, Mapping) or not all(isinstance(found, Mapping) for found in services.values()):
        raise AnsibleFilterError('upgrade_mixed_venvs expects a mapping of service to what host_versions_facts '
                                 'found of it, got %r.' % (services,))
    return ['%s runs %s from several venvs at once; make every unit of %s start the same one' % (host, service, service)
            for service, found in services.items() if found.get('active_venvs') and found.get('mixed')]


def upgrade_still_disabled(services, reason):
    """compute_services | upgrade_still_disabled(reason) -> a message per service the upgrade disabled."""
    return ['%s is still disabled by the upgrade' % service['host']
            for service in _records(services, 'upgrade_still_disabled', "nova's services", ('host',))
            if service.get('status') == 'disabled' and service.get('disabled_reason') == reason]


def upgrade_old_computes(rows, version):
    """nova.services rows | upgrade_old_computes(version) -> a message per compute at another service version."""
    return ['nova-compute on %s does not report service version %s' % (row['host'], version)
            for row in _records(rows, 'upgrade_old_computes', 'rows of nova.services', ('host', 'version'))
            if row['version'] != version]


class FilterModule:
    """stackroll.lifecycle's upgrade filters."""

    def filters(self):
        return {
            'upgrade_report': upgrade_report,
            'upgrade_lagging': upgrade_lagging,
            'upgrade_release_problems': upgrade_release_problems,
            'upgrade_mixed_venvs': upgrade_mixed_venvs,
            'upgrade_still_disabled': upgrade_still_disabled,
            'upgrade_old_computes': upgrade_old_computes,
        }
