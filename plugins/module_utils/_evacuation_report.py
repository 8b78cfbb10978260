# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A drain's result: each instance's outcome, what remains on the drained
hosts, what becomes of each host, and one message that says it all."""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_request import (
    hosts_text,
    normalize_request,
)

MOVED = ('moved', 'cold_migrated')          # outcomes of a proven move


def instance_result(task):
    """A planned move's entry in the result."""
    move = task.move
    return {
        'id': move['id'], 'name': move['name'], 'source': move['source'],
        'target': task.final_host, 'method': move['method'],
        'duration': round(task.finished - task.first_start, 1),
        'attempts': task.attempts, 'outcome': task.outcome,
        'reason': task.reason, 'timeout_action': task.timeout_action,
    }


def drain_result(plan, request, instances, servers_on_host, describe, elapsed):
    """The drain's report. ``still_on_source`` comes from listing the
    sources again at the end (``servers_on_host``), not from this run's
    bookkeeping, so the result cannot claim an empty host that is not.

    ``instances``: :func:`instance_result` of each planned move; the plan's
    skipped instances are added here.
    """
    instances += [{'id': s['id'], 'name': s['name'], 'source': s['source'],
                   'target': None, 'method': None, 'duration': 0.0, 'attempts': [],
                   'outcome': 'skipped', 'reason': s['reason'],
                   'timeout_action': None} for s in plan['skipped']]
    remaining, recount_errors = [], []
    for host in plan['sources']:
        try:
            listed = servers_on_host(host)
        except Exception as exc:
            recount_errors.append(
                'could not list the instances on %s at the end (%s); its list '
                'comes from this run' % (host, describe(exc)))
            listed = [{'id': i['id'], 'name': i['name'], 'host': host, 'status': None}
                      for i in instances
                      if i['source'] == host and i['outcome'] not in MOVED]
        remaining += [{'id': s['id'], 'name': s.get('name'),
                       'host': s.get('host', host), 'status': s.get('status')}
                      for s in listed if plan.get('selected') is None
                      or s['id'] in plan['selected']]
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
        'hosts': host_actions(plan, remaining, request),
        'timeout_action': plan['timeout_action'],
        'errors': recount_errors,
        'elapsed': elapsed,
    }
    result['msg'] = summary_message(result)
    return result


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
    hosts = hosts_text([h['host'] for h in result['hosts']])
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
