#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What a second site.yml costs: on fresh lab hosts, the first run deploys
the cloud and the second must change nothing; its time is reported as a
fraction of the first (target <= 25 %).

It rebuilds the lab (lab/create.yml) at --release with --computes hosts,
runs playbooks/site.yml twice with Ansible's JSON-lines callback, and reads
each run's recap. The lab stays up for the next benchmark (bench/upgrade.py).
"""
import argparse
import json
import os
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


def markdown(first, second):
    (first_s, first_stats), (second_s, second_stats) = first[:2], second[:2]
    fraction = round(100.0 * second_s / first_s, 1)
    return '\n'.join([
        '## Re-run of site.yml, %d hosts' % len(set(first_stats) - {'localhost'}), '',
        '| run | seconds | changed | target |', '|---|---|---|---|',
        '| first (deploy) | %s | %d | |' % (first_s, changed(first_stats)),
        '| second | %s | %d | 0 |' % (second_s, changed(second_stats)),
        '| second / first | %s %% | | <= %s %% |' % (fraction, TARGET), '']), fraction


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--release', required=True)
    parser.add_argument('--computes', type=int, default=4)
    parser.add_argument('--out', required=True, help='folder of the JSON')
    args = parser.parse_args()
    make = ['make', '-C', ROOT, '--no-print-directory']
    subprocess.run(make + ['lab-down'], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(['ansible-playbook', os.path.join(ROOT, 'lab/create.yml'),
                    '-e', 'lab_computes=%d' % args.computes], check=True, stdout=subprocess.DEVNULL)
    first, second = site(args.release), site(args.release)
    subprocess.run(['ansible-playbook'] + INVENTORY + [os.path.join(ROOT, 'lab/clouds.yml')],
                   check=True, stdout=subprocess.DEVNULL)
    table, fraction = markdown(first, second)
    print(table)
    os.makedirs(args.out, exist_ok=True)
    # Each run's task events, to see where the time goes (bench/upgrade.py's task_runs reads them).
    for name, run in (('first', first), ('second', second)):
        with open(os.path.join(args.out, 'rerun-%s-events.jsonl' % name), 'w', encoding='utf-8') as handle:
            handle.write(run[2])
    with open(os.path.join(args.out, 'rerun.json'), 'w', encoding='utf-8') as handle:
        json.dump({'release': args.release, 'hosts': len(set(first[1]) - {'localhost'}),
                   'first': {'seconds': first[0], 'changed': changed(first[1])},
                   'second': {'seconds': second[0], 'changed': changed(second[1])},
                   'second_percent_of_first': fraction, 'target_percent': TARGET}, handle, indent=2)
    if changed(second[1]):
        sys.exit('The second site.yml run changed %d things: %s' % (
            changed(second[1]), {h: s['changed'] for h, s in second[1].items() if s['changed']}))


if __name__ == '__main__':
    main()
