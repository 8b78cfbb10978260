#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""How drain planning and one rolling batch behave as the cloud grows to 10,
25 and 50 compute hosts, and whether the orchestration's own overhead grows
linearly with them.

The lab grows with lab/scale.yml: more nova-compute services in the compute
containers, each a host to nova and placement. At each size the benchmark
  - plans the drain of one host (compute_evacuate in check mode: services,
    placement capacity of every eligible target, the plan), --repeats times;
  - runs one rolling batch of that host without the release switch, through
    the project's playbooks: evacuate.yml (disable and drain, targets left to
    the scheduler) then refill.yml (re-enable and move back), --repeats times.
The batch's unavoidable work is its live migrations (each drain's and each
refill's slowest, as they run in parallel); the rest is overhead. It reports
medians and min-max, fits overhead = a + b x hosts, prints Markdown and
writes JSON and a PNG (the overhead and the fitted line against the hosts)
under --out. Needs the lab (make lab) with OS_CLOUD; --reuse redraws from
the JSON.
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
sys.path.insert(0, HERE)
from evacuate import module  # noqa: E402
from rerun import INVENTORY, events, spread  # noqa: E402

PREFIX = 'scale'


def lab_computes():
    """The compute containers lab/create.yml made."""
    listed = subprocess.run(['ansible-inventory'] + INVENTORY + ['--list'],
                            capture_output=True, text=True, check=True).stdout
    return sorted(json.loads(listed)['computes']['hosts'])


def grow(hosts, real):
    subprocess.run(['ansible-playbook'] + INVENTORY + [os.path.join(ROOT, 'lab/scale.yml'),
                    '-e', 'lab_fake_computes=%d' % (hosts - len(real))],
                   check=True, stdout=subprocess.DEVNULL)


def boot(host, count):
    """count instances without a network on host (a fake compute has none)."""
    import openstack  # the bench venv's openstacksdk
    conn = openstack.connect()
    # The inventory says which image the fixtures upload (lab_libvirt).
    subprocess.run(['ansible-playbook'] + INVENTORY + [os.path.join(HERE, 'boot.yml'), '-e', 'bench_count=0'],
                   check=True, stdout=subprocess.DEVNULL)
    image, flavor = conn.image.find_image('verify'), conn.compute.find_flavor('verify.tiny')
    have = {s.name for s in conn.compute.servers(all_projects=True, name='^%s-' % PREFIX)}
    for index in range(count):
        if '%s-%d' % (PREFIX, index) not in have:
            conn.compute.create_server(name='%s-%d' % (PREFIX, index), image_id=image.id,
                                       flavor_id=flavor.id, networks='none',
                                       availability_zone='nova:' + host)
    for _ in range(120):
        servers = list(conn.compute.servers(all_projects=True, name='^%s-' % PREFIX))
        if sum(s.status == 'ACTIVE' for s in servers) == count:
            return
        if any(s.status == 'ERROR' for s in servers):
            sys.exit('An instance failed to boot on %s' % host)
        time.sleep(5)
    sys.exit('The instances did not all become ACTIVE on %s' % host)


def plan_seconds(host):
    started = time.monotonic()
    result = module('compute_evacuate', hosts=[host], concurrency=8, per_host_concurrency=8, check=True)
    seconds = time.monotonic() - started
    if result.get('failed') or not result['plan']['moves']:
        sys.exit('Planning the drain of %s failed: %s' % (host, result.get('msg')))
    return seconds


def evacuation_results(lines):
    """compute_evacuate's results in the JSON lines of a playbook run."""
    results = []
    for event in events(lines):
        if event.get('_event') == 'v2_runner_on_ok':
            results += [r for r in event['hosts'].values() if 'instances' in r and 'totals' in r]
    return results


def playbook(name, *extra):
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='ansible.posix.jsonl')
    run = subprocess.run(['ansible-playbook', os.path.join(ROOT, 'playbooks', name)] + list(extra),
                         capture_output=True, text=True, env=env, check=False)
    if run.returncode:
        sys.exit('%s failed (exit %d): %s' % (name, run.returncode, run.stdout[-3000:]))
    return evacuation_results(run.stdout.splitlines())


def batch(host, count):
    """Seconds of one drain and refill of host, and of its live migrations."""
    started = time.monotonic()
    moves = playbook('evacuate.yml', '-e', json.dumps({
        'evacuate_hosts': [host], 'evacuation_concurrency': count,
        'evacuation_per_host_concurrency': count}))
    moves += playbook('refill.yml', '-e', json.dumps({
        'evacuation_refill_host': host, 'evacuation_concurrency': count,
        'evacuation_per_host_concurrency': count}))
    seconds = time.monotonic() - started
    moved = sum(r['totals']['moved'] for r in moves)
    if moved != 2 * count:
        sys.exit('The batch of %s moved %d instances, not %d' % (host, moved, 2 * count))
    migrations = sum(max(i['duration'] for i in r['instances']) for r in moves)
    return seconds, migrations


