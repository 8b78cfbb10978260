# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Which routes a release's APIs serve, and whether they serve a call.

The tables come from tools/api_routes.py, which reads each release's own
code (nova's ROUTE_LIST and controller decorators, placement's
ROUTE_DECLARATIONS and version handlers, keystone's flask-restful
resources, glance's v2 router, the API extensions an ML2/OVN neutron can
load) and writes them into ``_api_routes_data.py``, each row and each
extension once with the releases that serve it.  A row is ``{method, path,
action, min, max, gone}``: ``action`` names the body's action of nova's
POST .../action routes, ``min`` and ``max`` bound the microversions the
handler serves (None for identity and image, which have none) and ``gone``
says that it answers 410 Gone there.  A route served in disjoint ranges
has a row per range, and a call is judged against all of them.

:func:`check_call` judges one call: ``served``, ``gone`` (410),
``not present`` (no such route) or ``outside range`` (the route exists at
other microversions, which it names), with a fix: the microversions that
serve the route, or the route that replaces it
(``_api_replacements.REPLACED_BY``).  :func:`check_extension` says whether
a release's neutron loads an API extension.  :func:`running_release` tells
which release's tables fit a live cloud, from its microversion bounds.
``_api_changes.diff_routes`` and ``diff_extensions`` list what one release
serves and another does not.
"""

from __future__ import annotations

import re

# Imported by name: AnsiballZ ships only the modules a module imports.
from ansible_collections.stackroll.lifecycle.plugins.module_utils import (
    _api_routes_data,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_replacements import (
    replacement,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    LATEST,
    compare_microversions,
    microversion_key,
)

SERVED = 'served'
GONE = 'gone'
NOT_PRESENT = 'not present'
OUTSIDE_RANGE = 'outside range'
NOT_LOADED = 'extension not loaded'
LOADED = 'extension loaded'

# The URL's API version root (/v2.1, /v2) and nova's project id segment,
# which its router accepts before every route (hex and dashes only).
_VERSION_SEGMENT = re.compile(r'^v\d+(\.\d+)?$')
_PROJECT_ID = re.compile(r'^[0-9a-f-]+$')
# The prefix a service is mounted under behind a shared web server
# (devstack's /compute/v2.1, /placement, /identity/v3, /image/v2).
_MOUNT_PREFIXES = {'compute': 'compute', 'placement': 'placement',
                   'identity': 'identity', 'image': 'image'}


def table(series, service):
    """The route table of ``service`` in release ``series``: ``{source,
    min, max, rows}`` (the package it was read from, the service's lowest
    and highest microversion, the rows), or None when the release has no
    table for it (no routes read for the service, or an older release).
    ``min`` and ``max`` are None for a service without microversions."""
    bounds = _api_routes_data.BOUNDS.get(series, {})
    if service not in bounds:
        return None
    low, high = bounds[service]
    rows = []
    for stored in _api_routes_data.ROUTES.get(service, ()):
        row = dict(zip(_api_routes_data.COLUMNS, stored))
        if series in row.pop('releases'):
            if row['max'] == LATEST:  # the release's highest microversion
                row['max'] = high
            rows.append(row)
    return {'source': _api_routes_data.SOURCES[series][service], 'min': low,
            'max': high, 'rows': rows}


def tables(series):
    """{service type: :func:`table`} of release ``series``; empty for a
    release without tables."""
    return {service: table(series, service)
            for service in sorted(_api_routes_data.BOUNDS.get(series, ()))}


# The services whose microversion bounds tell a running cloud's release.
IDENTIFYING = ('compute', 'placement')


def _same_bounds(served, bounds):
    low, high = served.get('min_version'), served.get('max_version')
    return (low is not None and high is not None
            and compare_microversions(low, bounds[0]) == 0
            and compare_microversions(high, bounds[1]) == 0)


def running_release(served, bounds=None):
    """The release a live cloud runs, told by what it serves: ``(series,
    reason)``, or ``(None, reason)`` when no table's bounds or several
    match.

    ``served`` is the cloud's ``{service type: served shape}``
    (``_api_discovery.gather_served``); ``bounds`` the tables'
    ``{series: {service: (min, max)}}`` (``BOUNDS`` by default).  A release
    matches when the cloud's compute microversion range, and its
    placement's when it serves placement, are the release's own; nova
    raises its maximum in nearly every release, so one release usually
    matches alone.
    """
    if bounds is None:
        bounds = _api_routes_data.BOUNDS
    compute = served.get('compute') or {}
    if compute.get('max_version') is None:
        return None, ('the cloud lists no compute microversions, which tell '
                      'its release')
    services = [s for s in IDENTIFYING
                if (served.get(s) or {}).get('max_version') is not None]
    seen = ' and '.join('%s %s to %s' % (s, served[s].get('min_version'),
                                         served[s]['max_version'])
                        for s in services)
    matches = [series for series, by_service in sorted(bounds.items())
               if all(s in by_service and _same_bounds(served[s],
                                                       by_service[s])
                      for s in services)]
    if not matches:
        return None, ('%s match the route tables of no release (%s)'
                      % (seen, ', '.join(sorted(bounds)) or 'none'))
    if len(matches) > 1:
        return None, ('%s match the route tables of releases %s alike: the '
                      'release is not told apart' % (seen, ', '.join(matches)))
    return matches[0], '%s are release %s\'s alone' % (seen, matches[0])


def _replacement_text(found):
    if found is None or found['service'] is None:
        return None
    return 'use %s %s instead (%s)' % (
        found['service'], found['route'], found['why'])


def _gone_fix(found):
    if found is None:
        return 'move to the API that replaced it'
    if found['service'] is None:
        return 'nothing replaces it: %s' % found['why']
    return _replacement_text(found)


def _literal_first_segments(rows):
    return {row['path'].split('/')[1] for row in rows if row['path'] != '/'}


def path_segments(service, path, rows):
    """The segments of a call's ``path`` as the service's router sees them:
    without query, scheme and host, the mount prefix, the API version root
    and nova's project id; trailing and doubled slashes do not count."""
    path = re.sub(r'^[a-z]+://[^/]*', '', path.split('?', 1)[0])
    segments = [s for s in path.split('/') if s]
    literal = _literal_first_segments(rows)
    if segments and segments[0] == _MOUNT_PREFIXES.get(service) \
            and segments[0] not in literal:
        segments = segments[1:]
    if segments and _VERSION_SEGMENT.match(segments[0]):
        segments = segments[1:]
    if (len(segments) > 1 and segments[0] not in literal
            and _PROJECT_ID.match(segments[0])):
        segments = segments[1:]
    return segments


