# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Consumer profiles: what a cloud's consumers need of its APIs, and
whether a cloud or a release serves it.

A consumer profile says what a cloud's consumers need, per service type::

    services:
      compute:
        versions: [v2.1]        # API versions called (the URL's root)
        min_version: '2.1'      # microversion range used
        max_version: '2.95'
        calls:                  # optional: single calls
          - {method: GET, path: '/servers/{id}', microversion: '2.79'}
      network:
        extensions: [trunk]     # optional: API extensions relied on

What a cloud or a release serves has one shape for both (a release's is
``RELEASES[series]['apis']``)::

    {'compute': {'versions': ['v2.0', 'v2.1'], 'min_version': '2.1',
                 'max_version': '2.104', 'deprecated': ['v2.0']},
     'image': {'versions': ['v2.0', ..., 'v2.17']}}   # no microversions

:func:`validate_profile` normalises a profile; :func:`check_profile` checks
each of its requirements against what is served; :func:`diff_served` says
what changed between two clouds' or releases' APIs.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_routes import (
    LOADED,
    SERVED,
    check_call,
    check_extension,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    LATEST,
    api_version_key,
    compare_microversions,
    format_microversion,
    parse_api_version,
    parse_microversion,
    served_range,
)

# Service types (the catalog's names) a profile may name.
SERVICE_TYPES = (
    'identity', 'compute', 'placement', 'image', 'network', 'block-storage',
    'object-store', 'orchestration', 'load-balancer', 'dns', 'key-manager',
    'shared-file-system', 'baremetal',
)
# Names operators reach for first, and the service type they mean.
SERVICE_HINTS = {
    'keystone': 'identity', 'nova': 'compute', 'glance': 'image',
    'neutron': 'network', 'cinder': 'block-storage', 'volume': 'block-storage',
    'volumev3': 'block-storage', 'swift': 'object-store',
    'heat': 'orchestration', 'octavia': 'load-balancer', 'designate': 'dns',
    'barbican': 'key-manager', 'manila': 'shared-file-system',
    'ironic': 'baremetal',
}
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')
_SERVICE_KEYS = ('versions', 'min_version', 'max_version', 'calls',
                 'extensions')
# Services whose API extensions a profile may name (by alias).
EXTENSION_SERVICES = ('network',)
_CALL_KEYS = ('method', 'path', 'microversion', 'action', 'count')


class ProfileError(ValueError):
    """A consumer profile that cannot be checked."""


def _check_microversion(value, where, errors, allow_latest=False):
    if allow_latest and isinstance(value, str) and \
            value.strip().lower() == LATEST:
        return LATEST
    try:
        return format_microversion(parse_microversion(value))
    except ValueError as exc:
        errors.append('%s: %s' % (where, exc))
        return None


def _validate_service(name, need, errors):
    where = 'services.%s' % name
    if not isinstance(need, dict):
        errors.append('%s must be a mapping of %s' % (where,
                                                      ', '.join(_SERVICE_KEYS)))
        return None
    for key in sorted(set(need) - set(_SERVICE_KEYS)):
        errors.append('%s: unknown key %r (known: %s)'
                      % (where, key, ', '.join(_SERVICE_KEYS)))
    result = {'versions': [], 'min_version': None, 'max_version': None,
              'calls': []}
    versions = need.get('versions') or []
    if isinstance(versions, str):
        versions = [versions]
    if not isinstance(versions, list):
        errors.append('%s.versions must be a list of API versions like '
                      '"v2.1"' % where)
        versions = []
    for version in versions:
        try:
            parse_api_version(version)
            result['versions'].append(str(version).strip())
        except ValueError as exc:
            errors.append('%s.versions: %s' % (where, exc))
    for key in ('min_version', 'max_version'):
        if need.get(key) is not None:
            result[key] = _check_microversion(need[key], '%s.%s'
                                              % (where, key), errors)
    low, high = result['min_version'], result['max_version']
    if low and high and compare_microversions(low, high) > 0:
        errors.append('%s: min_version %s is above max_version %s'
                      % (where, low, high))
    calls = need.get('calls') or []
    if not isinstance(calls, list):
        errors.append('%s.calls must be a list' % where)
        calls = []
    for index, call in enumerate(calls):
        call = _validate_call(call, '%s.calls[%d]' % (where, index), errors)
        if call is None:
            continue
        version = call['microversion']
        if version not in (None, LATEST) and (
                (low and compare_microversions(version, low) < 0)
                or (high and compare_microversions(version, high) > 0)):
            errors.append('%s.calls[%d]: microversion %s is outside the '
                          "service's range %s to %s"
                          % (where, index, version, low or 'any', high or 'any'))
        result['calls'].append(call)
    if need.get('extensions') is not None:
        result['extensions'] = _validate_extensions(name, need['extensions'],
                                                    where, errors)
    return result


