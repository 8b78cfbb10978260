# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Which release each host runs of each service, and where they differ."""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
    release,
    series_named,
)


def _cell(service):
    """What one host runs of a service, as a release (or several)."""
    venvs = service.get('active_venvs') or []
    if service.get('release'):
        return [service['release']]
    found = []
    for venv in venvs:
        series = venv.rpartition('-')[2]
        found.append(series if series in RELEASES else venv)
    return found


def _marked(row, service, mixed):
    """A host's cell of the table: '*' marks a service of mixed releases."""
    if service not in row:
        return '-'
    return row[service] + ('*' if service in mixed else '')


def version_skew(hosts, compute_report=None):
    """Which release each host runs of each service, and where they differ.

    ``hosts``: ``{host: stackroll_versions}`` as ``host_versions_facts``
    sets it.  ``compute_report``: ``api_versions_info``'s, for nova's RPC
    pin.  Returns ``{'services', 'hosts': {host: {service: release, or
    'a+b' when its units run several}}, 'mixed': {service: [releases]}
    (services whose hosts run more than one release), 'rpc_pin',
    'min_compute_version', 'table': [lines]}``.  Services a host has
    installed but runs nothing of are left out of its row.
    """
    services = sorted(set(name for facts in hosts.values()
                          for name, service in facts.get('services', {}).items()
                          if service.get('active_venvs')))
    rows, releases = {}, {}
    for host in sorted(hosts):
        row = rows[host] = {}
        for name, service in hosts[host].get('services', {}).items():
            cell = _cell(service)
            if not cell:
                continue
            row[name] = '+'.join(cell)
            releases.setdefault(name, set()).update(cell)
    mixed = dict((name, sorted(found, key=str)) for name, found
                 in sorted(releases.items()) if len(found) > 1)
    report = compute_report or {}
    header = ['host'] + services
    lines = [[host] + [_marked(rows[host], name, mixed) for name in services]
             for host in sorted(rows)]
    widths = [max(len(str(line[i])) for line in [header] + lines)
              for i in range(len(header))]
    table = [' | '.join(str(cell).ljust(width) for cell, width
                        in zip(line, widths)).rstrip()
             for line in [header] + lines]
    table.append('mixed releases (*): %s' % ('; '.join(
        '%s %s' % (name, ', '.join(found)) for name, found in mixed.items())
        or 'none'))
    controllers = series_named(report.get('controller_release'))
    if (report.get('rpc_pin') and controllers and report['min_version']
            == release(controllers)['nova_service_version']):
        # auto resolves to the controllers' own version: nothing is pinned.
        table.append('nova compute RPC pin: none (every compute at service '
                     'version %s, as the controllers %s)'
                     % (report['min_version'], controllers))
    elif report.get('rpc_pin'):
        table.append('nova compute RPC pin: %s (minimum compute service '
                     'version %s, controllers %s)'
                     % (report['rpc_pin'], report['min_version'],
                        report.get('controller_release')))
    elif compute_report is not None:
        table.append('nova compute RPC pin: none (%s)' % (
            'computes the controllers refuse: %s' % ', '.join(
                report.get('too_old', []) + report.get('too_new', []))
            if report.get('too_old') or report.get('too_new')
            else 'no compute counted'))
    return {'services': services, 'hosts': rows, 'mixed': mixed,
            'rpc_pin': report.get('rpc_pin'),
            'min_compute_version': report.get('min_version'),
            'table': table}
