# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The rolling upgrade's report, from the progress each host keeps.

The upgrade role records, per host, the releases it ran before
(``before``), and each step with its state, start, end and error; drains and
rebalances add the instances they moved.  These pure functions turn that
into the timeline per phase and per host, the instances moved and the
versions before and after, as JSON-ready data and as Markdown.
"""

from __future__ import annotations

import datetime

from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_report import MOVED

# Phases in their order, and the steps each is made of.
PHASES = (
    ('staging', ('stage',)),
    ('backup', ('backup',)),
    ('control_plane', ('keystone', 'glance', 'placement', 'neutron', 'nova')),
    ('computes', ('drain', 'switch', 'verify', 'rebalance')),
    ('finish', ('online_migrations', 'unpin', 'validate', 'tempest')),
)
_PHASE_OF = dict((step, phase) for phase, steps in PHASES for step in steps)
_MOVE_KEYS = ('id', 'name', 'source', 'target', 'method', 'duration')


def _time(text):
    return datetime.datetime.fromisoformat(text) if text else None


def _seconds(start, end):
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 1)


def lagging(versions, release):
    """Messages naming each service a host runs at another release than
    ``release``; ``versions`` is {host: {service: release}}."""
    return ['%s runs %s at %s, not %s' % (host, service, found, release)
            for host, services in sorted((versions or {}).items())
            for service, found in sorted((services or {}).items())
            if found != release]


def _steps(progress):
    steps = []
    for host, record in sorted(progress.items()):
        for name, step in (record or {}).get('steps', {}).items():
            start, end = _time(step.get('start')), _time(step.get('end'))
            steps.append({
                'host': host, 'step': name, 'phase': _PHASE_OF.get(name, 'other'),
                'state': step.get('state'), 'start': step.get('start'),
                'end': step.get('end'), 'seconds': _seconds(start, end),
                'error': step.get('error')})
    steps.sort(key=lambda s: (s['start'] or '', s['host']))
    return steps


def _span(entries, name):
    starts = [_time(e['start']) for e in entries if e.get('start')]
    ends = [_time(e['end']) for e in entries if e.get('end')]
    states = set(e.get('state') for e in entries)
    state = next((s for s in ('failed', 'rolled_back', 'running') if s in states), 'done')
    start, end = (min(starts) if starts else None), (max(ends) if ends else None)
    return {'phase': name, 'start': start.isoformat() if start else None,
            'end': end.isoformat() if end else None,
            'seconds': _seconds(start, end), 'state': state}


def _instances(progress, step):
    moved = []
    for host, record in sorted(progress.items()):
        done = (record or {}).get('steps', {}).get(step, {})
        entries = [e for e in done.get('instances') or [] if e.get('outcome') in MOVED]
        moved.extend(dict(dict((key, entry.get(key)) for key in _MOVE_KEYS),
                          attempts=len(entry.get('attempts') or []))
                     for entry in entries)
        # A drain's record also names what an interrupted run moved off
        # before it could report the moves.
        reported = set(entry.get('id') for entry in entries)
        moved.extend(dict(dict.fromkeys(_MOVE_KEYS), id=ident, source=host, attempts=None)
                     for ident in done.get('left') or [] if ident not in reported)
    return moved


def build_report(progress, release, preflight=None, versions_after=None):
    """The report of the upgrade to ``release``.

    ``progress``: {host: upgrade_progress}; ``preflight``: {start, end,
    from, to} of the last preflight; ``versions_after``: {host: {service:
    release}} read at the end (may be partial or None mid-upgrade).
    """
    steps = _steps(progress)
    timeline = []
    if preflight and preflight.get('start'):
        timeline.append(_span([dict(preflight, state='done')], 'preflight'))
    for phase, _names in PHASES:
        entries = [s for s in steps if s['phase'] == phase]
        if entries:
            timeline.append(_span(entries, phase))
    failed = [s for s in steps if s['state'] in ('failed', 'rolled_back')]
    finished = bool(progress) and all((record or {}).get('finished') for record in progress.values())
    state = 'finished' if finished else ('failed' if failed else 'in progress')
    before = dict((host, (record or {}).get('before', {})) for host, record in sorted(progress.items()))
    after = dict(versions_after or {})
    moved, returned = _instances(progress, 'drain'), _instances(progress, 'rebalance')
    tempest = next((record['steps']['tempest']['result'] for _host, record in sorted(progress.items())
                    if (record or {}).get('steps', {}).get('tempest', {}).get('result')), None)
    durations = [s['seconds'] for s in timeline if s['phase'] != 'preflight' and s['seconds'] is not None]
    starts = [_time(s['start']) for s in timeline if s['start']]
    ends = [_time(s['end']) for s in timeline if s['end']]
    report = {
        'release': release,
        'from': (preflight or {}).get('from'),
        'state': state,
        'timeline': timeline,
        'steps': steps,
        'failures': [dict((k, s[k]) for k in ('host', 'step', 'state', 'error')) for s in failed],
        'instances': {'moved_off': moved, 'moved_back': returned},
        'tempest': tempest,
        'versions': dict((host, {'before': before.get(host, {}), 'after': after.get(host, {})})
                         for host in sorted(set(before) | set(after))),
        'totals': {
            'seconds': _seconds(min(starts), max(ends)) if starts and ends else None,
            'phase_seconds': round(sum(durations), 1),
            'migrations': len(moved) + len(returned),
            'instances_moved': len(set(m['id'] for m in moved)),
            'hosts': len(progress),
        },
    }
    report['markdown'] = markdown(report)
    return report


def _cell(value):
    return '-' if value is None or value == '' else str(value)


def _table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines.extend('| ' + ' | '.join(_cell(v) for v in row) + ' |' for row in rows)
    return lines


def markdown(report):
    """The report as Markdown."""
    totals = report['totals']
    lines = ['# Upgrade to %s' % report['release'], '',
             '- From: %s' % _cell(report['from']),
             '- State: %s' % report['state'],
             '- Total: %s s over %d hosts; %d instances moved off, %d migrations'
             % (_cell(totals['seconds']), totals['hosts'], totals['instances_moved'],
                totals['migrations'])]
    tempest = report.get('tempest')
    if tempest:
        lines.append('- Tempest: %s tests ran in %s s: %s passed, %s skipped, %s failed'
                     % (tempest['ran'], tempest['seconds'], tempest['passed'],
                        tempest['skipped'], tempest['failed']))
    lines.append('')
    if report['failures']:
        lines += ['## Failures', '']
        lines += ['- %s on %s (%s): %s' % (f['step'], f['host'], f['state'], _cell(f['error']))
                  for f in report['failures']]
        lines.append('')
    lines += ['## Timeline', '']
    lines += _table(['phase', 'start', 'end', 'seconds', 'state'],
                    [[t['phase'], t['start'], t['end'], t['seconds'], t['state']]
                     for t in report['timeline']])
    lines += ['', '## Steps', '']
    lines += _table(['host', 'phase', 'step', 'seconds', 'state'],
                    [[s['host'], s['phase'], s['step'], s['seconds'], s['state']]
                     for s in report['steps']])
    lines += ['', '## Versions', '']
    services = sorted(set(name for v in report['versions'].values()
                          for side in ('before', 'after') for name in v[side]))
    lines += _table(['host'] + services,
                    [[host] + ['%s -> %s' % (_cell(v['before'].get(name)), _cell(v['after'].get(name)))
                               if name in v['before'] or name in v['after'] else None
                               for name in services]
                     for host, v in sorted(report['versions'].items())])
    moves = report['instances']['moved_off'] + report['instances']['moved_back']
    if moves:
        lines += ['', '## Instances moved', '']
        lines += _table(['instance', 'from', 'to', 'method', 'seconds', 'attempts'],
                        [[m['name'] or m['id'], m['source'], m['target'], m['method'],
                          m['duration'], m['attempts']] for m in moves])
    return '\n'.join(lines) + '\n'
