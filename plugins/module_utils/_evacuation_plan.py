# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Plan the drain of compute hosts, with no cloud in sight.

The ``compute_evacuate`` module stays thin: it reads facts from
openstacksdk into plain dicts, asks :func:`plan_evacuation` what to do
(check mode returns that plan), and hands the plan to
``_evacuation_run.Evacuation``, which drives nova. Everything here is
deterministic.

Facts, as plain dicts:

- ``services``: ``[{'host', 'binary', 'status': 'enabled'|'disabled',
  'state': 'up'|'down', 'forced_down', 'disabled_reason'}]``
- ``aggregates``: ``{name: [host, ...]}``
- ``servers`` (on the hosts to drain): ``[{'id', 'name', 'host', 'status',
  'task_state', 'power_state', 'resources': {resource class: amount}}]``;
  without ``resources`` (the instance's placement allocation), ``flavor``
  (``vcpus``, ``ram``, ``disk``, ``ephemeral``, ``swap``) and
  ``boot_from_volume`` are used.
- ``providers``: ``{host: {'inventories': {resource class: {'total',
  'reserved', 'allocation_ratio', 'max_unit'}}, 'usages': {rc: used}}}``

Nova's own rules shape the classification (nova/compute/api.py): live
migration takes ACTIVE and PAUSED instances, cold migration ACTIVE and
SHUTOFF ones; SUSPENDED, ERROR or busy instances can be moved by neither.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_capacity import (
    check_capacity,
    instance_resources,
    max_units,
    move_order,
    shortfall_text,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_request import (
    TIMEOUT_ACTIONS,
    hosts_text,
    normalize_request,
    validate_request,
)

RUNNING, PAUSED, SHUTDOWN = 1, 3, 4

# Status before the move -> method and the state that proves it afterwards.
_LIVE = {'ACTIVE': ('ACTIVE', RUNNING), 'PAUSED': ('PAUSED', PAUSED)}
_COLD = {'SHUTOFF': ('SHUTOFF', SHUTDOWN)}
_UNMOVABLE = {
    'SUSPENDED': 'nova can neither live- nor cold-migrate a suspended '
                 'instance; resume it first',
    'ERROR': 'nova cannot migrate an instance in ERROR; repair it first',
}


# --- targets ------------------------------------------------------------

def scheduler_picks_targets(request):
    """True when nova's scheduler may choose any enabled host.

    Nova cannot be told to avoid hosts, so as soon as targets are limited
    (a list, an aggregate or exclusions) the plan names each target itself;
    nova still runs its filters on the named host (API >= 2.30, no force).
    """
    return not (request['targets'] or request['target_aggregate']
                or request['exclude'])


def eligible_targets(request, services, aggregates, providers=None):
    """(eligible hosts, {rejected host: why}) for the drained instances."""
    request = normalize_request(request)
    by_host = {s['host']: s for s in services
               if s.get('binary', 'nova-compute') == 'nova-compute'}
    if request['targets']:
        pool = request['targets']
    elif request['target_aggregate']:
        pool = sorted(aggregates.get(request['target_aggregate'], []))
    else:
        pool = sorted(by_host)
    eligible, rejected = [], {}
    for host in pool:
        service = by_host.get(host)
        if host in request['hosts']:
            rejected[host] = 'being drained'
        elif host in request['exclude']:
            rejected[host] = 'excluded'
        elif service is None:
            rejected[host] = 'runs no nova-compute'
        elif service.get('status') != 'enabled':
            rejected[host] = 'disabled (%s)' % (service.get('disabled_reason')
                                                or 'no reason given')
        elif service.get('forced_down'):
            rejected[host] = 'forced down'
        elif service.get('state') != 'up':
            rejected[host] = 'nova-compute is down'
        elif providers is not None and host not in providers:
            rejected[host] = 'no resource provider in placement'
        else:
            eligible.append(host)
    return eligible, rejected


# --- instances ----------------------------------------------------------

def classify_servers(servers, policy):
    """Split instances into (moves, skipped, blocked) under ``policy``.

    Every instance lands in exactly one list: none is left out silently.
    """
    moves, skipped, blocked = [], [], []
    for server in servers:
        entry = {'id': server['id'], 'name': server.get('name'),
                 'source': server['host'], 'status': server.get('status')}
        status, task_state = server.get('status'), server.get('task_state')
        if task_state:
            reason = ('busy with task %s; wait until it ends and run again'
                      % task_state)
        elif status in _LIVE or (status in _COLD and policy == 'cold_migrate'):
            method = 'live' if status in _LIVE else 'cold'
            status_after, power_after = (_LIVE if method == 'live' else _COLD)[status]
            entry.update(method=method, resources=instance_resources(server),
                         expected={'status': status_after, 'power_state': power_after})
            moves.append(entry)
            continue
        elif status in _COLD:
            reason = ('shut off, so it cannot be live-migrated '
                      '(non_live_policy=%s)' % policy)
        else:
            reason = _UNMOVABLE.get(status, 'nova cannot migrate an instance '
                                            'in status %s' % status)
        entry['reason'] = reason
        (skipped if policy == 'skip' else blocked).append(entry)
    return moves, skipped, blocked


# --- chosen instances ---------------------------------------------------

def select_instances(request, found):
    """Which of the chosen instances move, and from where.

    ``found`` maps each entry of ``instances`` (a name or ID) to its server
    dict, or None when nova has no such instance. An instance already on
    one of ``targets`` is in place (so a second refill moves nothing). The
    sources are ``hosts`` if given, else the hosts the instances run on.
    Returns ``{'hosts', 'servers', 'in_place', 'missing', 'problems'}``.
    """
    request = normalize_request(request)
    targets, given = request['targets'] or [], request['hosts']
    selection = {'servers': [], 'in_place': [], 'missing': [], 'problems': []}
    for ref in request['instances'] or []:
        server = found.get(ref)
        if server is None:
            selection['missing'].append(ref)
        elif server['id'] in [s['id'] for s in selection['servers'] + selection['in_place']]:
            continue
        elif server.get('host') in targets:
            selection['in_place'].append(server)
        elif given and server.get('host') not in given:
            selection['problems'].append(
                'Instance %s (%s) runs on %s, not on hosts (%s): drop it from '
                'instances or add its host to hosts.' % (
                    server.get('name'), server['id'], server.get('host') or 'no host',
                    hosts_text(given)))
        else:
            selection['servers'].append(server)
    if selection['missing'] and not request['ignore_missing']:
        selection['problems'].append(
            'No instance named or with the ID %s exists. Check the names, or set '
            'ignore_missing to pass over instances deleted meanwhile.'
            % ', '.join(selection['missing']))
    selection['hosts'] = given or sorted({s['host'] for s in selection['servers']
                                          if s.get('host')})
    return selection


# --- plan ---------------------------------------------------------------

def plan_evacuation(request, services, aggregates, servers, providers,
                    selection=None):
    """What a drain would do; check mode returns exactly this.

    ``problems`` lists every reason not to start; a plan with problems
    must not be run. ``moves`` is in execution order, each with its method,
    its target (None: the scheduler picks) and alternate targets.
    With ``instances``, ``selection`` (from :func:`select_instances`) gives
    the sources and the servers, and ``servers`` is not read.
    """
    request = normalize_request(request)
    if selection is not None:
        request['hosts'], servers = selection['hosts'], selection['servers']
    sources = request['hosts']
    scheduler_picks = scheduler_picks_targets(request)
    plan = {
        'sources': sources,
        'selected': None,
        'disable': [],
        'scheduler_picks_targets': scheduler_picks,
        'eligible_targets': [],
        'ineligible_targets': {},
        'moves': [],
        'skipped': [],
        'blocked': [],
        'capacity': None,
        'timeout_action': {
            'action': request['timeout_action'],
            'microversion': TIMEOUT_ACTIONS.get(request['timeout_action'])},
        'in_place': [],
        'missing': [],
        'problems': validate_request(request, services, aggregates),
    }
    if selection is not None:
        plan['in_place'] = [{'id': s['id'], 'name': s.get('name'), 'host': s.get('host')}
                            for s in selection['in_place']]
        plan['missing'] = selection['missing']
        plan['problems'][:0] = selection['problems']
    if plan['problems']:
        return plan

    by_host = {s['host']: s for s in services
               if s.get('binary', 'nova-compute') == 'nova-compute'}
    servers = [s for s in servers if s.get('host') in sources]
    if request['instances']:
        # Chosen instances leave; their hosts are not drained.
        plan['selected'] = [s['id'] for s in servers]
    else:
        plan['disable'] = [{'host': h, 'disabled_reason': request['disabled_reason']}
                           for h in sources if by_host[h].get('status') == 'enabled']
    moves, skipped, blocked = classify_servers(servers, request['non_live_policy'])
    moves.sort(key=move_order)
    plan.update(skipped=skipped, blocked=blocked)
    problems = plan['problems']
    if blocked:
        problems.append(
            '%d instance(s) cannot be moved under non_live_policy=%s: %s. Fix '
            'them, or choose non_live_policy=skip (or cold_migrate for shut-off '
            'ones).' % (len(blocked), request['non_live_policy'], '; '.join(
                '%s (%s) on %s, %s: %s' % (b['name'], b['id'], b['source'],
                                           b['status'], b['reason']) for b in blocked)))

    with_moves = sorted({m['source'] for m in moves})
    down = [h for h in with_moves if by_host[h].get('state') != 'up'
            or by_host[h].get('forced_down')]
    if down:
        problems.append('nova-compute is down on %s: migrating instances away '
                        'needs it running (a dead host needs evacuate, not a '
                        'drain).' % hosts_text(down))

    check = request['capacity_check']
    eligible, rejected = eligible_targets(request, services, aggregates,
                                          providers if check else None)
    plan.update(eligible_targets=eligible, ineligible_targets=rejected)
    if moves and not eligible:
        problems.append('No eligible target for the instances of %s: %s.' % (
            hosts_text(with_moves), '; '.join(
                '%s %s' % item for item in sorted(rejected.items())) or 'no hosts'))

    assignment, free_after = {}, {}
    if moves and eligible and check:
        capacity = check_capacity(moves, eligible, providers, scheduler_picks)
        assignment, free_after = capacity.pop('assignment'), capacity.pop('free_after')
        plan['capacity'] = capacity
        if not capacity['ok']:
            problems.append('Not enough free capacity on the eligible targets '
                            '(%s): %s.' % (hosts_text(eligible),
                                           shortfall_text(capacity)))
    elif moves and eligible and not scheduler_picks:
        # No capacity data: spread round-robin and let nova's filters judge.
        assignment = {m['id']: eligible[i % len(eligible)] for i, m in enumerate(moves)}

    for move in moves:
        target = None if scheduler_picks else assignment.get(move['id'])
        move['target'] = target
        move['alternates'] = [] if scheduler_picks else _alternates(
            move, target, eligible, free_after, providers if check else None)
    plan['moves'] = moves
    return plan


def _alternates(move, target, eligible, free_after, providers):
    """Other targets to try when ``target`` refuses: those whose max_unit
    allows the instance, most free memory first."""
    others = [t for t in eligible if t != target]
    if providers is None:
        return others
    others = [t for t in others if all(
        n <= max_units(providers[t]).get(rc, 0) for rc, n in move['resources'].items())]
    return sorted(others, key=lambda t: (-free_after.get(t, {}).get('MEMORY_MB', 0), t))
