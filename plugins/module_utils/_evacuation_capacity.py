# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Whether the instances to move fit on the targets, as placement counts.

Servers and providers are the facts ``_evacuation_plan`` lists.  Instances
are placed largest first (:func:`move_order`).
"""

from __future__ import annotations

import math

RESOURCE_CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')


def flavor_resources(flavor, boot_from_volume=False):
    """What placement allocates for a flavor, as nova computes it."""
    swap_gb = int(math.ceil((flavor.get('swap') or 0) / 1024.0))
    disk = (flavor.get('ephemeral') or 0) + swap_gb
    if not boot_from_volume:
        disk += flavor.get('disk') or 0
    return {'VCPU': flavor.get('vcpus') or 0,
            'MEMORY_MB': flavor.get('ram') or 0,
            'DISK_GB': disk}


def instance_resources(server):
    """The instance's allocation; placement's record is the truth if known."""
    if server.get('resources'):
        return {rc: n for rc, n in server['resources'].items() if n}
    resources = flavor_resources(server.get('flavor') or {},
                                 server.get('boot_from_volume', False))
    return {rc: n for rc, n in resources.items() if n}


def free_capacity(provider):
    """{resource class: free amount}, as placement counts capacity."""
    usages = provider.get('usages') or {}
    free = {}
    for rc, inv in (provider.get('inventories') or {}).items():
        capacity = ((inv['total'] - inv.get('reserved', 0))
                    * inv.get('allocation_ratio', 1.0))
        free[rc] = int(capacity) - usages.get(rc, 0)
    return free


def max_units(provider):
    """{resource class: the largest amount one allocation may take}."""
    return {rc: inv.get('max_unit', inv['total'])
            for rc, inv in (provider.get('inventories') or {}).items()}


def _fits(need, free, limits):
    return all(n <= free.get(rc, 0) and n <= limits.get(rc, 0)
               for rc, n in need.items())


def _take(free, need):
    for rc, n in need.items():
        free[rc] = free.get(rc, 0) - n


def _misfit(need, free, limits, targets):
    """Why an instance fits on none of ``targets``."""
    for rc, n in sorted(need.items()):
        largest_unit = max((limits[t].get(rc, 0) for t in targets), default=0)
        if n > largest_unit:
            return 'needs %s %d, above the max_unit (%d) of every target' % (
                rc, n, largest_unit)
    for rc, n in sorted(need.items()):
        most_free = max((free[t].get(rc, 0) for t in targets), default=0)
        if n > most_free:
            return 'needs %s %d; the most free on one target is %d' % (
                rc, n, most_free)
    return 'no single target has all of %s free at once' % ', '.join(
        '%s %d' % item for item in sorted(need.items()))


def _pack(moves, targets, free, limits, spread):
    """Place moves (largest first) on targets; (assignment, unplaced, free).

    ``spread`` puts each instance on the target with most free memory, which
    balances load and migration traffic; otherwise plain first fit, which
    packs tighter when spreading does not fit.
    """
    free = {t: dict(f) for t, f in free.items()}
    assignment, unplaced = {}, []
    for move in moves:
        fitting = [t for t in targets if _fits(move['resources'], free[t], limits[t])]
        if not fitting:
            unplaced.append(move)
            continue
        if spread:
            fitting.sort(key=lambda t: (-free[t].get('MEMORY_MB', 0), targets.index(t)))
        target = fitting[0]
        _take(free[target], move['resources'])
        assignment[move['id']] = target
    return assignment, unplaced, free


def _sum(amounts):
    total = {}
    for amount in amounts:
        for rc, n in amount.items():
            total[rc] = total.get(rc, 0) + n
    return total


def check_capacity(moves, targets, providers, scheduler_picks):
    """Do ``moves`` (with ``resources``) fit on ``targets``?

    With named targets, a packing of the largest first decides and gives
    each move its target: onto the target with most free memory (spread),
    else, when spreading leaves some out, plain first fit decreasing. When
    the scheduler picks, only the sums and each instance's fit on some
    target can be checked: the packing is nova's.
    Returns {'ok', 'needed', 'free', 'shortfall': {rc: missing},
    'unplaced': [{'id', 'name', 'reason'}], 'assignment': {id: host|None}}.
    """
    moves = sorted(moves, key=move_order)
    free = {t: free_capacity(providers[t]) for t in targets}
    limits = {t: max_units(providers[t]) for t in targets}
    needed = _sum(m['resources'] for m in moves)
    # An overcommitted host (negative free) takes nothing, but gives nothing.
    free_total = _sum({rc: max(n, 0) for rc, n in f.items()} for f in free.values())
    shortfall = {rc: n - free_total.get(rc, 0) for rc, n in needed.items()
                 if n > free_total.get(rc, 0)}
    if scheduler_picks:
        unplaced = [m for m in moves if not any(
            _fits(m['resources'], free[t], limits[t]) for t in targets)]
        assignment = {m['id']: None for m in moves if m not in unplaced}
        left = free
    else:
        assignment, unplaced, left = _pack(moves, targets, free, limits, spread=True)
        if unplaced:
            assignment, unplaced, left = _pack(moves, targets, free, limits, spread=False)
    return {
        'ok': not shortfall and not unplaced,
        'needed': needed,
        'free': free_total,
        'shortfall': shortfall,
        'unplaced': [{'id': m['id'], 'name': m['name'],
                      'reason': _misfit(m['resources'], left, limits, targets)}
                     for m in unplaced],
        'assignment': assignment,
        'free_after': left,
    }


def shortfall_text(capacity):
    """'MEMORY_MB short by 2048; vm1 needs ...' for a failed capacity check."""
    parts = ['%s short by %d' % item for item in sorted(capacity['shortfall'].items())]
    parts += ['%s (%s) %s' % (u['name'], u['id'], u['reason'])
              for u in capacity['unplaced']]
    return '; '.join(parts)


def move_order(move):
    """Largest first (the longest migrations start first and the drain ends
    sooner), then by name and id so the order is stable."""
    need = move.get('resources') or {}
    return (-need.get('MEMORY_MB', 0), -need.get('VCPU', 0),
            -need.get('DISK_GB', 0), move.get('name') or '', move['id'])
