#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""One measured rolling upgrade N-1 -> N on the lab (1 controller and 4
computes at the older release, as bench/rerun.py leaves it; 4 instances per
compute), against what no tool can avoid in the same run.

It runs lab/upgrade.yml (workloads, the prober, playbooks/upgrade.yml) with
Ansible's JSON-lines callback, and reads three things the run leaves: the
upgrade report (timeline per phase and node, instances moved), the prober's
availability summary, and every task's duration. The unavoidable work is the
sum of the schema migrations, the service restarts (an API's new code
starting beside the old for its hand-over, then the restart, until each
answers or reads its RPC queue) and the live migrations (per drain or
rebalance the slowest of its parallel moves, plus each node's test
migration), all timed in this run. The ratio's target is the upgrade's,
without the closing Tempest run: a test suite's fixed cost, which grenade,
upstream's upgrade job, also runs after its upgrade. The ratio with it is
printed too. The APIs' target is judged over the whole upgrade, every
phase (staging among them): the availability of every call, and no
service out for longer than 2 s at once; the control-plane phase keeps its
own figure. It prints Markdown, writes JSON and a PNG (timeline per node
over API availability, the phases shaded) under --out.
"""
import argparse
import collections
import datetime
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'lab'))
import prober  # noqa: E402  (the lab's prober: samples and their summary)
sys.path.insert(0, HERE)
from rerun import events  # noqa: E402

# Task names of the collection's roles for the unavoidable work.
UNAVOIDABLE = (
    ('schema migrations', re.compile(
        r"^(Run \S+-manage |Contract .*database|Run the online data migrations)")),
    ('restarts', re.compile(
        r"^((Re)?[Ss]tart \S+$|Wait until the stand-in shares the port|Wait until the restarted service answers too"
        r"|Wait for an answer from |Read who consumes the RPC queue of )")),
    ('test migrations', re.compile(r"^Move one of its instances back as the test")),
)
TARGETS = {'ratio': 1.5, 'availability': 99.9, 'outage': 2.0, 'downtime': 0}
# The plot's colour of each phase of the report's timeline.
PHASE_COLORS = {'preflight': 'tab:purple', 'staging': 'tab:olive', 'backup': 'tab:gray',
                'control_plane': 'tab:blue', 'computes': 'tab:green', 'finish': 'tab:orange'}


def _seconds(start, end):
    return (datetime.datetime.fromisoformat(end.replace('Z', '+00:00'))
            - datetime.datetime.fromisoformat(start.replace('Z', '+00:00'))).total_seconds()


def task_runs(lines):
    """(task name, hosts, seconds) of every task that ran, from the JSON
    lines of Ansible's ansible.posix.jsonl callback. A task that ran on
    several hosts at once counts once, for as long as its slowest host."""
    runs = {}
    for event in events(lines):
        if event.get('_event') not in ('v2_runner_on_ok', 'v2_runner_on_failed'):
            continue
        task = event['task']
        name = task['name'].split(' : ', 1)[-1]  # without its role's prefix
        for host, result in event.get('hosts', {}).items():
            if result.get('skipped'):
                continue
            hosts, seconds = runs.get((name, task['duration']['start']), ((), 0.0))
            runs[(name, task['duration']['start'])] = (
                hosts + (host,), max(seconds, _seconds(task['duration']['start'], task['duration']['end'])))
    return [(name, hosts, seconds) for (name, _start), (hosts, seconds) in runs.items()]


def migration_seconds(report):
    """Live migrations a drain or rebalance runs in parallel: the slowest of
    each group (moves off one host, moves back onto one host)."""
    groups = collections.defaultdict(list)
    for kind, key in (('moved_off', 'source'), ('moved_back', 'target')):
        for move in report['instances'][kind]:
            groups[(kind, move[key])].append(move['duration'] or 0)
    return round(sum(max(durations) for durations in groups.values()), 1)


def unavoidable(runs, report):
    """Seconds of the unavoidable work, by kind, and their sum."""
    kinds = dict((name, round(sum(s for task, _hosts, s in runs if pattern.search(task)), 1))
                 for name, pattern in UNAVOIDABLE)
    kinds['live migrations'] = migration_seconds(report)
    kinds['sum'] = round(sum(kinds.values()), 1)
    return kinds


def figures(report, availability, work):
    """The benchmark's figures against their targets."""
    windows = dict((w['name'], w) for w in availability['windows'])
    overall = availability['overall']
    instances = overall['instances']
    total = report['totals']['seconds']
    # Tempest, the closing validation: apart, the target is the upgrade's.
    tempest = sum(s['seconds'] or 0 for s in report['steps'] if s['step'] == 'tempest')
    return {
        'total_seconds': total,
        'tempest_seconds': tempest,
        'unavoidable': work,
        'ratio': round((total - tempest) / work['sum'], 2) if work['sum'] else None,
        'ratio_with_tempest': round(total / work['sum'], 2) if work['sum'] else None,
        'availability': overall['total']['availability'],
        'longest_outage': dict((name, service['longest_failure_s'])
                               for name, service in overall['services'].items()),
        'target_misses': prober.judge(availability, TARGETS['availability'], TARGETS['outage']),
        'control_plane_availability': windows['control_plane']['total']['availability'],
        'phase_availability': dict((name, w['total']['availability']) for name, w in windows.items()),
        'instances': instances['tracked'],
        'downtime_seconds': instances['down_seconds'],
        'lost': len(instances['lost']),
        'targets': TARGETS,
    }


