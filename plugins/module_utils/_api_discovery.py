# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What a live cloud's APIs serve, read from their version documents.

The one home of the gathering code that ``api_versions_info`` and
``api_compat`` share.  Pure parts (tested under ``tests/unit``):

- :func:`unversioned_url`: an endpoint's root, where the version document
  of every API version lives;
- :func:`catalog_endpoints`: the endpoint of each service type in the
  keystone catalog, for one interface and region;
- :func:`version_entries` and :func:`served_from_entries`: a version
  document (nova's, placement's, keystone's ``values`` wrapping, glance's
  and neutron's lists, or a versioned endpoint's single ``version``) to the
  ``served`` shape of ``_api_profiles.check_profile``.

:func:`gather_served` is what talks to the cloud, through the connection's
keystoneauth session.
"""

from __future__ import annotations

import re

from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    microversion_key,
    parse_api_version,
)

try:  # the module reports a missing SDK itself
    from keystoneauth1 import exceptions as ksa_exceptions
except ImportError:
    ksa_exceptions = None

# Services every cloud of the collection has: absent ones are reported.
CORE_SERVICES = ('identity', 'compute', 'placement', 'image', 'network')

# Catalog types older deployments still register, and the official type.
_CATALOG_ALIASES = {
    'volume': 'block-storage', 'volumev2': 'block-storage',
    'volumev3': 'block-storage', 'block-store': 'block-storage',
    'sharev2': 'shared-file-system', 'share': 'shared-file-system',
    'object-storage': 'object-store', 'load_balancer': 'load-balancer',
}

_VERSION_SEGMENT = re.compile(r'^v\d+(?:\.\d+)?$')
# Statuses under which a version is served but on its way out.
_DEPRECATED = ('deprecated',)
# Statuses of versions that are no longer served at all.
_GONE = ('deleted', 'removed')


def service_type(catalog_type):
    """The official service type of a catalog entry's type."""
    return _CATALOG_ALIASES.get(catalog_type, catalog_type)


def unversioned_url(url):
    """The endpoint's root: the path up to its API version segment.

    'http://ctl:8774/v2.1/abc' -> 'http://ctl:8774/'; 'http://h/compute/v2.1'
    -> 'http://h/compute/'; an endpoint without a version segment
    (placement, glance, neutron) is its own root.
    """
    scheme, sep, rest = url.partition('://')
    if not sep:
        raise ValueError('Invalid endpoint URL %r: expected one like '
                         '"http://ctl:8774/v2.1".' % (url,))
    host, _slash, path = rest.partition('/')
    segments = [s for s in path.split('?', 1)[0].split('/') if s]
    for index in range(len(segments) - 1, -1, -1):
        if _VERSION_SEGMENT.match(segments[index]):
            segments = segments[:index]
            break
    return '%s://%s/%s' % (scheme, host, ''.join(s + '/' for s in segments))


def catalog_endpoints(catalog, interface='public', region=None):
    """{service type: {'name', 'catalog_type', 'url'}} from a keystone v3
    catalog (``conn.service_catalog``), for ``interface`` (public, internal
    or admin) and ``region`` (any region when None)."""
    interface = (interface or 'public').replace('URL', '')
    found = {}
    for entry in catalog or []:
        for endpoint in entry.get('endpoints') or []:
            # v2 catalogs: one endpoint per region, with publicURL & co.
            url = endpoint.get('url') or endpoint.get(interface + 'URL')
            kind = endpoint.get('interface', interface)
            where = endpoint.get('region_id') or endpoint.get('region')
            if not url or kind != interface or (region and where != region):
                continue
            found.setdefault(service_type(entry.get('type')), {
                'name': entry.get('name'),
                'catalog_type': entry.get('type'),
                'url': url,
            })
    return found


def version_entries(document):
    """The version entries of a version document, whatever its wrapping.

    Roots list them (``{'versions': [...]}``; keystone wraps them in
    ``{'versions': {'values': [...]}}``); a versioned endpoint has one
    (``{'version': {...}}``).  Anything else gives no entry.
    """
    if not isinstance(document, dict):
        return []
    versions = document.get('versions')
    if isinstance(versions, dict):
        versions = versions.get('values')
    if versions is None and isinstance(document.get('version'), dict):
        versions = [document['version']]
    if not isinstance(versions, list):
        return []
    return [v for v in versions if isinstance(v, dict) and v.get('id')]


def _microversion(value):
    """A microversion of a version entry, or None ('' when not served)."""
    if not value:
        return None
    try:
        microversion_key(str(value))
    except ValueError:
        return None
    return str(value)


def _entry_key(entry):
    try:
        major, minor = parse_api_version(entry['id'])
    except ValueError:
        return (-1, -1)
    return (major, -1 if minor is None else minor)


def served_from_entries(entries):
    """The ``served`` shape of one service from its version entries.

    ``versions``: the ids of every served version (deleted ones left out),
    ``deprecated``: those whose status says so, and the microversion range
    (nova's ``version``, placement's ``max_version``, and ``min_version``)
    of the newest version that has one; no microversion keys when none has.
    """
    served = {'versions': [], 'deprecated': []}
    span = None
    for entry in sorted(entries, key=_entry_key):
        status = str(entry.get('status') or '').lower()
        if status in _GONE:
            continue
        version_id = str(entry['id'])
        if version_id not in served['versions']:
            served['versions'].append(version_id)
        if status in _DEPRECATED:
            served['deprecated'].append(version_id)
        high = _microversion(entry.get('max_version') or entry.get('version'))
        low = _microversion(entry.get('min_version'))
        if high and low:
            span = (low, high)
    if span:
        served['min_version'], served['max_version'] = span
    return served


def _get_document(session, url):
    """(HTTP status, JSON document or None) of a GET on ``url``."""
    response = session.get(url, raise_exc=False, authenticated=False,
                           headers={'Accept': 'application/json'})
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def _probe(session, url):
    """The version entries at ``url``'s root, else at ``url`` itself (a
    service whose root is not public, or sits behind another path)."""
    attempts = []
    for target in dict.fromkeys([unversioned_url(url), url]):
        try:
            status, document = _get_document(session, target)
        except ksa_exceptions.ClientException as exc:
            attempts.append('%s: %s' % (target, exc))
            continue
        entries = version_entries(document)
        # keystone answers its root with 300 Multiple Choices.
        if status < 400 and entries:
            return target, entries, None
        attempts.append('%s: HTTP %s%s' % (target, status, '' if document
                                           is None else ', no versions'))
    return None, [], 'no version document found (%s)' % '; '.join(attempts)


def gather_served(conn):
    """What every API of the cloud behind ``conn`` serves.

    Returns ``{'served': {service type: served shape}, 'endpoints':
    {service type: {'name', 'catalog_type', 'url', 'root_url', 'versions',
    'error'}}, 'absent': [core service types missing from the catalog]}``.
    A service whose version document cannot be read has an ``error`` and
    no ``served`` entry; nothing here raises for one service.
    """
    config = conn.config
    endpoints = catalog_endpoints(conn.service_catalog,
                                  config.get_interface(),
                                  config.get_region_name())
    served = {}
    for kind, endpoint in sorted(endpoints.items()):
        root, entries, error = _probe(conn.session, endpoint['url'])
        endpoint.update(root_url=root, versions=entries, error=error)
        if entries:
            served[kind] = served_from_entries(entries)
    return {
        'served': served,
        'endpoints': endpoints,
        'absent': [s for s in CORE_SERVICES if s not in endpoints],
    }
