# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What runs, where it may go, and whether consumers survive the trip.

Pure functions over the release map (``module_utils.releases``), with no
cloud in sight:

- microversions: :func:`parse_microversion`, :func:`compare_microversions`,
  :func:`microversion_key` (2.9 < 2.10 < latest);
- releases: :func:`release_of` (a package version to its series),
  :func:`version_of` (and back), :func:`upgrade_path`, :func:`check_upgrade`;
- nova: :func:`rpc_pin_for` (the compute RPC version nova pins to) and
  :func:`compute_service_report` (skew, pin and refused computes);
- API compatibility: :func:`validate_profile`, :func:`check_profile`,
  :func:`diff_served` and :func:`profile_from_access_log`;
- hosts: :func:`version_skew` (which release each host runs, and where
  they differ).

A consumer profile says what a cloud's consumers need, per service type::

    services:
      compute:
        versions: [v2.1]        # API versions called (the URL's root)
        min_version: '2.1'      # microversion range used
        max_version: '2.95'
        calls:                  # optional: single calls
          - {method: GET, path: '/servers/{id}', microversion: '2.79'}

What a cloud or a release serves has one shape for both (a release's is
``RELEASES[series]['apis']``)::

    {'compute': {'versions': ['v2.0', 'v2.1'], 'min_version': '2.1',
                 'max_version': '2.104', 'deprecated': ['v2.0']},
     'image': {'versions': ['v2.0', ..., 'v2.17']}}   # no microversions