def markdown(result, report):
    lines = ['## Rolling upgrade %s -> %s, %d hosts, %d instances' % (
        report['from'], report['release'], report['totals']['hosts'], result['instances']), '',
        '| figure | value | target |', '|---|---|---|',
        '| total | %s s | |' % result['total_seconds'],
        '| - of which Tempest, the closing validation | %s s | |' % result['tempest_seconds'],
        '| unavoidable work (sum) | %s s | |' % result['unavoidable']['sum']]
    lines += ['| - %s | %s s | |' % (k, v) for k, v in result['unavoidable'].items() if k != 'sum']
    lines += ['| (total - Tempest) / unavoidable | %s | <= %s |' % (result['ratio'], TARGETS['ratio']),
              '| total / unavoidable, with Tempest | %s | |' % result['ratio_with_tempest'],
              '| API availability, whole upgrade | %s %% | >= %s %% |'
              % (result['availability'], TARGETS['availability']),
              '| longest API outage | %s | <= %s s each |'
              % (', '.join('%s %s s' % item for item in result['longest_outage'].items()), TARGETS['outage']),
              '| API availability, control-plane phase | %s %% | |' % result['control_plane_availability'],
              '| workload downtime | %s instance-s, %d lost | %s |'
              % (result['downtime_seconds'], result['lost'], TARGETS['downtime']), '',
              'Target over the whole upgrade: %s.' % ('; '.join(result['target_misses']) or 'met'), '',
              '| phase | seconds | API availability |', '|---|---|---|']
    for phase in report['timeline']:
        shown = result['phase_availability'].get(phase['phase'])
        lines.append('| %s | %s | %s |' % (phase['phase'], phase['seconds'],
                                           '-' if shown is None else '%s %%' % shown))
    return '\n'.join(lines) + '\n'


def phase_spans(report, origin):
    """(phase, start, end, colour) of each phase of the report's timeline
    that ended, in seconds since `origin` (epoch): the plot shades them."""
    return [(t['phase'], prober.parse_time(t['start']) - origin, prober.parse_time(t['end']) - origin,
             PHASE_COLORS.get(t['phase'], 'tab:brown'))
            for t in report['timeline'] if t['start'] and t['end']]