def fit(points):
    """Least squares y = a + b x, and R squared, of [(x, y)]."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    return {'a': round(intercept, 2), 'b': round(slope, 3),
            'r2': round(1 - residual / total, 3) if total else 1.0}


def markdown(sizes, line):
    rows = ['## Scale: drain planning and one rolling batch (%d instances)' % sizes[0]['instances'], '',
            '| hosts | plan s | batch s | live migrations s | overhead s | overhead per host s |',
            '|---|---|---|---|---|---|']
    for size in sizes:
        rows.append('| %d | %s (%s-%s) | %s (%s-%s) | %s | %s (%s-%s) | %.2f |' % (
            size['hosts'], *(size['plan'][k] for k in ('median', 'min', 'max')),
            *(size['batch'][k] for k in ('median', 'min', 'max')), size['migrations']['median'],
            *(size['overhead'][k] for k in ('median', 'min', 'max')),
            size['overhead']['median'] / size['hosts']))
    rows += ['', 'Medians, (min-max) of the repeats. Overhead = batch - live migrations; '
             'fitted: overhead = %s s + %s s x hosts (R^2 %s).' % (line['a'], line['b'], line['r2']), '']
    return '\n'.join(rows)


def plot(sizes, line, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    hosts = [s['hosts'] for s in sizes]
    fig, axes = plt.subplots(figsize=(7, 4))
    for key, label in (('batch', 'rolling batch'), ('overhead', 'its overhead'), ('plan', 'drain planning')):
        medians = [s[key]['median'] for s in sizes]
        spreads = [[m - s[key]['min'] for m, s in zip(medians, sizes)],
                   [s[key]['max'] - m for m, s in zip(medians, sizes)]]
        axes.errorbar(hosts, medians, yerr=spreads, marker='o', capsize=3, label=label)
    axes.plot(hosts, [line['a'] + line['b'] * h for h in hosts], linestyle='--', color='gray',
              label='overhead fit: %s s + %s s x hosts' % (line['a'], line['b']))
    axes.set_xlabel('compute hosts')
    axes.set_ylabel('seconds (median, min-max)')
    axes.set_ylim(bottom=0)
    axes.legend()
    fig.tight_layout()
    fig.savefig(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--hosts', type=int, nargs='+', default=[10, 25, 50])
    parser.add_argument('--instances', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--out', required=True, help='folder of the JSON and PNG')
    parser.add_argument('--reuse', action='store_true', help='redraw from the JSON of the last run')
    args = parser.parse_args()
    if (os.environ.get('LAB_DRIVER') or 'fake') != 'fake' and not args.reuse:
        # 50 hypervisors with real guests do not fit this machine's memory.
        print('bench/scale.py: skipped: the scale benchmark runs on a lab made with LAB_DRIVER=fake.')
        return
    result_path = os.path.join(args.out, 'scale.json')
    if args.reuse:
        with open(result_path, encoding='utf-8') as handle:
            result = json.load(handle)
        print(markdown(result['sizes'], result['overhead_fit']))
        plot(result['sizes'], result['overhead_fit'], os.path.join(args.out, 'scale.png'))
        return
    real = lab_computes()
    if sorted(args.hosts) != args.hosts or args.hosts[0] <= len(real):
        parser.error('--hosts must grow, from more than the lab\'s %d computes' % len(real))
    if len(args.hosts) < 2:
        parser.error('the overhead\'s growth needs two sizes or more in --hosts')
    drained = real[0] + '-f00'  # the first fake compute
    sizes = []
    for hosts in args.hosts:
        grow(hosts, real)
        boot(drained, args.instances)
        plans = [plan_seconds(drained) for _ in range(args.repeats)]
        batches = [batch(drained, args.instances) for _ in range(args.repeats)]
        sizes.append({'hosts': hosts, 'instances': args.instances, 'plan': spread(plans),
                      'batch': spread([b for b, _ in batches]),
                      'migrations': spread([m for _, m in batches]),
                      'overhead': spread([b - m for b, m in batches])})
        print('%d hosts: plan %s s, batch %s s' % (hosts, sizes[-1]['plan']['median'],
                                                   sizes[-1]['batch']['median']), flush=True)
    line = fit([(s['hosts'], s['overhead']['median']) for s in sizes])
    print(markdown(sizes, line))
    os.makedirs(args.out, exist_ok=True)
    with open(result_path, 'w', encoding='utf-8') as handle:
        json.dump({'sizes': sizes, 'overhead_fit': line}, handle, indent=2)
    plot(sizes, line, os.path.join(args.out, 'scale.png'))


if __name__ == '__main__':
    main()
