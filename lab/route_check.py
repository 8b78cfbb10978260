#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Check a release's route table against the live lab, route by route.

For a fixed sample of compute and placement routes (:data:`SAMPLE`: removed
routes that answer 410, routes served up to a microversion below the
service's maximum such as nova's proxy APIs, routes that start at a recent
microversion, and plain ones), it calls each route on the cloud at its
boundary microversions: the lowest the release's table gives it, the one
below that, its highest, and the one above that.  The points outside the
service's own range are left out (nova answers 406 above its maximum, and
has nothing below 2.1).  What each call should answer comes from the
table, through the lookup api_compat uses (``_api_routes.check_call``):
``served`` -> 2xx, ``gone`` -> 410, ``outside range`` or ``not present``
-> 404.  The status the cloud answers is compared with it.

Only GET is called: nothing is created, changed or deleted.  Path
parameters are real ids read from the cloud (a server, a flavor, an image,
a hypervisor, a resource provider, a trait, the project), so that 404 means
"no such route" and not "no such item"; a row with no such item in the
cloud is skipped and reported.  The lab has no cinder and no ironic:
os-volumes, os-snapshots and os-baremetal-nodes are not in the sample.

It prints a table (row, microversion, expected, got, ok), or JSON with
--json, and exits 0 only when every call agrees and at least MIN_ROWS rows
were checked; 1 when not, 2 when the cloud cannot be read.  The cloud
comes from OS_CLOUD / OS_CLIENT_CONFIG_FILE, or --cloud NAME.

    lab/route_check.py --release 2026.2 [--json]
"""
import argparse
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _import_collection():
    """Put the collection on the path: from PYTHONPATH already, or from
    ANSIBLE_COLLECTIONS_PATH or this checkout's .build/link (make makes it)."""
    for entry in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) + [
            os.path.join(ROOT, '.build', 'link')]:
        if entry and os.path.isdir(os.path.join(
                entry, 'ansible_collections', 'stackroll', 'lifecycle')):
            sys.path.append(entry)


_import_collection()
from ansible_collections.stackroll.lifecycle.plugins.module_utils import (  # noqa: E402
    _api_routes as routes_lookup,
    _microversions,
)

compare_microversions = _microversions.compare_microversions
format_microversion = _microversions.format_microversion
parse_microversion = _microversions.parse_microversion

MIN_ROWS = 30
SERVICES = ('compute', 'placement')

# What a sampled row is, for the spread the check asks for.
REMOVED = 'removed'  # answers 410 at every microversion
PROXY = 'proxy'      # nova's proxies to glance and neutron: 404 from 2.36 (2.39)
CAPPED = 'capped'    # other routes served up to a microversion below the maximum
RECENT = 'recent'    # served from a microversion above the service's minimum
PLAIN = 'plain'      # served at every microversion

Sample = collections.namedtuple('Sample', 'service path category params query why')

_PLACEHOLDER = re.compile(r'\{([a-z_]+)\}')
_TYPED_PLACEHOLDER = re.compile(r'\{([a-z_]+):([a-z_]+)\}')


def _sample(service, category, target, why):
    """A :class:`Sample` from the table's ``target``: the route's path and
    query, each {placeholder:kind} naming the kind of id it takes (see
    read_resources)."""
    params = dict(_TYPED_PLACEHOLDER.findall(target))
    path, _, query = _TYPED_PLACEHOLDER.sub(r'{\1}', target).partition('?')
    return Sample(service, path, category, params, query, why)


# The kinds of ids the sample's path parameters take, read from the cloud
# (see read_resources).  A removed nova API answers 410 before it reads its
# id, and none of them has an item left to name: REMOVED_ID stands in.
REMOVED_ID = 'route-check'

