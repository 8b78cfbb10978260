# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Which upgrades between releases OpenStack supports, and by what path.

N -> N+1, and from a SLURP release also to the next SLURP release
(skip-level).  A refusal names the allowed next steps and the supported
path, read from the release map (``_release_data``).
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
    UnknownRelease,
    release,
    series_key,
    series_label,
    series_list,
)


class UnsupportedUpgrade(ValueError):
    """An upgrade OpenStack does not support."""


def _series(name):
    """The series of a series or codename; UnknownRelease says which exist."""
    return release(name)['series']


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
    if series_key(target) < series_key(here):
        raise UnsupportedUpgrade(_downgrade_text(here, target))
    steps = []
    while here != target:
        options = [s for s in allowed_next(here)
                   if series_key(s) <= series_key(target)]
        step = max(options, key=series_key) if skip_level else options[0]
        steps.append({'from': here, 'to': step,
                      'skip_level': step != allowed_next(here)[0]})
        here = step
    return steps


def _downgrade_text(here, there):
    return ('%s -> %s is a downgrade, which OpenStack does not support. '
            'Allowed next steps from %s: %s.'
            % (series_label(here), series_label(there), here, _next_text(here)))


def _next_text(series):
    allowed = allowed_next(series)
    if not allowed:
        return 'none, %s is the newest release of the map' % series
    first = [series_label(allowed[0])]
    return ', '.join(first + ['%s (SLURP skip-level)' % series_label(s)
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
        return True, 'Already on %s: nothing to upgrade.' % series_label(here)
    if series_key(there) < series_key(here):
        return False, _downgrade_text(here, there)
    allowed = allowed_next(here)
    if there == allowed[0]:
        return True, '%s -> %s: upgrade to the next release.' % (
            series_label(here), series_label(there))
    if there in allowed:
        return True, ('%s -> %s: skip-level upgrade between SLURP releases.'
                      % (series_label(here), series_label(there)))
    return False, ('%s -> %s is not a supported upgrade: only the next '
                   'release, or the next SLURP release from a SLURP release. '
                   'Allowed next steps from %s: %s. Supported path: %s.'
                   % (series_label(here), series_label(there), here, _next_text(here),
                      _steps_text(here, upgrade_path(here, there))))