"""

from __future__ import annotations

import math
import re

from ansible_collections.stackroll.lifecycle.plugins.module_utils.releases import (
    RELEASES,
    UnknownRelease,
    release,
    series_named,
)

# --- microversions ----------------------------------------------------------

LATEST = 'latest'
# nova's and placement's own rule: no leading zeros, no major 0.
_MICROVERSION = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


def parse_microversion(value):
    """'2.10' -> (2, 10); ValueError, saying why, for anything else.

    Numbers are refused: YAML reads an unquoted 2.10 as the float 2.1.
    """
    if isinstance(value, (bool, int, float)):
        raise ValueError(
            'Microversion %r is a number: quote it, as YAML reads 2.10 as '
            'the number 2.1.' % (value,))
    if not isinstance(value, str):
        raise ValueError('Microversion %r is not a string like "2.79".'
                         % (value,))
    match = _MICROVERSION.match(value.strip())
    if not match:
        raise ValueError('Invalid microversion %r: expected MAJOR.MINOR, for '
                         'example "2.79".' % (value,))
    return int(match.group(1)), int(match.group(2))


def format_microversion(version):
    """(2, 10) -> '2.10'."""
    return '%d.%d' % tuple(version)


def microversion_key(value):
    """A sort key: 2.9 < 2.10, and 'latest' above every number."""
    if isinstance(value, str) and value.strip().lower() == LATEST:
        return (math.inf, math.inf)
    return parse_microversion(value)


def compare_microversions(left, right):
    """-1, 0 or 1 as ``left`` is below, equal to or above ``right``."""
    left, right = microversion_key(left), microversion_key(right)
    return (left > right) - (left < right)


def sort_microversions(values, reverse=False):
    """The microversions in numeric order ('latest' last)."""
    return sorted(values, key=microversion_key, reverse=reverse)


# --- the release map --------------------------------------------------------


class UnknownVersion(ValueError):
    """A package version that belongs to no release of the map."""


class UnsupportedUpgrade(ValueError):
    """An upgrade OpenStack does not support."""


def _series_key(series):
    return tuple(int(part) for part in series.split('.'))


def series_list():
    """The series of the map, oldest first."""
    return sorted(RELEASES, key=_series_key)


def _series(name):
    """The series of a series or codename; UnknownRelease says which exist."""
    return release(name)['series']


def _label(series):
    return '%s (%s)' % (series, RELEASES[series]['codename'])


def _canonical(name):
    # PyPI's name normalisation (PEP 503): openstack_placement is
    # openstack-placement.
    return re.sub(r'[-_.]+', '-', str(name).strip()).lower()


def _split_requirement(requirement):
    name, _sep, version = requirement.partition('==')
    return name.strip(), version.strip()


def service_of(name):
    """The map's service name ('placement') for a service or PyPI package
    name ('openstack-placement', 'openstack_placement')."""
    wanted = _canonical(name)
    known = []
    for entry in RELEASES.values():
        for service, requirement in entry['packages'].items():
            package = _canonical(_split_requirement(requirement)[0])
            if wanted in (service, package):
                return service
            known.append(service)
    raise ValueError('Unknown service or package %r. Known services: %s.'
                     % (name, ', '.join(sorted(set(known)))))


def version_of(service, series):
    """The version of ``service`` (or its package) pinned by ``series``:
    version_of('nova', '2026.2') -> '34.0.0'."""
    service = service_of(service)
    entry = release(series)
    if service not in entry['packages']:
        raise ValueError('Release %s does not install %s.'
                         % (_label(entry['series']), service))
    return _split_requirement(entry['packages'][service])[1]


def _major(version):
    match = re.match(r'^\s*(\d+)(?:\.|\s*$)', str(version))
    if not match:
        raise ValueError('Invalid package version %r: expected a version '
                         'like "34.0.0".' % (version,))
    return int(match.group(1))


def release_of(name, version=None):
    """The series a service's package version belongs to.

    ``release_of('nova', '34.0.0')`` and ``release_of('nova==34.0.0')`` give
    '2026.2'.  Every OpenStack release bumps each service's major version,
    so point releases the map does not pin (nova 33.0.1) belong to the
    series of their major (2026.1).  UnknownVersion for any other major.
    """
    if version is None:
        name, version = _split_requirement(str(name))
        if not version:
            raise ValueError('Give a version, or a requirement like '
                             '"nova==34.0.0" (got %r).' % (name,))
    service = service_of(name)
    major = _major(version)
    known = []
    for series in series_list():
        pinned = RELEASES[series]['packages'].get(service)
        if pinned is None:
            continue
        pinned_major = _major(_split_requirement(pinned)[1])
        if pinned_major == major:
            return series
        known.append('%d.x %s' % (pinned_major, series))
    raise UnknownVersion('%s %s belongs to no release of the map. Known: %s.'
                         % (service, version, ', '.join(known)))


def allowed_next(current):
    """The series ``current`` may upgrade to in one go: the next release,
    and from a SLURP release also the next SLURP release (skip-level)."""
    order = series_list()
    index = order.index(_series(current))
    allowed = order[index + 1:index + 2]
    if RELEASES[order[index]]['slurp']:
        slurp = [s for s in order[index + 1:] if RELEASES[s]['slurp']]
        if slurp and slurp[0] not in allowed:
            allowed.append(slurp[0])
    return allowed


def _steps_text(current, steps):
    return ' -> '.join([current] + [step['to'] for step in steps])


def upgrade_path(current, target, skip_level=True):
    """The supported steps from ``current`` to ``target``, in order.

    Each step is ``{'from', 'to', 'skip_level'}``; SLURP skip-level jumps
    are taken where they shorten the path (unless ``skip_level`` is false).
    Already on ``target``: no steps.  A downgrade raises UnsupportedUpgrade
    naming the allowed next steps; an unknown release, UnknownRelease.
    """
    here, target = _series(current), _series(target)
    if _series_key(target) < _series_key(here):
        raise UnsupportedUpgrade(_downgrade_text(here, target))
    steps = []
    while here != target:
        options = [s for s in allowed_next(here)
                   if _series_key(s) <= _series_key(target)]
        step = max(options, key=_series_key) if skip_level else options[0]
        steps.append({'from': here, 'to': step,
                      'skip_level': step != allowed_next(here)[0]})
        here = step
    return steps


def _downgrade_text(here, there):
    return ('%s -> %s is a downgrade, which OpenStack does not support. '
            'Allowed next steps from %s: %s.'
            % (_label(here), _label(there), here, _next_text(here)))


def _next_text(series):
    allowed = allowed_next(series)
    if not allowed:
        return 'none, %s is the newest release of the map' % series
    first = [_label(allowed[0])]
    return ', '.join(first + ['%s (SLURP skip-level)' % _label(s)
                              for s in allowed[1:]])


def check_upgrade(current, target):
    """Whether ``current`` may upgrade straight to ``target``: (ok, message).

    Allowed: N -> N+1, and SLURP -> next SLURP (2025.1 -> 2026.1).  A refusal
    names the allowed next steps and the supported path to ``target``.
    """
    try:
        here, there = _series(current), _series(target)
    except UnknownRelease as exc:
        return False, str(exc)
    if here == there:
        return True, 'Already on %s: nothing to upgrade.' % _label(here)
    if _series_key(there) < _series_key(here):
        return False, _downgrade_text(here, there)
    allowed = allowed_next(here)
    if there == allowed[0]:
        return True, '%s -> %s: upgrade to the next release.' % (
            _label(here), _label(there))
    if there in allowed:
        return True, ('%s -> %s: skip-level upgrade between SLURP releases.'
                      % (_label(here), _label(there)))
    return False, ('%s -> %s is not a supported upgrade: only the next '
                   'release, or the next SLURP release from a SLURP release. '
                   'Allowed next steps from %s: %s. Supported path: %s.'
                   % (_label(here), _label(there), here, _next_text(here),
                      _steps_text(here, upgrade_path(here, there))))


# --- nova service versions --------------------------------------------------

# nova/objects/service.py SERVICE_VERSION_HISTORY (read in nova 34.0.0): the
# compute RPC API each service version speaks, from 66 (Caracal, the oldest
# compute 2025.1 accepts) to 74 (Hibiscus).
COMPUTE_RPC_BY_SERVICE_VERSION = {
    66: '6.2', 67: '6.3', 68: '6.4', 69: '6.4', 70: '6.4',
    71: '6.5', 72: '6.5', 73: '6.5', 74: '6.5',
}


def rpc_pin_for(min_service_version, series=None):
    """The compute RPC version nova pins to with ``[upgrade_levels]
    compute = auto``, given the minimum nova-compute service version.

    ``series`` is the release the controllers run (default: the newest of
    the map).  Like nova, 0 (no compute yet) gives the controllers' own
    version.  A minimum newer than the controllers know is an error: nova
    raises ServiceTooOld there, the controllers must be upgraded first.
    """
    if isinstance(min_service_version, bool):
        raise ValueError('Invalid service version %r.' % (min_service_version,))
    try:
        version = int(min_service_version)
    except (TypeError, ValueError):
        raise ValueError('Invalid service version %r: expected a whole number '
                         'like 72.' % (min_service_version,)) from None
    if series is None:
        newest, controllers = max(COMPUTE_RPC_BY_SERVICE_VERSION), 'the map'
    else:
        entry = release(series)
        newest = entry['nova_service_version']
        controllers = 'nova of %s' % _label(entry['series'])
    if version == 0:
        return COMPUTE_RPC_BY_SERVICE_VERSION[newest]
    if version > newest:
        raise ValueError(
            'Compute service version %d is newer than %s knows (%d): upgrade '
            'the controllers before the computes.' % (version, controllers,
                                                      newest))
    if version not in COMPUTE_RPC_BY_SERVICE_VERSION:
        raise ValueError(
            'Compute service version %d is older than any release of the map '
            'supports (oldest known: %d).'
            % (version, min(COMPUTE_RPC_BY_SERVICE_VERSION)))
    return COMPUTE_RPC_BY_SERVICE_VERSION[version]


def _release_of_service_version(version):
    for series in series_list():
        if RELEASES[series]['nova_service_version'] == version:
            return series
    return None


def compute_service_report(services, series):
    """What nova makes of its computes' service versions under controllers
    of release ``series``.

    ``services``: ``[{'host', 'version', 'forced_down'}]`` of nova-compute.
    Like nova, forced-down services do not count towards the minimum.
    Returns ``min_version``, ``max_version``, ``mixed``, ``rpc_pin`` (None
    without computes), ``releases`` (host -> series of its service version,
    None between releases), ``too_old`` (hosts the controllers refuse:
    nova's TooOldComputeService) and ``too_new`` (hosts newer than the
    controllers).
    """
    entry = release(series)
    counted = [s for s in services if not s.get('forced_down')]
    versions = [int(s['version']) for s in counted]
    report = {
        'min_version': min(versions) if versions else None,
        'max_version': max(versions) if versions else None,
        'mixed': len(set(versions)) > 1,
        'rpc_pin': None,
        'releases': dict((s['host'], _release_of_service_version(
            int(s['version']))) for s in services),
        'too_old': sorted(s['host'] for s in counted
                          if int(s['version']) < entry['nova_oldest_compute']),
        'too_new': sorted(s['host'] for s in counted
                          if int(s['version']) > entry['nova_service_version']),
    }
    if versions and not report['too_new'] and not report['too_old']:
        report['rpc_pin'] = rpc_pin_for(min(versions), entry['series'])
    return report


# --- consumer profiles ------------------------------------------------------

# Service types (the catalog's names) a profile may name.
SERVICE_TYPES = (
    'identity', 'compute', 'placement', 'image', 'network', 'block-storage',
    'object-store', 'orchestration', 'load-balancer', 'dns', 'key-manager',
    'shared-file-system', 'baremetal',
)
# Names operators reach for first, and the service type they mean.
_SERVICE_HINTS = {
    'keystone': 'identity', 'nova': 'compute', 'glance': 'image',
    'neutron': 'network', 'cinder': 'block-storage', 'volume': 'block-storage',
    'volumev3': 'block-storage', 'swift': 'object-store',
    'heat': 'orchestration', 'octavia': 'load-balancer', 'designate': 'dns',
    'barbican': 'key-manager', 'manila': 'shared-file-system',
    'ironic': 'baremetal',
}
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')
_API_VERSION = re.compile(r'^v(\d+)(?:\.(\d+))?$')
_SERVICE_KEYS = ('versions', 'min_version', 'max_version', 'calls')
_CALL_KEYS = ('method', 'path', 'microversion', 'count')


class ProfileError(ValueError):
    """A consumer profile that cannot be checked."""


def parse_api_version(value):
    """'v2.1' -> (2, 1), 'v3' -> (3, None)."""
    match = _API_VERSION.match(str(value).strip())
    if not match:
        raise ValueError('Invalid API version %r: expected one like "v2.1" or '
                         '"v3".' % (value,))
    minor = match.group(2)
    return int(match.group(1)), None if minor is None else int(minor)


def _api_version_key(value):
    major, minor = parse_api_version(value)
    return major, -1 if minor is None else minor


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
    return result


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
            hint = _SERVICE_HINTS.get(str(name).lower())
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


def _microversion_range(served):
    low, high = served.get('min_version'), served.get('max_version')
    if not low or not high:
        return None
    return parse_microversion(low), parse_microversion(high)


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
        if call['microversion']:
            label += ' at %s' % call['microversion']
        yield label, 'call', call['microversion']


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
    span = _microversion_range(served)
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


def check_profile(profile, served):
    """Check each requirement of ``profile`` against ``served``.

    ``served``: ``{service type: {'versions', 'min_version', 'max_version',
    'deprecated'}}``, from a live cloud or a release's ``apis``.  Returns
    ``[{'service', 'requirement', 'ok', 'reason'}]``, one per requirement,
    in profile order; on a service no longer served every requirement
    fails.
    """
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
        results.extend(_check_requirement(service, label, kind, value,
                                          served[service])
                       for label, kind, value in requirements)
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
    before, after = _microversion_range(old), _microversion_range(new)
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
                              key=_api_version_key):
            changes.append(_change(service, 'dropped', 'version', version))
        for version in sorted(new_versions - old_versions,
                              key=_api_version_key):
            changes.append(_change(service, 'added', 'version', version))
        deprecated = (set(after.get('deprecated') or [])
                      - set(before.get('deprecated') or [])) & new_versions
        for version in sorted(deprecated, key=_api_version_key):
            changes.append(_change(service, 'deprecated', 'version', version))
        changes.extend(_diff_microversions(service, before, after))
    return changes


# --- a profile from the API access logs -------------------------------------

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
            service = _SERVICE_HINTS.get(match.group(1), match.group(1))
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
    if segments and _API_VERSION.match(segments[0]):
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
            'versions': sorted(need['versions'], key=_api_version_key),
            'min_version': versions[0] if versions else None,
            'max_version': versions[-1] if versions else None,
            'calls': sorted(calls, key=_call_key),
        }
    return {'services': services}


# --- version skew across hosts ----------------------------------------------


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
