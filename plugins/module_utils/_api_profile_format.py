# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Consumer profiles: what a cloud's consumers need of its APIs, and how a
profile is checked before anything is judged by it.

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

:func:`validate_profile` normalises a profile, or raises
:class:`ProfileError` naming every problem; ``_api_profiles.check_profile``
judges it against what a cloud or a release serves.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    LATEST,
    compare_microversions,
    format_microversion,
    parse_api_version,
    parse_microversion,
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