def _validate_extensions(name, aliases, where, errors):
    if name not in EXTENSION_SERVICES:
        errors.append('%s.extensions: only %s name API extensions'
                      % (where, ', '.join(EXTENSION_SERVICES)))
        return []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(
            isinstance(alias, str) and alias.strip() for alias in aliases):
        errors.append('%s.extensions must be a list of extension aliases '
                      'like "trunk"' % where)
        return []
    return [alias.strip() for alias in aliases]


def _validate_call(call, where, errors):
    if not isinstance(call, dict):
        errors.append('%s must be a mapping with method and path' % where)
        return None
    for key in sorted(set(call) - set(_CALL_KEYS)):
        errors.append('%s: unknown key %r (known: %s)'
                      % (where, key, ', '.join(_CALL_KEYS)))
    method = str(call.get('method') or '').strip().upper()
    path = str(call.get('path') or '').strip()
    ok = True
    if method not in METHODS:
        errors.append('%s: method %r is not one of %s'
                      % (where, call.get('method'), ', '.join(METHODS)))
        ok = False
    if not path.startswith('/'):
        errors.append("%s: path %r must start with '/'"
                      % (where, call.get('path')))
        ok = False
    version = call.get('microversion')
    if version is not None:
        version = _check_microversion(version, where, errors,
                                      allow_latest=True)
        ok = ok and version is not None
    if not ok:
        return None
    result = {'method': method, 'path': path, 'microversion': version}
    # The body's action key of a POST .../action (nova's os-migrateLive).
    if call.get('action'):
        result['action'] = str(call['action']).strip()
    if 'count' in call:
        result['count'] = call['count']
    return result


def validate_profile(profile):
    """The profile, normalised; ProfileError listing every problem found.

    Normalised: every service has ``versions``, ``min_version``,
    ``max_version`` and ``calls``; microversions are strings, methods upper
    case.  A call's ``microversion`` may be null (the client sent none and
    gets the service's minimum) or 'latest'.
    """
    errors = []
    if not isinstance(profile, dict) or not isinstance(
            profile.get('services'), dict):
        raise ProfileError('Invalid consumer profile: it must be a mapping '
                           'with a "services" mapping of service type to '
                           'needs.')
    for key in sorted(set(profile) - {'services', 'name', 'description'}):
        errors.append('unknown key %r (known: services, name, description)'
                      % key)
    if not profile['services']:
        errors.append('services: the profile declares no service')
    services = {}
    for name, need in profile['services'].items():
        if name not in SERVICE_TYPES:
            hint = SERVICE_HINTS.get(str(name).lower())
            errors.append('services: unknown service %r%s' % (
                name, ' (use the service type %r)' % hint if hint else
                ' (known: %s)' % ', '.join(SERVICE_TYPES)))
            continue
        checked = _validate_service(name, need, errors)
        if checked is not None:
            services[name] = checked
    if errors:
        raise ProfileError('Invalid consumer profile: %s.' % '; '.join(errors))
    return {'services': services}


# --- checking a profile against what is served ------------------------------


def _served_version(wanted, served):
    """The served API version meeting ``wanted`` (same major, minor at least
    as high: v3 and v3.10 are met by v3.14), or None."""
    major, minor = parse_api_version(wanted)
    best = None
    for version in served.get('versions') or []:
        have = parse_api_version(version)
        if have[0] == major and (minor is None or (have[1] or 0) >= minor):
            if best is None or (have[1] or 0) > (parse_api_version(best)[1] or 0):
                best = str(version)
    return best