def _is_template(segment):
    return segment.startswith('{') and segment.endswith('}')


def _specificity(segments, template):
    """How well the template's segments match the call's: None when they do
    not; else a key that ranks literal segments above placeholders, left to
    right (/servers/detail before /servers/{id}, as nova orders them).  A
    placeholder in the call ({id}) matches only a placeholder."""
    if len(segments) != len(template):
        return None
    key = []
    for have, want in zip(segments, template):
        if _is_template(want):
            key.append(0)
        elif have == want:
            key.append(1)
        else:
            return None
    return tuple(key)


def _in_range(version, row):
    if row['min'] is None:  # no microversions: every call is in range
        return True
    return (compare_microversions(row['min'], version) <= 0
            <= compare_microversions(row['max'], version))


def _route_label(row, action=None):
    return route_label((row['method'], row['path'], action or row['action']))


def _ranges_text(rows):
    return ', '.join('%s to %s' % (row['min'], row['max'])
                     for row in sorted(rows,
                                       key=lambda r: microversion_key(r['min']))
                     if row['min'] is not None)


def _verdict(status, route, reason, fix, serving=()):
    return {'status': status, 'route': route, 'reason': reason, 'fix': fix,
            'serving': [{'min': row['min'], 'max': row['max']}
                        for row in serving]}


