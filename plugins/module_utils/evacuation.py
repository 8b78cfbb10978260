# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Plan and drive the drain of compute hosts, with no cloud in sight.

The ``compute_evacuate`` module stays thin: it reads facts from
openstacksdk into plain dicts, asks :func:`plan_evacuation` what to do
(check mode returns that plan), and hands the plan to :class:`Evacuation`,
which drives nova through an :class:`EvacuationActions` object and an
injected clock. Everything here is deterministic.

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

import math

from ansible_collections.stackroll.lifecycle.plugins.module_utils.nova import (
    ABORT_MIGRATION,
    FORCE_COMPLETE,
)

POLICIES = ('cold_migrate', 'skip', 'fail')
# The compute API microversion each timeout action needs.
TIMEOUT_ACTIONS = {'force_complete': FORCE_COMPLETE, 'abort': ABORT_MIGRATION}
BLOCK_MIGRATION = ('auto', True, False)

# compute_evacuate's defaults: its argument_spec takes them from here.
DEFAULTS = {
    'hosts': [],
    # Move only these instances (IDs), and leave their hosts enabled.
    'instances': None,
    'targets': None,
    'target_aggregate': None,
    'exclude': [],
    'concurrency': 4,
    # nova's max_concurrent_live_migrations defaults to 1: more requests
    # from one host only queue in nova. Raise both together.
    'per_host_concurrency': 1,
    'timeout': 600,
    # nova's own live_migration_timeout_action defaults to abort too: the
    # guest keeps running untouched on its source.
    'timeout_action': 'abort',
    'action_grace': 120,
    'settle_timeout': 60,
    'non_live_policy': 'fail',
    'retries': 5,
    'retry_delay': 5,
    'retry_delay_max': 60,
    'target_retries': 2,
    'poll_interval': 2,
    'block_migration': 'auto',
    'capacity_check': True,
    'disabled_reason': 'drained by stackroll.lifecycle.compute_evacuate',
    'enable_on_failure': False,
    'ignore_missing': False,
}

RESOURCE_CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')
RUNNING, PAUSED, SHUTDOWN = 1, 3, 4
_POWER_STATES = {0: 'pending', 1: 'running', 3: 'paused', 4: 'shutdown',
                 6: 'crashed', 7: 'suspended'}

# Status before the move -> method and the state that proves it afterwards.
_LIVE = {'ACTIVE': ('ACTIVE', RUNNING), 'PAUSED': ('PAUSED', PAUSED)}
_COLD = {'SHUTOFF': ('SHUTOFF', SHUTDOWN)}
_UNMOVABLE = {
    'SUSPENDED': 'nova can neither live- nor cold-migrate a suspended '
                 'instance; resume it first',
    'ERROR': 'nova cannot migrate an instance in ERROR; repair it first',
}

# Migration record statuses.
_WAITING = ('accepted', 'queued')          # nova has not begun the work
_SUCCEEDED = {'live': 'completed', 'cold': 'confirmed'}
_FAILED = ('error', 'failed', 'cancelled', 'reverted')
_NOT_RETRIED = ('cancelled', 'reverted')   # someone chose to stop it
MOVED = ('moved', 'cold_migrated')          # outcomes of a proven move

# Error classes that mean the request may never have reached nova.
_CONNECTION_ERRORS = frozenset((
    'ConnectionError', 'ConnectFailure', 'ConnectTimeout',
    'RetriableConnectionFailure', 'UnknownConnectionError', 'TimeoutError'))
# 400s that say this target refused this instance (nova's NoValidHost,
# ComputeServiceUnavailable, MigrationPreCheckError, InvalidCPUInfo...).
_TARGET_REFUSALS = ('no valid host', 'is unavailable', 'pre-check error',
                    'cpu info', 'hypervisor')


# --- request ------------------------------------------------------------

def _unique(items):
    seen = []
    for item in items or []:
        if item not in seen:
            seen.append(item)
    return seen


def normalize_request(params):
    """The module's parameters with defaults filled in and lists cleaned."""
    request = dict(DEFAULTS)
    request.update((k, v) for k, v in params.items()
                   if k in DEFAULTS and v is not None)
    for key in ('hosts', 'exclude', 'targets', 'instances'):
        if isinstance(request[key], str):
            request[key] = [request[key]]
    request['hosts'] = _unique(request['hosts'])
    request['exclude'] = _unique(request['exclude'])
    request['instances'] = _unique(request['instances']) or None
    # An empty list (an unanswered AWX survey) means no restriction.
    request['targets'] = _unique(request['targets']) or None
    request['target_aggregate'] = request['target_aggregate'] or None
    return request