# The rows checked, by service and category: (path[?query], why), each
# parameter of the path or the query written {name:id kind}.  Every call is
# a GET.
_SAMPLE_TABLE = (
    # nova's removed APIs: 410 at 2.1 and at the maximum.
    ('compute', REMOVED, (
        ('/os-fping', 'nova-network fping, removed in 18.0.0'),
        ('/os-cells', 'cells v1, removed in 20.0.0'),
        ('/os-certificates/{id:removed}', 'nova-cert, removed in 16.0.0'),
        ('/os-agents', 'xenapi guest agents, removed in 22.0.0'),
        ('/os-fixed-ips/{id:removed}', 'nova-network fixed IPs, removed in 18.0.0'),
        ('/os-cloudpipe', 'cloudpipe, removed in 16.0.0'),
        ('/os-floating-ips-bulk', 'nova-network bulk floating IPs'),
        ('/os-floating-ip-dns', 'nova-network floating IP DNS'),
        ('/os-security-group-default-rules', 'nova-network default security group rules'),
        ('/servers/{server_id:server}/os-virtual-interfaces',
         'nova-network virtual interfaces, removed in 23.0.0'),
    )),
    # Routes served up to a microversion below the maximum, 404 above it:
    # the proxy APIs (to glance and neutron) up to 2.35 (image metadata
    # 2.38), then routes cut by later microversions.
    # os-volumes and os-snapshots (cinder) and os-baremetal-nodes (ironic)
    # are left out: the lab runs neither service, so they cannot answer 2xx.
    ('compute', PROXY, (
        ('/images', 'image proxy to glance, up to 2.35'),
        ('/images/{id:image}', 'image proxy to glance, up to 2.35'),
        ('/images/{image_id:image}/metadata', 'image metadata proxy, up to 2.38'),
        ('/os-networks', 'network proxy to neutron, up to 2.35'),
        ('/os-tenant-networks', 'network proxy to neutron, up to 2.35'),
        ('/os-security-groups', 'security group proxy to neutron, up to 2.35'),
        ('/os-floating-ips', 'floating IP proxy to neutron, up to 2.35'),
        ('/os-floating-ip-pools', 'floating IP pool proxy, up to 2.35'),
    )),
    ('compute', CAPPED, (
        ('/os-hosts', 'os-hosts, deprecated at 2.43'),
        ('/os-hypervisors/statistics', 'hypervisor statistics, up to 2.87'),
        ('/os-hypervisors/{id:hypervisor}/servers', 'servers by hypervisor name, up to 2.52'),
        ('/os-volumes_boot', 'os-volumes_boot, removed by 2.103'),
    )),
    # Routes that start above 2.1: 404 one microversion below their lowest.
    ('compute', RECENT, (
        ('/servers/{server_id:server}/migrations', 'from 2.23'),
        ('/servers/{server_id:server}/tags', 'from 2.26'),
        ('/servers/{server_id:server}/topology', 'from 2.78'),
        ('/servers/{server_id:server}/shares', 'from 2.97'),
    )),
    # Routes served at every microversion: 2xx at 2.1 and at the maximum.
    ('compute', PLAIN, (
        ('/servers', 'server list'),
        ('/servers/detail', 'literal segment beside /servers/{id}'),
        ('/servers/{id:server}', 'server show'),
        ('/servers/{server_id:server}/ips', 'server addresses'),
        ('/servers/{server_id:server}/os-instance-actions', 'instance actions'),
        ('/flavors', 'flavor list'),
        ('/flavors/detail', 'literal segment beside /flavors/{id}'),
        ('/flavors/{id:flavor}', 'flavor show'),
        ('/flavors/{flavor_id:flavor}/os-extra_specs', 'flavor extra specs'),
        ('/os-hypervisors', 'hypervisor list'),
        ('/os-services', 'compute services'),
        ('/os-aggregates', 'host aggregates'),
        ('/os-availability-zone', 'availability zones'),
        ('/limits', 'absolute limits'),
        ('/os-keypairs', 'keypairs, versioned handlers 2.1 to the maximum'),
        ('/os-server-groups', 'server groups'),
        ('/os-migrations', 'migrations'),
        ('/os-simple-tenant-usage', 'usage'),
        ('/os-quota-sets/{id:project}', 'quotas of the project'),
        ('/os-quota-class-sets/{id:quota_class}', 'the default quota class'),
        ('/os-instance_usage_audit_log', 'usage audit log'),
    )),
    # placement: 404 below a route's lowest microversion.
    ('placement', RECENT, (
        ('/allocation_candidates?resources=VCPU:1', 'from 1.10'),
        ('/traits', 'from 1.6'),
        ('/traits/{name:trait}', 'from 1.6 (204)'),
        ('/usages?project_id={project_id:project}', 'from 1.9'),
        ('/resource_classes', 'from 1.2'),
        ('/resource_classes/{name:resource_class}', 'from 1.2'),
        ('/resource_providers/{uuid:provider}/aggregates', 'from 1.1'),
        ('/resource_providers/{uuid:provider}/traits', 'from 1.6'),
    )),
    ('placement', PLAIN, (
        ('/resource_providers', 'provider list'),
        ('/resource_providers/{uuid:provider}', 'provider show'),
        ('/resource_providers/{uuid:provider}/inventories', 'inventories'),
        ('/resource_providers/{uuid:provider}/usages', 'provider usages'),
        ('/resource_providers/{uuid:provider}/allocations', 'provider allocations'),
        ('/allocations/{consumer_uuid:server}', 'a server\'s allocations'),
    )),
)
SAMPLE = tuple(_sample(service, category, *entry)
               for service, category, entries in _SAMPLE_TABLE for entry in entries)