def plot(report, samples, path):
    """Each host's steps over time, above the API availability per 10 s;
    the phases shaded on both, with a legend, so that a dip shows what ran."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    origin = min(prober.parse_time(t['start']) for t in report['timeline'] if t['start'])
    spans = phase_spans(report, origin)
    hosts = sorted({s['host'] for s in report['steps']})
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(12, 6),
                                      gridspec_kw={'height_ratios': [3, 1]})
    for phase, start, end, color in spans:
        top.axvspan(start, end, color=color, alpha=0.12, label=phase.replace('_', ' '))
        bottom.axvspan(start, end, color=color, alpha=0.12)
    for step in report['steps']:
        if step['start'] and step['end']:
            start = prober.parse_time(step['start']) - origin
            top.barh(hosts.index(step['host']), prober.parse_time(step['end']) - origin - start,
                     left=start, color=PHASE_COLORS.get(step['phase'], 'tab:brown'), edgecolor='white')
    top.set_yticks(range(len(hosts)), hosts)
    top.set_title('Rolling upgrade %s -> %s' % (report['from'], report['release']))
    top.legend(title='phase', loc='upper left', bbox_to_anchor=(1.0, 1.0))
    end = max(s['ts'] for s in samples)
    edges = [origin + 10 * i for i in range(int((end - origin) // 10) + 1)]
    points = [(edge - origin, prober.window_summary(samples, edge, edge + 10)['total']['availability'])
              for edge in edges]
    bottom.step([p[0] for p in points], [p[1] for p in points], where='post')
    bottom.set_ylabel('API availability %')
    bottom.set_xlabel('seconds since the preflight started')
    fig.tight_layout()
    fig.savefig(path)


def run_upgrade(args, events_path):
    """Run lab/upgrade.yml; its exit code. A missed API target fails it at
    its end, once the report and the availability are written."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='ansible.posix.jsonl')
    argv = ['ansible-playbook', '-i', os.path.join(ROOT, 'lab/.state/hosts.yml'),
            '-i', os.path.join(ROOT, 'lab/inventory'), os.path.join(ROOT, 'lab/upgrade.yml'),
            '-e', 'upgrade_release=' + args.to_release,
            '-e', 'upgrade_workloads_per_compute=%d' % args.per_compute]
    with open(events_path, 'w', encoding='utf-8') as events:
        return subprocess.run(argv, check=False, stdout=events, env=env).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--to', dest='to_release', required=True)
    parser.add_argument('--per-compute', type=int, default=4)
    parser.add_argument('--out', required=True, help='folder of the JSON, events and PNG')
    parser.add_argument('--reuse', action='store_true',
                        help='summarize the last run in --out instead of running again')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    events_path = os.path.join(args.out, 'upgrade-events.jsonl')
    code = 0 if args.reuse else run_upgrade(args, events_path)
    if code:
        print('lab/upgrade.yml failed (exit %d; its events: %s). The figures are of what it left.'
              % (code, events_path), file=sys.stderr)

    state = os.environ['STACKROLL_LAB_STATE']
    with open(os.path.join(state, 'upgrade-%s.json' % args.to_release), encoding='utf-8') as handle:
        report = json.load(handle)
    with open(os.path.join(state, 'upgrade-availability.json'), encoding='utf-8') as handle:
        availability = json.load(handle)
    with open(events_path, encoding='utf-8') as handle:
        runs = task_runs(handle)
    result = figures(report, availability, unavoidable(runs, report))
    with open(os.path.join(args.out, 'upgrade.json'), 'w', encoding='utf-8') as handle:
        json.dump(result, handle, indent=2)
    print(markdown(result, report))
    plot(report, prober.load_samples(os.path.join(state, 'upgrade-samples.jsonl')),
         os.path.join(args.out, 'upgrade.png'))
    print('Wrote %s and %s.' % (os.path.join(args.out, 'upgrade.json'), os.path.join(args.out, 'upgrade.png')))
    return code


if __name__ == '__main__':
    sys.exit(main())