def compute_hosts(services):
    """Sorted names of the hosts that run nova-compute."""
    return sorted({s['host'] for s in services
                   if s.get('binary', 'nova-compute') == 'nova-compute'})


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _hosts_text(hosts):
    return ', '.join(hosts) or 'none'


def validate_request(request, services, aggregates):
    """Everything wrong with the request, as messages; [] when it is fine.

    Runs before anything is changed, and reports all problems at once.
    """
    request = normalize_request(request)
    problems = []
    known = compute_hosts(services)
    sources, targets, exclude = (request['hosts'], request['targets'] or [],
                                 request['exclude'])

    if not sources and not request['instances']:
        problems.append('hosts is empty: name at least one compute host to drain.')
    for option, hosts in (('hosts', sources), ('targets', targets),
                          ('exclude', exclude)):
        unknown = [h for h in hosts if h not in known]
        if unknown:
            problems.append('Unknown compute host(s) in %s: %s. Known compute '
                            'hosts: %s.' % (option, _hosts_text(unknown),
                                            _hosts_text(known)))
    both = [h for h in targets if h in sources]
    if both:
        problems.append('%s both drained and a target, but a host being drained '
                        'cannot take instances. Remove it from targets or from '
                        'hosts.' % ('%s is' % both[0] if len(both) == 1
                                    else '%s are' % _hosts_text(both)))
    excluded = [h for h in targets if h in exclude]
    if excluded:
        problems.append('Target(s) %s are also excluded, and an excluded host '
                        'is never a target. Remove them from targets or from '
                        'exclude.' % _hosts_text(excluded))
    aggregate = request['target_aggregate']
    if aggregate and targets:
        problems.append('Give targets or target_aggregate, not both.')
    if aggregate and aggregate not in aggregates:
        problems.append('Unknown aggregate %r. Known aggregates: %s.'
                        % (aggregate, _hosts_text(sorted(aggregates))))

    for name, what in (('concurrency', 'how many migrations run at once'),
                       ('per_host_concurrency',
                        'how many migrations run at once from one host')):
        if not _is_int(request[name]) or request[name] < 1:
            problems.append('%s must be a whole number, 1 or more (got %r): it '
                            'is %s.' % (name, request[name], what))
    for name in ('retries', 'target_retries'):
        if not _is_int(request[name]) or request[name] < 0:
            problems.append('%s must be a whole number, 0 or more (got %r).'
                            % (name, request[name]))
    for name in ('timeout', 'poll_interval'):
        if not _is_number(request[name]) or request[name] <= 0:
            problems.append('%s must be a number of seconds above 0 (got %r).'
                            % (name, request[name]))
    for name in ('action_grace', 'settle_timeout', 'retry_delay', 'retry_delay_max'):
        if not _is_number(request[name]) or request[name] < 0:
            problems.append('%s must be a number of seconds, 0 or more (got %r).'
                            % (name, request[name]))
    for name, allowed in (('timeout_action', tuple(TIMEOUT_ACTIONS)),
                          ('non_live_policy', POLICIES),
                          ('block_migration', BLOCK_MIGRATION)):
        if request[name] not in allowed:
            problems.append('%s must be one of %s (got %r).' % (
                name, ', '.join(str(a) for a in allowed), request[name]))
    return problems


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


# --- capacity -----------------------------------------------------------

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


# --- instances ----------------------------------------------------------