def _result(service, requirement, ok, reason):
    return {'service': service, 'requirement': requirement, 'ok': ok,
            'reason': reason}


def _check_microversion_need(service, requirement, version, span):
    low, high = span
    wanted = parse_microversion(version)
    if wanted < low:
        return _result(service, requirement, False,
                       '%s is below the minimum microversion %s'
                       % (version, format_microversion(low)))
    if wanted > high:
        return _result(service, requirement, False,
                       '%s is beyond the maximum microversion %s'
                       % (version, format_microversion(high)))
    return _result(service, requirement, True, 'served (%s to %s)'
                   % (format_microversion(low), format_microversion(high)))


def _requirements(need):
    """(label, kind, value) of each requirement of a service's needs."""
    for version in need['versions']:
        yield 'API %s' % version, 'version', version
    for key in ('min_version', 'max_version'):
        if need[key]:
            yield '%s %s' % (key, need[key]), 'microversion', need[key]
    for call in need['calls']:
        label = '%s %s' % (call['method'], call['path'])
        if call.get('action'):
            label += ' (%s)' % call['action']
        if call['microversion']:
            label += ' at %s' % call['microversion']
        yield label, 'call', call
    for alias in need.get('extensions') or []:
        yield 'extension %s' % alias, 'extension', alias


def _check_requirement(service, label, kind, value, served):
    if kind == 'version':
        version = _served_version(value, served)
        if version is None:
            return _result(service, label, False, 'API %s is not served '
                           '(served: %s)' % (value, ', '.join(
                               served.get('versions') or []) or 'none'))
        if version in (served.get('deprecated') or []):
            return _result(service, label, True,
                           'served as %s, which is deprecated' % version)
        return _result(service, label, True, 'served as %s' % version)
    span = served_range(served)
    if kind == 'call':
        value = value['microversion']
    if kind == 'call' and value is None:
        if span is None:
            return _result(service, label, True, 'served (no microversions)')
        return _result(service, label, True, 'no microversion asked: served '
                       'at the minimum, %s' % format_microversion(span[0]))
    if kind == 'call' and value == LATEST:
        return _result(service, label, True, "served, but 'latest' changes "
                       'meaning with every upgrade')
    if span is None:
        return _result(service, label, False, '%s serves no microversions'
                       % service)
    return _check_microversion_need(service, label, value, span)


def _verdict_result(service, label, verdict, ok):
    """A requirement's result from a verdict of _api_routes: its reason,
    ``status`` and ``fix``."""
    result = _result(service, label, ok, verdict['reason'])
    result.update(status=verdict['status'], fix=verdict['fix'])
    return result


def _check_routed_call(service, label, call, routes):
    """A call judged by the route table ``routes`` of its service."""
    verdict = check_call(routes, service, call['method'], call['path'],
                         call['microversion'], call.get('action'))
    return _verdict_result(service, label, verdict,
                           verdict['status'] == SERVED)


def _check_extension_need(service, label, alias, loaded):
    """An extension a profile relies on, against ``loaded``: ``{target,
    aliases}`` of the release or cloud checked, or None when unknown."""
    if loaded is None:
        return _verdict_result(service, label, {
            'status': 'not checked', 'fix': None,
            'reason': 'not checked: the %s extensions of the target are '
                      'not known' % service}, True)
    verdict = check_extension(loaded['aliases'], service, alias,
                              loaded['target'])
    return _verdict_result(service, label, verdict,
                           verdict['status'] == LOADED)


