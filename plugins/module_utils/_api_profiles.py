# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Whether a cloud or a release serves what a consumer profile needs.

A consumer profile (``_api_profile_format``) says what a cloud's consumers
need, per service type.  What a cloud or a release serves has one shape for
both (a release's is ``RELEASES[series]['apis']``)::

    {'compute': {'versions': ['v2.0', 'v2.1'], 'min_version': '2.1',
                 'max_version': '2.104', 'deprecated': ['v2.0']},
     'image': {'versions': ['v2.0', ..., 'v2.17']}}   # no microversions

:func:`check_profile` checks each of a profile's requirements against what
is served; ``_api_changes.diff_served`` says what changed between two
clouds' or releases' APIs.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profile_format import (
    validate_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_routes import (
    LOADED,
    SERVED,
    check_call,
    check_extension,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    LATEST,
    format_microversion,
    parse_api_version,
    parse_microversion,
    served_range,
)


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