def move_order(move):
    """Largest first (the longest migrations start first and the drain ends
    sooner), then by name and id so the order is stable."""
    need = move.get('resources') or {}
    return (-need.get('MEMORY_MB', 0), -need.get('VCPU', 0),
            -need.get('DISK_GB', 0), move.get('name') or '', move['id'])


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
                    _hosts_text(given)))
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
                        'drain).' % _hosts_text(down))

    check = request['capacity_check']
    eligible, rejected = eligible_targets(request, services, aggregates,
                                          providers if check else None)
    plan.update(eligible_targets=eligible, ineligible_targets=rejected)
    if moves and not eligible:
        problems.append('No eligible target for the instances of %s: %s.' % (
            _hosts_text(with_moves), '; '.join(
                '%s %s' % item for item in sorted(rejected.items())) or 'no hosts'))

    assignment, free_after = {}, {}
    if moves and eligible and check:
        capacity = check_capacity(moves, eligible, providers, scheduler_picks)
        assignment, free_after = capacity.pop('assignment'), capacity.pop('free_after')
        plan['capacity'] = capacity
        if not capacity['ok']:
            problems.append('Not enough free capacity on the eligible targets '
                            '(%s): %s.' % (_hosts_text(eligible),
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


# --- errors and proof ---------------------------------------------------

def classify_error(status_code, message, connection=False):
    """'transient', 'target' or 'permanent' for a refused request.

    - transient: connection errors, 409 (the instance is busy: a task, or
      ``power_state pending`` right after a compute restart, or not ready),
      429, 502, 503, 504. Retried with exponential backoff.
    - target: a 400 saying the target refused this instance (no valid host,
      compute unavailable, pre-check failed). Nova's view changes (a host
      comes back, resources free up, another target fits), so it is retried
      a few times (``target_retries``), on the next alternate target when
      targets are named.
    - permanent: anything else, including a 409 about the vm_state (it will
      not change by itself) and a 500, whose effect is unknown.
    """
    text = (message or '').lower()
    if connection:
        return 'transient'
    if status_code == 409:
        return 'permanent' if 'vm_state' in text else 'transient'
    if status_code in (429, 502, 503, 504):
        return 'transient'
    if status_code == 400 and any(p in text for p in _TARGET_REFUSALS):
        return 'target'
    return 'permanent'


def error_kind(exc):
    """:func:`classify_error` for an exception from openstacksdk or
    keystoneauth, read by duck typing so that no SDK import is needed."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    status = getattr(exc, 'status_code', None) or getattr(exc, 'http_status', None)
    message = ' '.join(str(p) for p in (exc, getattr(exc, 'details', None)) if p)
    return classify_error(status, message, connection=bool(names & _CONNECTION_ERRORS))


def backoff_delay(retry_number, base, cap):
    """Seconds before retry ``retry_number`` (1, 2, ...): base, 2 base,
    4 base... at most cap."""
    return min(base * 2 ** (retry_number - 1), cap)


def verify_move(move, migration, server, sources):
    """(proven, reason): did the instance really leave its source?

    Proof needs all three: the migration record says it finished, the
    server is on a host that is not being drained (and is the one the
    record names), and its state is the one it had before. A server's
    status alone proves nothing.
    """
    if not migration:
        return False, 'no migration record was found for this move'
    wanted = _SUCCEEDED[move['method']]
    if migration.get('status') != wanted:
        return False, 'migration %s is %r, not %r' % (
            migration.get('id'), migration.get('status'), wanted)
    if not server:
        return False, 'the server could not be read'
    host = server.get('host')
    if not host or host == move['source']:
        return False, 'the server is still on %s' % move['source']
    if host in sources:
        return False, 'the server is on %s, another host being drained' % host
    dest = migration.get('dest_compute')
    if dest and dest != host:
        return False, 'migration %s went to %s but the server is on %s' % (
            migration.get('id'), dest, host)
    if server.get('task_state'):
        return False, 'the server is still busy with task %s' % server['task_state']
    expected = move['expected']
    if server.get('status') != expected['status']:
        return False, 'the server is %s on %s, expected %s' % (
            server.get('status'), host, expected['status'])
    if server.get('power_state') != expected['power_state']:
        return False, 'the guest is %s on %s, expected %s' % (
            _POWER_STATES.get(server.get('power_state'), server.get('power_state')),
            host, _POWER_STATES[expected['power_state']])
    return True, '%s on %s' % (expected['status'], host)


# --- driving nova -------------------------------------------------------

class EvacuationActions:
    """What :class:`Evacuation` asks of nova; the module implements it with
    openstacksdk. A refused call raises; :func:`error_kind` classifies it.
    """

    def live_migrate(self, server_id, target, block_migration):
        """Request a live migration; ``target`` None lets the scheduler choose."""
        raise NotImplementedError

    def cold_migrate(self, server_id, target):
        """Request a cold migration (``target`` needs API 2.56)."""
        raise NotImplementedError

    def confirm_migration(self, server_id):
        """Confirm a finished cold migration (the server is VERIFY_RESIZE)."""
        raise NotImplementedError

    def get_migration(self, server_id):
        """The newest migration record of this server created since the
        latest migrate call on it, or None: ``{'id', 'status',
        'source_compute', 'dest_compute', 'reason'}`` (``reason``: the
        fault, if known)."""
        raise NotImplementedError

    def get_server(self, server_id):
        """``{'id', 'name', 'host', 'status', 'power_state', 'task_state'}``."""
        raise NotImplementedError

    def force_complete(self, server_id, migration_id):
        """Force a running live migration to complete (API 2.22)."""
        raise NotImplementedError

    def abort(self, server_id, migration_id):
        """Abort a live migration (API 2.24)."""
        raise NotImplementedError

    def servers_on_host(self, host):
        """Every instance nova places on ``host`` now, as server dicts."""
        raise NotImplementedError


class _Task:
    """One instance's way through the drain."""

    def __init__(self, move, candidates):
        self.move = move
        self.candidates = candidates      # targets to try, in order
        self.candidate = 0
        self.tried = {0}
        self.state = 'pending'            # pending -> active -> done
        self.not_before = 0.0
        self.transient_retries = 0
        self.target_retries = 0
        self.attempts = []
        self.first_start = None
        self.finished = None
        self.outcome = None
        self.reason = None
        self.final_host = None
        self.timeout_action = None
        self.begin_attempt(None)

    def begin_attempt(self, now):
        """Forget what the previous attempt saw."""
        self.attempt_start = now
        self.running_since = None
        self.migration = None
        self.grace_until = None
        self.settle_until = None
        self.confirm_sent = False
        self.poll_error = None
        self.timed_out_after = None

    @property
    def attempt(self):
        return self.attempts[-1]


class Evacuation:
    """Run a plan: start migrations within the limits, watch them, prove
    each move, and report.

    ``clock()`` returns seconds (monotonic) and ``sleep(seconds)`` waits;
    tests pass a fake pair that only moves when slept. ``describe_error``
    turns an exception into a message (the module passes
    ``cloud.describe_error``).
    """

    def __init__(self, plan, request, actions, clock, sleep, describe_error=None):
        if plan['problems']:
            raise ValueError('The plan has problems; fix them before running it: %s'
                             % ' '.join(plan['problems']))
        self.plan = plan
        self.request = normalize_request(request)
        self.actions = actions
        self.clock = clock
        self.sleep = sleep
        self.describe = describe_error or (lambda exc: str(exc) or type(exc).__name__)
        self.sources = plan['sources']
        self.tasks = [_Task(m, [m['target']] + list(m.get('alternates') or []))
                      for m in plan['moves']]
        self.started = None

    # The loop ---------------------------------------------------------

    def run(self):
        """Drain; return the result (see :meth:`result`)."""
        self.started = self.clock()
        while True:
            now = self.clock()
            for task in [t for t in self.tasks if t.state == 'active']:
                self._poll(task, now)
            self._start_ready(now)
            if all(t.state == 'done' for t in self.tasks):
                break
            self.sleep(self._next_wait(now))
        return self.result(self.clock())

    def _start_ready(self, now):
        active = [t for t in self.tasks if t.state == 'active']
        per_source = {}
        for task in active:
            per_source[task.move['source']] = per_source.get(task.move['source'], 0) + 1
        for task in self.tasks:
            if len(active) >= self.request['concurrency']:
                break
            source = task.move['source']
            if (task.state != 'pending' or task.not_before > now
                    or per_source.get(source, 0) >= self.request['per_host_concurrency']):
                continue
            self._start(task, now)
            if task.state == 'active':
                active.append(task)
                per_source[source] = per_source.get(source, 0) + 1

    def _next_wait(self, now):
        if any(t.state == 'active' for t in self.tasks):
            return self.request['poll_interval']
        waits = [t.not_before - now for t in self.tasks if t.state == 'pending']
        return max(0.0, min(waits))

    def _rel(self, now):
        return round(now - self.started, 1)

    # One instance -----------------------------------------------------

    def _start(self, task, now):
        move = task.move
        target = task.candidates[task.candidate]
        task.attempts.append({
            'attempt': len(task.attempts) + 1, 'at': self._rel(now),
            'target': target, 'result': 'started', 'error': None, 'kind': None,
            'retry_in': None, 'migration_id': None, 'migration_status': None,
            'duration': None})
        if task.first_start is None:
            task.first_start = now
        task.begin_attempt(now)
        try:
            if move['method'] == 'live':
                self.actions.live_migrate(move['id'], target,
                                          self.request['block_migration'])
            else:
                self.actions.cold_migrate(move['id'], target)
        except Exception as exc:
            kind, message = error_kind(exc), self.describe(exc)
            task.attempt.update(error=message, kind=kind)
            # A lost answer may hide an accepted request: look before retrying.
            if kind == 'transient' and self._adopt(task):
                task.attempt['result'] = 'started'
                task.state = 'active'
                return
            task.attempt['result'] = 'refused'
            self._retry_or_fail(task, kind, now, 'refused: %s' % message)
            return
        task.state = 'active'

    def _adopt(self, task):
        try:
            migration = self.actions.get_migration(task.move['id'])
        except Exception:
            return False
        if migration and self._belongs(task, migration) \
                and migration.get('status') not in _FAILED:
            task.migration = migration
            return True
        return False

    def _belongs(self, task, migration):
        # An older record (an earlier move to this host) names another source.
        return migration.get('source_compute') in (None, task.move['source'])

    def _retry_or_fail(self, task, kind, now, reason):
        request = self.request
        delay = None
        if kind == 'transient' and task.transient_retries < request['retries']:
            task.transient_retries += 1
            delay = backoff_delay(task.transient_retries, request['retry_delay'],
                                  request['retry_delay_max'])
        elif kind == 'target' and task.target_retries < request['target_retries']:
            task.target_retries += 1
            task.candidate = (task.candidate + 1) % len(task.candidates)
            # A fresh target can be tried at once; the same one needs time.
            delay = 0.0 if task.candidate not in task.tried else backoff_delay(
                task.target_retries, request['retry_delay'], request['retry_delay_max'])
            task.tried.add(task.candidate)
        self._end_attempt(task, now)
        if delay is None:
            attempts = len(task.attempts)
            self._finish(task, 'failed', now, '%s (after %d attempt%s)' % (
                reason, attempts, '' if attempts == 1 else 's'))
            return
        task.attempt['retry_in'] = delay
        task.state = 'pending'
        task.not_before = now + delay

    def _poll(self, task, now):
        move = task.move
        try:
            migration = self.actions.get_migration(move['id'])
        except Exception as exc:
            task.poll_error = self.describe(exc)
        else:
            task.poll_error = None
            if migration and self._belongs(task, migration):
                task.migration = migration
        status = (task.migration or {}).get('status')
        task.attempt.update(migration_id=(task.migration or {}).get('id'),
                            migration_status=status)
        if status and status not in _WAITING and task.running_since is None:
            task.running_since = now

        if status == _SUCCEEDED[move['method']]:
            self._verify(task, now)
            return
        if status in _FAILED:
            self._migration_failed(task, now)
            return
        if move['method'] == 'cold' and status == 'finished' and not task.confirm_sent:
            try:
                self.actions.confirm_migration(move['id'])
                task.confirm_sent = True
            except Exception as exc:
                task.poll_error = 'confirming failed: %s' % self.describe(exc)
        self._check_timeout(task, now)

    def _server(self, task):
        try:
            return self.actions.get_server(task.move['id'])
        except Exception as exc:
            task.poll_error = self.describe(exc)
            return None

    def _verify(self, task, now):
        server = self._server(task)
        proven, reason = verify_move(task.move, task.migration, server, self.sources)
        if proven:
            task.final_host = server['host']
            task.attempt['result'] = 'completed'
            outcome = 'moved' if task.move['method'] == 'live' else 'cold_migrated'
            note = self._timeout_note(task)
            self._finish(task, outcome, now,
                         '%s; %s' % (reason, note) if note else reason)
            return
        # nova updates the record and the server in separate steps.
        if task.settle_until is None:
            task.settle_until = now + self.request['settle_timeout']
        if now >= task.settle_until:
            task.attempt['result'] = 'unproven'
            if server and server.get('host') not in (None, task.move['source']):
                task.final_host = server['host']
            self._finish(task, 'failed', now, 'the move is not proven: %s' % reason)

    def _migration_failed(self, task, now):
        move, migration = task.move, task.migration
        status = migration.get('status')
        what = 'migration %s ended %r%s' % (
            migration.get('id'), status,
            ': %s' % migration['reason'] if migration.get('reason') else '')
        task.attempt['error'] = what
        if task.timed_out_after is None:
            task.attempt['result'] = 'migration_failed'
        server = self._server(task)
        if server is None or server.get('task_state'):
            # nova is still rolling back (or cannot be asked): judge later.
            if task.settle_until is None:
                task.settle_until = now + self.request['settle_timeout']
            if now < task.settle_until:
                return
        intact = (server is not None and server.get('host') == move['source']
                  and not server.get('task_state')
                  and server.get('status') == move['expected']['status'])
        where = self._where(server, move)
        if task.timed_out_after is not None:
            self._finish(task, 'failed', now,
                         '%s; %s' % (self._timeout_note(task), where))
        elif intact and status not in _NOT_RETRIED:
            self._retry_or_fail(task, 'target', now, '%s; %s' % (what, where))
        else:
            if server and server.get('host') not in (None, move['source']):
                task.final_host = server['host']
            self._finish(task, 'failed', now, '%s; %s' % (what, where))

    @staticmethod
    def _where(server, move):
        if server is None:
            return 'the server could not be read'
        host, task_state = server.get('host'), server.get('task_state')
        where = ('it stays on %s' % host if host == move['source']
                 else 'it is now on %s' % host)
        return '%s, %s%s' % (where, server.get('status'),
                             ' (task %s)' % task_state if task_state else '')

    def _check_timeout(self, task, now):
        request = self.request
        # Time queued in nova (behind its max_concurrent_live_migrations)
        # does not count against the migration, but is bounded the same.
        since = (task.running_since if task.running_since is not None
                 else task.attempt_start)
        if task.grace_until is None:
            if now - since < request['timeout']:
                return
            task.attempt['result'] = 'timed_out'
            task.grace_until = now + request['action_grace']
            task.timed_out_after = now - since
            if task.move['method'] == 'live':
                self._apply_timeout_action(task, now)
        elif task.timeout_action and not task.timeout_action['applied'] \
                and now < task.grace_until:
            self._apply_timeout_action(task, now)   # refused before: try again
        if now >= task.grace_until:
            status = (task.migration or {}).get('status') or 'not started'
            last_error = ' (last error: %s)' % task.poll_error if task.poll_error else ''
            self._finish(task, 'failed', now,
                         '%s; the migration is still %r %d s later%s' % (
                             self._timeout_note(task), status,
                             request['action_grace'], last_error))

    def _apply_timeout_action(self, task, now):
        action = self.request['timeout_action']
        if task.timeout_action is None:
            task.timeout_action = {'action': action,
                                   'microversion': TIMEOUT_ACTIONS[action],
                                   'at': self._rel(now), 'applied': False,
                                   'error': None}
        record = task.timeout_action
        migration_id = (task.migration or {}).get('id')
        if migration_id is None:
            record['error'] = 'no migration record to act on'
            return
        try:
            getattr(self.actions, action)(task.move['id'], migration_id)
        except Exception as exc:
            record['error'] = self.describe(exc)
            return
        record.update(applied=True, error=None, at=self._rel(now))

    def _timeout_note(self, task):
        if task.timed_out_after is None:
            return ''
        note = 'timed out after %d s' % task.timed_out_after
        record = task.timeout_action
        if record is None:
            return note + ' (a cold migration cannot be forced or aborted)'
        if record['applied']:
            return '%s; %s applied (compute API %s)' % (
                note, record['action'], record['microversion'])
        return '%s; %s (compute API %s) failed: %s' % (
            note, record['action'], record['microversion'], record['error'])

    def _finish(self, task, outcome, now, reason):
        task.state = 'done'
        task.outcome = outcome
        task.reason = reason
        task.finished = now
        self._end_attempt(task, now)

    @staticmethod
    def _end_attempt(task, now):
        if task.attempt['duration'] is None:
            task.attempt['duration'] = round(now - task.attempt_start, 1)

    # The report -------------------------------------------------------

    def result(self, now):
        """The drain's report. ``still_on_source`` comes from listing the
        sources again at the end, not from this run's bookkeeping, so the
        result cannot claim an empty host that is not."""
        instances = [self._instance_result(t) for t in self.tasks]
        instances += [{'id': s['id'], 'name': s['name'], 'source': s['source'],
                       'target': None, 'method': None, 'duration': 0.0, 'attempts': [],
                       'outcome': 'skipped', 'reason': s['reason'],
                       'timeout_action': None} for s in self.plan['skipped']]
        remaining, recount_errors = [], []
        for host in self.sources:
            try:
                listed = self.actions.servers_on_host(host)
            except Exception as exc:
                recount_errors.append(
                    'could not list the instances on %s at the end (%s); its list '
                    'comes from this run' % (host, self.describe(exc)))
                listed = [{'id': i['id'], 'name': i['name'], 'host': host, 'status': None}
                          for i in instances
                          if i['source'] == host and i['outcome'] not in MOVED]
            remaining += [{'id': s['id'], 'name': s.get('name'),
                           'host': s.get('host', host), 'status': s.get('status')}
                          for s in listed if self.plan.get('selected') is None
                          or s['id'] in self.plan['selected']]
        remaining_ids = {s['id'] for s in remaining}
        for item in instances:
            if item['outcome'] in MOVED and item['id'] in remaining_ids:
                item.update(outcome='failed',
                            reason='%s, but it is listed on %s at the end' % (
                                item['reason'], item['source']))
        totals = {'instances': len(instances), 'still_on_source': remaining}
        for outcome in ('moved', 'cold_migrated', 'failed', 'skipped'):
            totals[outcome] = sum(1 for i in instances if i['outcome'] == outcome)
        failed = bool(remaining or totals['failed'] or recount_errors)
        result = {
            'failed': failed,
            'instances': instances,
            'totals': totals,
            'hosts': host_actions(self.plan, remaining, self.request),
            'timeout_action': self.plan['timeout_action'],
            'errors': recount_errors,
            'elapsed': self._rel(now),
        }
        result['msg'] = summary_message(result)
        return result

    def _instance_result(self, task):
        move = task.move
        return {
            'id': move['id'], 'name': move['name'], 'source': move['source'],
            'target': task.final_host, 'method': move['method'],
            'duration': round(task.finished - task.first_start, 1),
            'attempts': task.attempts, 'outcome': task.outcome,
            'reason': task.reason, 'timeout_action': task.timeout_action,
        }


def host_actions(plan, still_on_source, request):
    """What the module does with each source host after the drain.

    A host stays disabled; the reason says when the drain is incomplete.
    ``enable_on_failure`` re-enables an undrained host, but only one that
    this drain disabled: a host an operator had disabled stays so, with
    their reason.
    """
    request = normalize_request(request)
    we_disabled = {d['host'] for d in plan['disable']}
    actions = []
    for host in plan['sources']:
        remaining = [s['id'] for s in still_on_source if s['host'] == host]
        entry = {'host': host, 'drained': not remaining, 'remaining': remaining,
                 'was_enabled': host in we_disabled}
        if plan.get('selected') is not None:
            entry.update(action='none', disabled_reason=None)   # not drained
        elif remaining and request['enable_on_failure'] and host in we_disabled:
            entry.update(action='enable', disabled_reason=None)
        else:
            reason = request['disabled_reason'] if host in we_disabled else None
            if reason and remaining:
                reason = '%s; drain incomplete, %d instance(s) remain' % (
                    reason, len(remaining))
            # nova keeps at most 255 characters.
            entry.update(action='keep_disabled', disabled_reason=reason and reason[:255])
        actions.append(entry)
    return actions


def summary_message(result, limit=10):
    """One message for the module: what moved, or what remains and why."""
    totals = result['totals']
    hosts = _hosts_text([h['host'] for h in result['hosts']])
    done = '%d moved live, %d cold-migrated, %d skipped, %d failed in %d s' % (
        totals['moved'], totals['cold_migrated'], totals['skipped'],
        totals['failed'], result['elapsed'])
    chosen = any(h.get('action') == 'none' for h in result['hosts'])
    what = 'the chosen instances off %s' % hosts if chosen else hosts
    if not result['failed']:
        return '%s %s: %s.' % ('Moved' if chosen else 'Drained', what, done)
    parts = ['%s of %s incomplete: %s.' % ('Move' if chosen else 'Drain', what, done)]
    remaining = totals['still_on_source']
    if remaining:
        names = ['%s (%s) on %s' % (s['name'], s['id'], s['host'])
                 for s in remaining[:limit]]
        more = ' and %d more' % (len(remaining) - limit) if len(remaining) > limit else ''
        parts.append('%d instance(s) remain on the drained hosts: %s%s.' % (
            len(remaining), ', '.join(names), more))
    failures = [i for i in result['instances'] if i['outcome'] in ('failed', 'skipped')]
    if failures:
        parts.append('Why: %s.' % '; '.join(
            '%s: %s' % (i['name'] or i['id'], i['reason']) for i in failures[:limit]))
    parts += result['errors']
    return ' '.join(parts)
