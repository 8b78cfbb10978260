#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""How fast compute_evacuate drains a lab host, against two baselines from
the same run: the ideal (ceil(N/K) x the median single migration, measured
at concurrency 1) and a serial `openstack server migrate --live-migration
--wait` loop, what operators script today. A third bound says what this
machine allows: the CPU the cloud's services spend on one migration, times
N, over the cores.

Each run moves all N instances from one host to the next (cmp1 -> cmp2 ->
cmp3 -> cmp1 ...), so every run has one source and one target. Needs the
lab (make lab) and OS_CLOUD / OS_CLIENT_CONFIG_FILE; `make bench` runs it.
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

from rerun import INVENTORY  # the lab's inventory

HERE = os.path.dirname(os.path.abspath(__file__))


def module(name, check=False, on='localhost', **args):
    """Run a stackroll.lifecycle module on a lab host (localhost by
    default); its result."""
    out = subprocess.run(
        ['ansible', on, '-o', '-m', 'stackroll.lifecycle.' + name, '-a', json.dumps(args)]
        + (['--check'] if check else []) + INVENTORY,
        capture_output=True, text=True, check=False).stdout
    return json.loads(out[out.index('{'):])


def busy_cpu():
    """CPU seconds this machine has spent busy, and those of our children
    (Ansible and the module: the orchestration's own share)."""
    with open('/proc/stat') as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((user + nice + system + irq + softirq + steal) / os.sysconf('SC_CLK_TCK'),
            children.ru_utime + children.ru_stime)


def drain(source, target, concurrency):
    """Drain source onto target; the result and the CPU seconds the cloud's
    services spent on it (the machine's busy time less our own)."""
    busy, ours = busy_cpu()
    result = module('compute_evacuate', hosts=[source], targets=[target],
                    concurrency=concurrency, per_host_concurrency=concurrency,
                    poll_interval=1, timeout=600)
    busy_after, ours_after = busy_cpu()
    module('compute_service', host=source, state='enabled')
    if result.get('failed') or result['totals']['moved'] != len(result['instances']):
        sys.exit('Drain of %s at concurrency %d failed: %s' % (source, concurrency, result.get('msg')))
    return result, (busy_after - busy) - (ours_after - ours)


def serial_loop(openstack, source, target):
    """What an operator's shell loop does: one CLI call per instance."""
    listed = subprocess.run(
        [openstack, 'server', 'list', '--all-projects', '--host', source, '-f', 'value', '-c', 'ID'],
        capture_output=True, text=True, check=True).stdout.split()
    started = time.monotonic()
    for server in listed:
        subprocess.run([openstack, '--os-compute-api-version', '2.30', 'server', 'migrate',
                        '--live-migration', '--host', target, '--wait', server],
                       check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started, len(listed)


def figures(runs, n, serial, moved, cores, release):
    """The run's figures from (concurrency, drain s, migration durations,
    cloud CPU s) per drain, the first at concurrency 1, on nova's release."""
    single = statistics.median(runs[0][2])
    # The cloud's services need this much CPU per migration (measured at
    # concurrency 1); on this machine's cores no drain of n can beat
    # n x that / cores, whatever the concurrency.
    cpu_each = runs[0][3] / n
    drains = []
    for concurrency, elapsed, _durations, cpu in runs:
        ideal = math.ceil(n / concurrency) * single
        floor = max(ideal, n * cpu_each / cores)
        drains.append({'concurrency': concurrency, 'seconds': round(elapsed, 1), 'ideal': round(ideal, 1),
                       'cpu_floor': round(floor, 1), 'cloud_cpu': round(cpu, 1),
                       'to_ideal': round(elapsed / ideal, 2), 'to_cpu_floor': round(elapsed / floor, 2),
                       'serial_speedup': round(serial / elapsed, 2)})
    return {'release': release, 'instances': n, 'single_migration': round(single, 1),
            'cpu_per_migration': round(cpu_each, 2),
            'cores': cores, 'serial': {'seconds': round(serial, 1), 'moved': moved}, 'drains': drains}


def markdown(result):
    lines = ['Drain of %d instances, lab host to lab host, nova %s. Single migration (median at concurrency 1): '
             '%.1f s. The cloud spends %.2f CPU s on each, on %d cores.'
             % (result['instances'], result['release'], result['single_migration'], result['cpu_per_migration'],
                result['cores']),
             '',
             '| concurrency | drain s | ideal s | drain / ideal | CPU floor s | drain / floor | serial / drain |',
             '|---|---|---|---|---|---|---|']
    lines += ['| %(concurrency)d | %(seconds).1f | %(ideal).1f | %(to_ideal).2f | %(cpu_floor).1f '
              '| %(to_cpu_floor).2f | %(serial_speedup).2f |' % drain for drain in result['drains']]
    lines += ['', 'Serial CLI loop (`openstack server migrate --live-migration --wait`): %(seconds).1f s for '
              '%(moved)d.' % result['serial']]
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--instances', type=int, default=24)
    parser.add_argument('--concurrency', type=int, nargs='+', default=[1, 4, 8])
    parser.add_argument('--openstack', default='openstack', help='the openstack CLI')
    parser.add_argument('--out', help='where to write evacuate.json')
    args = parser.parse_args()
    if args.concurrency[0] != 1:
        parser.error('the first concurrency must be 1: it measures the single migration')
    hosts = ['cmp1', 'cmp2', 'cmp3']
    # A migration's time depends on the release: before oslo.messaging 18
    # (2026.2), an RPC call waits for its reply in steps of 0.5 s.
    release = module('host_versions_facts', on=hosts[0], infrastructure=False)[
        'ansible_facts']['stackroll_versions']['services']['nova']['release']

    subprocess.run(['ansible-playbook', os.path.join(HERE, 'boot.yml'),
                    '-e', 'bench_count=%d' % args.instances], check=True,
                   stdout=subprocess.DEVNULL)
    runs, at = [], 0
    for concurrency in args.concurrency:
        source, target = hosts[at % 3], hosts[(at + 1) % 3]
        result, cloud_cpu = drain(source, target, concurrency)
        runs.append((concurrency, result['elapsed'], [i['duration'] for i in result['instances']], cloud_cpu))
        at += 1
    serial, moved = serial_loop(args.openstack, hosts[at % 3], hosts[(at + 1) % 3])

    result = figures(runs, args.instances, serial, moved, os.cpu_count(), release)
    print(markdown(result))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, 'evacuate.json'), 'w') as handle:
            json.dump(result, handle, indent=2)

    module('compute_service', host=hosts[at % 3], state='enabled')
    subprocess.run([args.openstack, 'server', 'delete', '--wait']
                   + ['bench-%d' % i for i in range(args.instances)], check=False)

if __name__ == '__main__':
    main()
