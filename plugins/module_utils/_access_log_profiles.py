# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A consumer profile from the services' API access logs.

:func:`profile_from_access_log` reads the gunicorn access log lines the
openstack role has every service write (:data:`ACCESS_LOG_FORMAT`) into the
profile ``_api_profiles.check_profile`` takes.
"""

from __future__ import annotations

import re

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profile_format import (
    SERVICE_HINTS,
    SERVICE_TYPES,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    API_VERSION,
    LATEST,
    api_version_key,
    format_microversion,
    microversion_key,
    parse_microversion,
    sort_microversions,
)


# The gunicorn access_log_format the openstack role sets for every service:
# the request line, status, size, duration, then the two microversion
# headers (gunicorn logs '-' for a header that was not sent).
ACCESS_LOG_FORMAT = ('%(h)s "%(r)s" %(s)s %(b)s %(M)sms '
                     '"%({openstack-api-version}i)s" '
                     '"%({x-openstack-nova-api-version}i)s"')

_REQUEST = re.compile(
    r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/\d(?:\.\d)?" (?P<status>\d{3})'
    r'(?P<rest>.*)$')
_QUOTED = re.compile(r'"([^"]*)"')
_HEADER_PAIR = re.compile(r'^([a-z][a-z0-9-]*) +(\S+)$')
_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                   r'[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
_HEX32 = re.compile(r'^[0-9a-fA-F]{32}$')
_NUMBER = re.compile(r'^\d+$')
# Placement's resource class and trait names (VCPU, CUSTOM_GPU, HW_CPU_X86_AVX).
_CONSTANT = re.compile(r'^[A-Z][A-Z0-9_]*$')
# Where a path says its service when no header does.
_SERVICE_BY_ROOT = {'v3': 'identity', 'v2.1': 'compute', 'v2.0': 'network'}
_IMAGE_ROOTS = ('images', 'schemas', 'tasks', 'info', 'stores', 'cache',
                'metadefs')
_PLACEMENT_ROOTS = ('resource_providers', 'allocations',
                    'allocation_candidates', 'traits', 'resource_classes',
                    'usages', 'reshaper')


def _header_versions(openstack_api_version, nova_api_version):
    """{service type: microversion} from the two headers' logged values."""
    found = {}
    for pair in (openstack_api_version or '').split(','):
        match = _HEADER_PAIR.match(pair.strip().lower())
        if match and _is_microversion(match.group(2)):
            service = SERVICE_HINTS.get(match.group(1), match.group(1))
            if service in SERVICE_TYPES:
                found[service] = match.group(2)
    legacy = (nova_api_version or '').strip().lower()
    # nova reads OpenStack-API-Version first, as here.
    if 'compute' not in found and _is_microversion(legacy):
        found['compute'] = legacy
    return found


def _is_microversion(value):
    try:
        microversion_key(value)
    except ValueError:
        return False
    return True


def path_template(path):
    """(API version, template) of a request path: ids become {id}.

    '/v2.1/servers/6f1c…/action?x=1' -> ('v2.1', '/servers/{id}/action').
    The query is dropped.  UUIDs, 32-hex ids and numbers become {id}
    ({project_id} right after the API version, where nova and cinder take
    one), and upper-case names (placement's resource classes and traits)
    {name}.  Other names in paths (flavor ids, keypair names) stay.
    """
    segments = [s for s in path.split('?', 1)[0].split('/') if s]
    version = None
    if segments and API_VERSION.match(segments[0]):
        version, segments = segments[0], segments[1:]
    template = []
    for index, segment in enumerate(segments):
        if index == 0 and version and _HEX32.match(segment):
            template.append('{project_id}')
        elif _UUID.match(segment) or _HEX32.match(segment) or \
                _NUMBER.match(segment):
            template.append('{id}')
        elif _CONSTANT.match(segment):
            template.append('{name}')
        else:
            template.append(segment)
    return version, '/' + '/'.join(template)


def _service_by_path(version, template):
    first = template.split('/')[1]
    if version in _SERVICE_BY_ROOT:
        return _SERVICE_BY_ROOT[version]
    if version == 'v2':
        # glance's v2, or nova's legacy v2 (whose paths start with a project)
        return 'image' if first in _IMAGE_ROOTS else 'compute'
    if version is None and first in _PLACEMENT_ROOTS:
        return 'placement'
    return None


def parse_access_log_line(line, service=None):
    """One access log line as ``{'method', 'path', 'version', 'template',
    'status', 'service', 'microversion'}``, or None for other lines.

    Accepted: :data:`ACCESS_LOG_FORMAT`, and any format with the quoted
    request line followed by the status (combined, common), with the two
    microversion headers' values as the last two quoted fields; anything
    before the request (journald's prefix) is ignored.  Header fields that
    do not hold microversions (a combined log's referer and user agent) are
    ignored.  ``service`` forces the service type; else the headers tell it,
    else the path (see :func:`path_template`).
    """
    match = _REQUEST.search(line)
    if not match:
        return None
    quoted = _QUOTED.findall(match.group('rest'))
    headers = _header_versions(*quoted[-2:]) if len(quoted) >= 2 else {}
    version, template = path_template(match.group('target'))
    if service is None:
        if len(headers) == 1:
            service = list(headers)[0]
        else:
            service = _service_by_path(version, template)
    return {
        'method': match.group('method'),
        'path': match.group('target').split('?', 1)[0],
        'version': version,
        'template': template,
        'status': int(match.group('status')),
        'service': service,
        'microversion': headers.get(service),
    }


def _call_key(call):
    version = call['microversion']
    return (call['path'], call['method'],
            (-1, -1) if version is None else microversion_key(version))


def profile_from_access_log(lines, service=None):
    """A consumer profile of every request in ``lines``, whatever its status.

    Per service: the API versions called, the range of the microversions
    asked, and each distinct call (method, path template, microversion) with
    how often it was made.  Lines that are not requests, or whose service
    cannot be told, are left out (pass ``service`` for one service's log).
    """
    if service is not None and service not in SERVICE_TYPES:
        raise ValueError('Unknown service type %r. Known: %s.'
                         % (service, ', '.join(SERVICE_TYPES)))
    seen = {}
    for line in lines:
        request = parse_access_log_line(line, service)
        if request is None or request['service'] is None:
            continue
        need = seen.setdefault(request['service'], {
            'versions': set(), 'microversions': [], 'calls': {}})
        if request['version']:
            need['versions'].add(request['version'])
        microversion = request['microversion']
        if microversion not in (None, LATEST):
            microversion = format_microversion(parse_microversion(microversion))
            need['microversions'].append(microversion)
        key = (request['method'], request['template'], microversion)
        need['calls'][key] = need['calls'].get(key, 0) + 1
    services = {}
    for name, need in sorted(seen.items()):
        versions = sort_microversions(need['microversions'])
        calls = [{'method': method, 'path': path, 'microversion': version,
                  'count': count}
                 for (method, path, version), count in need['calls'].items()]
        services[name] = {
            'versions': sorted(need['versions'], key=api_version_key),
            'min_version': versions[0] if versions else None,
            'max_version': versions[-1] if versions else None,
            'calls': sorted(calls, key=_call_key),
        }
    return {'services': services}
