# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A drain's request: ``compute_evacuate``'s options, their defaults, and
every problem with them, found before anything is changed."""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova import (
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


def hosts_text(hosts):
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
                            'hosts: %s.' % (option, hosts_text(unknown),
                                            hosts_text(known)))
    both = [h for h in targets if h in sources]
    if both:
        problems.append('%s both drained and a target, but a host being drained '
                        'cannot take instances. Remove it from targets or from '
                        'hosts.' % ('%s is' % both[0] if len(both) == 1
                                    else '%s are' % hosts_text(both)))
    excluded = [h for h in targets if h in exclude]
    if excluded:
        problems.append('Target(s) %s are also excluded, and an excluded host '
                        'is never a target. Remove them from targets or from '
                        'exclude.' % hosts_text(excluded))
    aggregate = request['target_aggregate']
    if aggregate and targets:
        problems.append('Give targets or target_aggregate, not both.')
    if aggregate and aggregate not in aggregates:
        problems.append('Unknown aggregate %r. Known aggregates: %s.'
                        % (aggregate, hosts_text(sorted(aggregates))))

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
