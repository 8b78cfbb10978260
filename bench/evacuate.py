#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""How fast compute_evacuate drains a lab host, against two baselines from
the same run: the ideal (ceil(N/K) x the median single migration, measured
at concurrency 1) and a serial `openstack server migrate --live-migration
--wait` loop, what operators script today.

Each run moves all N instances from one host to the next (cmp1 -> cmp2 ->
cmp3 -> cmp1 ...), so every run has one source and one target. Needs the
lab (make lab) and OS_CLOUD / OS_CLIENT_CONFIG_FILE; `make bench` runs it.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def module(name, check=False, **args):
    """Run a stackroll.lifecycle module on localhost; its result."""
    out = subprocess.run(
        ['ansible', 'localhost', '-o', '-m', 'stackroll.lifecycle.' + name,
         '-a', json.dumps(args)] + (['--check'] if check else []),
        capture_output=True, text=True, check=False).stdout
    return json.loads(out[out.index('{'):])


def drain(source, target, concurrency):
    result = module('compute_evacuate', hosts=[source], targets=[target],
                    concurrency=concurrency, per_host_concurrency=concurrency,
                    poll_interval=1, timeout=600)
    module('compute_service', host=source, state='enabled')
    if result.get('failed') or result['totals']['moved'] != len(result['instances']):
        sys.exit('Drain of %s at concurrency %d failed: %s' % (source, concurrency, result.get('msg')))
    return result


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--instances', type=int, default=24)
    parser.add_argument('--concurrency', type=int, nargs='+', default=[1, 4, 8])
    parser.add_argument('--openstack', default='openstack', help='the openstack CLI')
    args = parser.parse_args()
    if args.concurrency[0] != 1:
        parser.error('the first concurrency must be 1: it measures the single migration')
    hosts = ['cmp1', 'cmp2', 'cmp3']

    subprocess.run(['ansible-playbook', os.path.join(HERE, 'boot.yml'),
                    '-e', 'bench_count=%d' % args.instances], check=True,
                   stdout=subprocess.DEVNULL)
    runs, at = [], 0
    for concurrency in args.concurrency:
        source, target = hosts[at % 3], hosts[(at + 1) % 3]
        result = drain(source, target, concurrency)
        runs.append((concurrency, result['elapsed'], [i['duration'] for i in result['instances']]))
        at += 1
    serial, moved = serial_loop(args.openstack, hosts[at % 3], hosts[(at + 1) % 3])

    single = statistics.median(runs[0][2])
    n = args.instances
    print('Drain of %d instances, lab host to lab host; single migration (median at '
          'concurrency 1): %.1f s' % (n, single))
    print('%-12s %10s %10s %14s %14s' % ('concurrency', 'drain s', 'ideal s', 'drain/ideal', 'serial/drain'))
    for concurrency, elapsed, _durations in runs:
        ideal = math.ceil(n / concurrency) * single
        print('%-12d %10.1f %10.1f %14.2f %14.2f' % (concurrency, elapsed, ideal,
                                                     elapsed / ideal, serial / elapsed))
    print('serial CLI loop (openstack server migrate --live-migration --wait): %.1f s for %d'
          % (serial, moved))

    module('compute_service', host=hosts[at % 3], state='enabled')
    subprocess.run([args.openstack, 'server', 'delete', '--wait']
                   + ['bench-%d' % i for i in range(n)], check=False)

if __name__ == '__main__':
    main()
