#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What a second site.yml costs: on fresh lab hosts, the first run deploys
the cloud and the second must change nothing; its time is reported as a
fraction of the first (target <= 25 %).

It rebuilds the lab (lab/create.yml) at --release with --computes hosts,
runs playbooks/site.yml once, then --repeats more times, with Ansible's
JSON-lines callback, and reads each run's recap. Every later run must change
nothing; the fraction uses their median, and the min-max is reported. The
lab stays up for the next benchmark (bench/upgrade.py).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INVENTORY = ['-i', os.path.join(ROOT, 'lab/.state/hosts.yml'), '-i', os.path.join(ROOT, 'lab/inventory')]
TARGET = 25.0


def events(lines):
    """The events in the output of Ansible's ansible.posix.jsonl callback,
    without the lines that are not JSON (warnings, the tasks recap)."""
    return (json.loads(line) for line in lines if line.startswith('{'))


def recap(lines):
    """{host: stats} of the run's last recap in JSON lines."""
    stats = {}
    for event in events(lines):
        if event.get('_event') == 'v2_playbook_on_stats':
            stats = event['stats']
    return stats


def spread(values):
    return {'median': round(statistics.median(values), 1),
            'min': round(min(values), 1), 'max': round(max(values), 1)}


def changed(stats):
    return sum(host['changed'] for host in stats.values())


def site(release):
    """Seconds, recap and JSON lines of one site.yml run."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='ansible.posix.jsonl')
    started = time.monotonic()
    run = subprocess.run(['ansible-playbook'] + INVENTORY + [os.path.join(ROOT, 'playbooks/site.yml'),
                          '-e', 'openstack_release=' + release],
                         capture_output=True, text=True, env=env, check=False)
    seconds = time.monotonic() - started
    stats = recap(run.stdout.splitlines())
    if run.returncode:
        sys.exit('site.yml failed (exit %d): %s' % (run.returncode, run.stderr[-2000:]))
    return round(seconds, 1), stats, run.stdout


def figures(release, first, reruns):
    """What a first run and its re-runs ((seconds, stats, output)) measured,
    with the re-runs' median as a percentage of the first."""
    seconds = [run[0] for run in reruns]
    second = dict(spread(seconds), runs=seconds, changed=[changed(run[1]) for run in reruns])
    return {'release': release, 'hosts': len(set(first[1]) - {'localhost'}),
            'first': {'seconds': first[0], 'changed': changed(first[1])},
            'second': second,
            'second_percent_of_first': round(100.0 * second['median'] / first[0], 1),
            'target_percent': TARGET}


def markdown(result):
    """The table of figures()."""
    first, second = result['first'], result['second']
    return '\n'.join([
        '## Re-run of site.yml, %d hosts' % result['hosts'], '',
        '| run | seconds | changed | target |', '|---|---|---|---|',
        '| first (deploy) | %s | %d | |' % (first['seconds'], first['changed']),
        '| second, %d runs: median (min-max) | %s (%s-%s) | %s | 0 |' % (
            len(second['runs']), second['median'], second['min'], second['max'],
            ' '.join(str(count) for count in second['changed'])),
        '| second / first | %s %% | | <= %s %% |' % (result['second_percent_of_first'], TARGET), ''])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--release', required=True)
    parser.add_argument('--computes', type=int, default=4)
    parser.add_argument('--repeats', type=int, default=3, help='runs after the first')
    parser.add_argument('--out', required=True, help='folder of the JSON')
    args = parser.parse_args()
    make = ['make', '-C', ROOT, '--no-print-directory']
    subprocess.run(make + ['lab-down'], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(['ansible-playbook', os.path.join(ROOT, 'lab/create.yml'),
                    '-e', 'lab_computes=%d' % args.computes], check=True, stdout=subprocess.DEVNULL)
    first = site(args.release)
    reruns = [site(args.release) for _ in range(args.repeats)]
    subprocess.run(['ansible-playbook'] + INVENTORY + [os.path.join(ROOT, 'lab/clouds.yml')],
                   check=True, stdout=subprocess.DEVNULL)
    result = figures(args.release, first, reruns)
    print(markdown(result))
    os.makedirs(args.out, exist_ok=True)
    # The task events of the first run and of the first re-run, to see where
    # the time goes (bench/upgrade.py's task_runs reads them).
    for name, run in (('first', first), ('second', reruns[0])):
        with open(os.path.join(args.out, 'rerun-%s-events.jsonl' % name), 'w', encoding='utf-8') as handle:
            handle.write(run[2])
    with open(os.path.join(args.out, 'rerun.json'), 'w', encoding='utf-8') as handle:
        json.dump(result, handle, indent=2)
    if any(result['second']['changed']):
        sys.exit('A re-run of site.yml changed things: %s changes in each re-run' % result['second']['changed'])


if __name__ == '__main__':
    main()
