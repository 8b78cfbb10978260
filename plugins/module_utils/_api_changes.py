# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What one cloud's or release's APIs dropped, added or deprecated compared
to another's.

:func:`diff_served` compares their services, API versions and microversion
ranges (both sides in the ``served`` shape of
``_api_profiles.check_profile``); :func:`diff_routes` and
:func:`diff_extensions` the routes and the API extensions of two releases'
tables (``_api_routes.tables`` and ``_api_routes.extensions``).  Each
change is ``{'service', 'change', 'what', 'detail'}``.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_routes import (
    route_label,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    api_version_key,
    format_microversion,
    served_range,
)


# --- services, API versions and microversions --------------------------------


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


# --- routes and API extensions, by the release tables ------------------------


def _route_keys(rows):
    return {(row['method'], row['path'], row['action']) for row in rows
            if not row['gone']}


def _diff(old, new, what, only_in):
    """What ``new`` dropped or added compared to ``old`` (both by service
    type), for the services both have, as ``[{'service', 'change', 'what',
    'detail'}]``; ``only_in(first, second)`` lists the details of a
    service's ``first`` that its ``second`` lacks."""
    changes = []
    for service in sorted(set(old) & set(new)):
        for change, first, second in (('dropped', old, new),
                                      ('added', new, old)):
            changes.extend(
                _change(service, change, what, detail)
                for detail in only_in(first[service], second[service]))
    return changes


def diff_routes(old, new):
    """The routes ``new`` dropped or added compared to ``old`` (both
    ``{service type: table}``)."""
    return _diff(old, new, 'route', lambda first, second: [
        route_label(key)
        for key in routes_only_in(first['rows'], second['rows'])])


def diff_extensions(old, new):
    """The API extensions ``new`` dropped or added compared to ``old``
    (both ``_api_routes.extensions``)."""
    return _diff(old, new, 'extension', lambda first, second: sorted(
        first['aliases'] - second['aliases']))


def routes_only_in(rows, other_rows):
    """The routes (method, path template, action) that ``rows`` serve at
    some microversion and ``other_rows`` at none (removed or gone there),
    sorted by path."""
    return sorted(_route_keys(rows) - _route_keys(other_rows),
                  key=lambda key: (key[1], key[0], key[2] or ''))