# What the id kinds are, in the report of a skipped row.
RESOURCE_KINDS = {
    'server': 'a server (any project)',
    'flavor': 'a flavor',
    'image': 'an image',
    'project': 'the project of the credentials',
    'hypervisor': "a hypervisor's host name",
    'provider': 'a resource provider',
    'trait': 'a trait placement lists',
    'resource_class': 'a standard resource class (VCPU)',
    'quota_class': 'the default quota class',
    'removed': 'any id (a removed API reads none)',
}


# --- pure parts ---------------------------------------------------------------

def step_microversion(version, delta):
    """The microversion ``delta`` minor versions from ``version``:
    ('2.36', -1) -> '2.35', ('1.10', -1) -> '1.9', ('2.35', 1) -> '2.36';
    None below x.0."""
    major, minor = parse_microversion(version)
    if minor + delta < 0:
        return None
    return format_microversion((major, minor + delta))


def _clamp(version, low, high):
    if compare_microversions(version, low) < 0:
        return low
    if compare_microversions(version, high) > 0:
        return high
    return version


def probe_points(row, bounds):
    """[(point, microversion)] to call a route at: its ``lowest`` and
    ``highest`` microversion within the service's ``bounds`` (low, high),
    ``below`` the lowest and ``above`` the highest when the service serves
    those microversions.  ``row`` None (the table has no such route): the
    service's bounds."""
    low, high = bounds
    first = _clamp(row['min'], low, high) if row else low
    last = _clamp(row['max'], low, high) if row else high
    points = []
    below = step_microversion(first, -1)
    if below is not None and compare_microversions(below, low) >= 0:
        points.append(('below', below))
    points.append(('lowest', first))
    if last != first:
        points.append(('highest', last))
    above = step_microversion(last, 1)
    if compare_microversions(above, high) <= 0:
        points.append(('above', above))
    return points


def expected_status(verdict):
    """The status class a call should get, from the table's verdict
    (``check_call``'s status): 2xx, 410 or 404."""
    if verdict == routes_lookup.SERVED:
        return '2xx'
    if verdict == routes_lookup.GONE:
        return '410'
    if verdict in (routes_lookup.OUTSIDE_RANGE, routes_lookup.NOT_PRESENT):
        return '404'
    raise ValueError('unknown verdict %r' % (verdict,))


def status_class(code):
    """'2xx' for a success, else the code as text; None for no answer."""
    if code is None:
        return None
    return '2xx' if 200 <= code < 300 else str(code)


def fill_path(template, params, resources):
    """``template`` with each {placeholder} replaced by the id of the kind
    ``params`` names, from ``resources`` ({kind: id or None}); None when a
    kind has no id in the cloud.  A placeholder without a kind is an error
    in the sample."""
    missing = []

    def value(match):
        kind = params.get(match.group(1))
        if kind is None:
            raise ValueError('%s: no id kind for {%s}' % (template, match.group(1)))
        if kind == 'removed':
            return REMOVED_ID
        if resources.get(kind) is None:
            missing.append(kind)
            return match.group(0)
        return str(resources[kind])

    path = _PLACEHOLDER.sub(value, template)
    return None if missing else path