def check_profile(profile, served, routes=None, extensions=None):
    """Check each requirement of ``profile`` against ``served``.

    ``served``: ``{service type: {'versions', 'min_version', 'max_version',
    'deprecated'}}``, from a live cloud or a release's ``apis``.
    ``routes``: ``{service type: route table}`` (``_api_routes.table``);
    a call to a service with a table is judged route by route there, with
    ``status`` and ``fix`` in its result, else by the microversion range
    alone.  ``extensions``: ``{service type: {'target', 'aliases'}}``, the
    API extensions the target loads (``_api_routes.extensions``, or read
    from a cloud); an extension the profile names is checked there.
    Returns ``[{'service', 'requirement', 'ok', 'reason'}]``, one per
    requirement, in profile order; on a service no longer served every
    requirement fails.
    """
    routes = routes or {}
    extensions = extensions or {}
    profile = validate_profile(profile)
    results = []
    for service, need in profile['services'].items():
        requirements = list(_requirements(need))
        if service not in served:
            reason = '%s is not served' % service
            results.append(_result(service, 'service %s' % service, False,
                                   reason))
            results.extend(_result(service, label, False, reason)
                           for label, _kind, _value in requirements)
            continue
        results.append(_result(service, 'service %s' % service, True,
                               'served'))
        for label, kind, value in requirements:
            if kind == 'extension':
                results.append(_check_extension_need(
                    service, label, value, extensions.get(service)))
            elif kind == 'call' and service in routes:
                results.append(_check_routed_call(service, label, value,
                                                  routes[service]))
            else:
                results.append(_check_requirement(service, label, kind,
                                                  value, served[service]))
    return results


# --- what changed between two clouds or releases ----------------------------


def _span_text(low, high):
    if low == high:
        return format_microversion(low)
    return '%s to %s' % (format_microversion(low), format_microversion(high))


def _below(version, other):
    """The microversions from ``version`` up to, not including, ``other``."""
    if version[0] == other[0]:
        return _span_text(version, (other[0], other[1] - 1))
    return '%s up to %s (excluded)' % (format_microversion(version),
                                       format_microversion(other))


def _above(version, other):
    """The microversions above ``version`` up to ``other``."""
    if version[0] == other[0]:
        return _span_text((version[0], version[1] + 1), other)
    return 'above %s up to %s' % (format_microversion(version),
                                  format_microversion(other))


def _change(service, change, what, detail):
    return {'service': service, 'change': change, 'what': what,
            'detail': detail}


def _diff_microversions(service, old, new):
    before, after = served_range(old), served_range(new)
    if before == after:
        return []
    if after is None:
        return [_change(service, 'dropped', 'microversions',
                        '%s (no microversions any more)' % _span_text(*before))]
    if before is None:
        return [_change(service, 'added', 'microversions',
                        _span_text(*after))]
    changes = []
    (old_low, old_high), (new_low, new_high) = before, after
    if new_low > old_low:
        changes.append(_change(service, 'dropped', 'microversions',
                               '%s (minimum raised to %s)' % (
                                   _below(old_low, new_low),
                                   format_microversion(new_low))))
    if new_low < old_low:
        changes.append(_change(service, 'added', 'microversions',
                               _below(new_low, old_low)))
    if new_high > old_high:
        changes.append(_change(service, 'added', 'microversions',
                               _above(old_high, new_high)))
    if new_high < old_high:
        changes.append(_change(service, 'dropped', 'microversions',
                               '%s (maximum lowered to %s)' % (
                                   _above(new_high, old_high),
                                   format_microversion(new_high))))
    return changes


def diff_served(old, new):
    """What ``new`` dropped, added or deprecated compared to ``old``.

    Both have the ``served`` shape of :func:`check_profile`.  Returns
    ``[{'service', 'change': 'dropped'|'added'|'deprecated', 'what':
    'service'|'version'|'microversions', 'detail'}]``, by service.
    """
    changes = []
    for service in sorted(set(old) | set(new)):
        if service not in new:
            changes.append(_change(service, 'dropped', 'service', service))
            continue
        if service not in old:
            changes.append(_change(service, 'added', 'service', service))
            continue
        before, after = old[service], new[service]
        old_versions = set(before.get('versions') or [])
        new_versions = set(after.get('versions') or [])
        for version in sorted(old_versions - new_versions,
                              key=api_version_key):
            changes.append(_change(service, 'dropped', 'version', version))
        for version in sorted(new_versions - old_versions,
                              key=api_version_key):
            changes.append(_change(service, 'added', 'version', version))
        deprecated = (set(after.get('deprecated') or [])
                      - set(before.get('deprecated') or [])) & new_versions
        for version in sorted(deprecated, key=api_version_key):
            changes.append(_change(service, 'deprecated', 'version', version))
        changes.extend(_diff_microversions(service, before, after))
    return changes