def check_call(routes, service, method, path, microversion=None,
               action=None):
    """Whether ``routes``, the :func:`table` of ``service``, serve a call.

    ``path`` is concrete (/v2.1/servers/9f3c.../action) or templated
    (/servers/{id}/action); ``action`` is the body's action key of a POST
    .../action; ``microversion`` None means none was sent (the service
    answers at its minimum), 'latest' its maximum.  Returns ``{status,
    route, reason, fix, serving}``: the status, the matched route template,
    why, what would fix it, and the ranges that serve the route.
    """
    method = method.upper()
    rows = routes['rows']
    segments = path_segments(service, path, rows)
    if microversion is None:
        microversion = routes['min']
    elif microversion == LATEST:
        microversion = routes['max']
    matches = []
    for row in rows:
        if row['method'] != method or (action and row['action'] != action):
            continue
        key = _specificity(segments, row['path'].split('/')[1:]
                           if row['path'] != '/' else [])
        if key is not None:
            matches.append((key, row))
    call = '%s /%s' % (method, '/'.join(segments))
    if action:
        call += ' (%s)' % action
    if not matches:
        return _verdict(NOT_PRESENT, None,
                        '%s is not a route of %s' % (call, service),
                        'use what replaced it, or keep a release that serves '
                        'it')
    best = max(key for key, _row in matches)
    candidates = [row for key, row in matches if key == best]
    route = _route_label(candidates[0], action)
    serving = [row for row in candidates if not row['gone']]
    found = replacement(service, candidates[0])
    for row in candidates:
        if _in_range(microversion, row):
            if row['gone']:
                return _verdict(GONE, route, '%s answers 410 Gone: the API '
                                'was removed' % route, _gone_fix(found),
                                serving)
            if routes['min'] is None:
                return _verdict(SERVED, route, '%s is served' % route, None,
                                serving)
            return _verdict(SERVED, route, '%s is served at %s (%s)'
                            % (route, microversion, _ranges_text(serving)),
                            None, serving)
    if not serving:
        return _verdict(GONE, route, '%s was removed: it answers 410 Gone at '
                        '%s and 404 at %s' % (route, _ranges_text(candidates),
                                              microversion),
                        _gone_fix(found))
    fix = 'ask for a microversion in %s' % _ranges_text(serving)
    replaced = _replacement_text(found)
    return _verdict(OUTSIDE_RANGE, route, '%s is not served at %s, only at %s'
                    % (route, microversion, _ranges_text(serving)),
                    '%s, or %s' % (fix, replaced) if replaced else fix,
                    serving)


def route_label(key):
    """'POST /servers/{id}/action (os-migrateLive)' of a route key."""
    method, path, action = key
    return '%s %s (%s)' % (method, path, action) if action else '%s %s' % (
        method, path)


def extensions(series):
    """{service type: {target, source, aliases}} of release ``series``: the
    API extensions (neutron's, by alias) an ML2/OVN deployment of the
    release can load, what loads them (``release 2026.2``) and the packages
    they were read from; empty for a release without them."""
    sources = _api_routes_data.SOURCES.get(series, {})
    return {service: {'target': 'release %s' % series,
                      'source': sources[service],
                      'aliases': frozenset(alias for alias, releases in aliases
                                           if series in releases)}
            for service, aliases in sorted(_api_routes_data.EXTENSIONS.items())
            if service in sources}


def check_extension(loaded, service, alias, target):
    """Whether the extension ``alias`` is in ``loaded`` (the aliases
    ``target``, a release or a cloud, loads for ``service``): ``{status,
    reason, fix}`` as :func:`check_call`."""
    if alias in loaded:
        return {'status': LOADED, 'reason': '%s loads the %s extension %s'
                % (target, service, alias), 'fix': None}
    return {'status': NOT_LOADED,
            'reason': 'extension not loaded by the target: %s does not load '
                      'the %s extension %s' % (target, service, alias),
            'fix': 'enable the extension (its service plugin or extension '
                   'driver) on the target, or stop relying on it'}