def missing_kinds(sample, resources):
    """The id kinds ``sample`` needs that ``resources`` has none of."""
    kinds = set(sample.params.values()) - {'removed'}
    return sorted(kind for kind in kinds if resources.get(kind) is None)


def find_row(rows, method, path):
    """The table's row of ``method`` and the template ``path``, or None."""
    return next((row for row in rows if row['method'] == method
                 and row['path'] == path and row['action'] is None), None)


def plan(series, resources, sample=SAMPLE):
    """What to call, and what the table of release ``series`` says each call
    answers: ``{'bounds': {service: [low, high]}, 'rows': [...]}``, a row
    per sampled route with its ``calls`` (``point``, ``microversion``,
    ``expected``, ``verdict``), or ``skipped`` naming the ids the cloud
    lacks.  ValueError when the release has no table of a service."""
    tables = {}
    for service in SERVICES:
        table = routes_lookup.table(series, service)
        if table is None:
            raise ValueError('release %s has no route table of %s' % (series, service))
        tables[service] = table
    rows = []
    for entry in sample:
        table = tables[entry.service]
        row = find_row(table['rows'], 'GET', entry.path)
        item = {'service': entry.service, 'row': 'GET %s' % entry.path,
                'category': entry.category, 'why': entry.why,
                'table': None if row is None else {
                    'min': row['min'], 'max': row['max'], 'gone': row['gone']},
                'calls': []}
        rows.append(item)
        missing = missing_kinds(entry, resources)
        if missing:
            item['skipped'] = 'no %s in the cloud' % ', '.join(
                RESOURCE_KINDS[kind] for kind in missing)
            continue
        path = fill_path(entry.path, entry.params, resources)
        query = fill_path(entry.query, entry.params, resources) if entry.query else ''
        item['path'] = path + ('?' + query if query else '')
        for point, version in probe_points(row, (table['min'], table['max'])):
            verdict = routes_lookup.check_call(table, entry.service, 'GET', path, version)
            item['calls'].append({'point': point, 'microversion': version,
                                  'expected': expected_status(verdict['status']),
                                  'verdict': verdict['status'],
                                  'route': verdict['route']})
    return {'release': series,
            'bounds': {service: [tables[service]['min'], tables[service]['max']]
                       for service in SERVICES},
            'rows': rows}


def judge(checked, cloud_bounds=None, min_rows=MIN_ROWS):
    """Fill in ``ok`` of each call of ``checked`` (a :func:`plan` whose
    calls carry ``got``), and the summary: rows checked and skipped, calls
    that disagree, the services whose live range differs from the
    table's; ``ok`` only when nothing disagrees and at least ``min_rows``
    rows were checked."""
    disagree = []
    for item in checked['rows']:
        for call in item['calls']:
            call['ok'] = call.get('got') == call['expected']
            if not call['ok']:
                disagree.append('%s at %s: expected %s, got %s' % (
                    item['row'], call['microversion'], call['expected'], call.get('got')))
    bounds_differ = []
    for service, live in sorted((cloud_bounds or {}).items()):
        if live is not None and list(live) != list(checked['bounds'][service]):
            bounds_differ.append('%s: the cloud serves %s to %s, the table %s to %s' % (
                service, live[0], live[1], *checked['bounds'][service]))
    rows_checked = sum(1 for item in checked['rows'] if item['calls'])
    checked.update(
        cloud_bounds=cloud_bounds or {},
        rows_checked=rows_checked,
        rows_skipped=[{'row': item['row'], 'why': item['skipped']}
                      for item in checked['rows'] if 'skipped' in item],
        calls=sum(len(item['calls']) for item in checked['rows']),
        disagree=disagree,
        bounds_differ=bounds_differ,
        min_rows=min_rows,
        ok=not disagree and not bounds_differ and rows_checked >= min_rows)
    return checked


