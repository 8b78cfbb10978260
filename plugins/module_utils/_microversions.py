# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Microversions (2.79) and API version ids (v2.1): parsing and order.

2.9 < 2.10 < latest, as nova and placement compare them; v3 and v3.14 as
the version documents and request paths name an API.
"""

from __future__ import annotations

import math
import re

LATEST = 'latest'
# nova's and placement's own rule: no leading zeros, no major 0.
_MICROVERSION = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')
# An API version id: the first segment of a request path, a version entry's id.
API_VERSION = re.compile(r'^v(\d+)(?:\.(\d+))?$')


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


def served_range(served):
    """The (minimum, maximum) microversions of a ``served`` shape, parsed;
    None when it declares no range."""
    low, high = served.get('min_version'), served.get('max_version')
    if not low or not high:
        return None
    return parse_microversion(low), parse_microversion(high)


def parse_api_version(value):
    """'v2.1' -> (2, 1), 'v3' -> (3, None)."""
    match = API_VERSION.match(str(value).strip())
    if not match:
        raise ValueError('Invalid API version %r: expected one like "v2.1" or '
                         '"v3".' % (value,))
    minor = match.group(2)
    return int(match.group(1)), None if minor is None else int(minor)


def api_version_key(value):
    """A sort key for API version ids: v3 before v3.0 before v3.14."""
    major, minor = parse_api_version(value)
    return major, -1 if minor is None else minor