def render(checked):
    """The report as text: a table of every call, then the summary."""
    lines = ['%-8s %-9s %-52s %-7s %-8s %-4s %-4s %s' % (
        'release', 'service', 'row', 'point', 'version', 'exp', 'got', 'ok')]
    for item in checked['rows']:
        for call in item['calls']:
            lines.append('%-8s %-9s %-52s %-7s %-8s %-4s %-4s %s' % (
                checked['release'], item['service'], item['row'], call['point'],
                call['microversion'], call['expected'], call.get('got'),
                'ok' if call['ok'] else 'DIFFERS'))
    lines.append('')
    lines.append('%d rows checked (at least %d needed), %d calls, %d disagree.' % (
        checked['rows_checked'], checked['min_rows'], checked['calls'],
        len(checked['disagree'])))
    for skipped in checked['rows_skipped']:
        lines.append('skipped %s: %s' % (skipped['row'], skipped['why']))
    for text in checked['bounds_differ']:
        lines.append('bounds differ: %s' % text)
    for text in checked['disagree']:
        lines.append('disagrees: %s' % text)
    lines.append('The table of %s %s the cloud.' % (
        checked['release'], 'agrees with' if checked['ok'] else 'does not agree with'))
    return '\n'.join(lines)


# --- the cloud ----------------------------------------------------------------

def _first(iterable):
    return next(iter(iterable), None)


def read_resources(conn):
    """{id kind: an id the cloud has, or None}, read with GETs only."""
    server = _first(conn.compute.servers(all_projects=True, limit=1))
    flavor = _first(conn.compute.flavors())
    image = _first(conn.image.images(limit=1))
    hypervisor = _first(conn.compute.hypervisors())
    provider = _first(conn.placement.resource_providers())
    traits = []
    response = conn.placement.get('/traits', microversion='1.6', raise_exc=False,
                                  skip_cache=True)
    if response.status_code == 200:
        traits = sorted(response.json().get('traits', []))
    return {
        'server': server.id if server else None,
        'flavor': flavor.id if flavor else None,
        'image': image.id if image else None,
        'project': conn.current_project_id,
        'hypervisor': (hypervisor.name if hypervisor else None),
        'provider': provider.id if provider else None,
        'trait': _first(traits),
        'resource_class': 'VCPU',
        'quota_class': 'default',
    }


def cloud_bounds(conn):
    """{service: [min, max]} microversions the cloud's version documents
    announce, None for a service that announces none."""
    from keystoneauth1 import discover

    bounds = {}
    for service in SERVICES:
        try:
            data = getattr(conn, service).get_endpoint_data()
        except Exception:  # noqa: BLE001 - the calls will say what is wrong
            data = None
        if data is None or not data.max_microversion:
            bounds[service] = None
            continue
        bounds[service] = [discover.version_to_string(data.min_microversion),
                           discover.version_to_string(data.max_microversion)]
    return bounds


def call_status(conn, service, path, microversion):
    """The status code of GET ``path`` on ``service`` at ``microversion``."""
    response = getattr(conn, service).get(path, microversion=microversion,
                                          raise_exc=False, skip_cache=True)
    return response.status_code


def run(conn, series, min_rows=MIN_ROWS):
    checked = plan(series, read_resources(conn))
    for item in checked['rows']:
        for call in item['calls']:
            code = call_status(conn, item['service'], item['path'], call['microversion'])
            call['status'] = code
            call['got'] = status_class(code)
    return judge(checked, cloud_bounds(conn), min_rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--release', required=True,
                        help='the series whose table is checked (2026.1, 2026.2)')
    parser.add_argument('--cloud', help='clouds.yaml cloud (default: OS_CLOUD)')
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument('--min-rows', type=int, default=MIN_ROWS,
                        help='rows that must be checked (default %(default)s)')
    args = parser.parse_args(argv)
    if any(routes_lookup.table(args.release, service) is None for service in SERVICES):
        parser.error('release %s has no route table of %s' % (
            args.release, ' and '.join(SERVICES)))
    import openstack

    try:
        conn = openstack.connect(cloud=args.cloud)
        checked = run(conn, args.release, args.min_rows)
    except Exception as exc:  # noqa: BLE001 - no cloud, no verdict
        print('route_check: cannot read the cloud: %s: %s' % (type(exc).__name__, exc),
              file=sys.stderr)
        return 2
    if args.json:
        json.dump(checked, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write('\n')
    else:
        print(render(checked))
    return 0 if checked['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
