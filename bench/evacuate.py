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

On a lab whose computes run libvirt (LAB_DRIVER=libvirt, which make passes;
the lab's inventory must agree), the guests are real and their network gaps
are measured from outside them: lab/guest_probe.yml starts
lab/guest_prober.py (TCP to port 80 at 5 Hz, the boot id from the guest's
page) on a compute's br-int once the instances are up, and stops it after
the serial loop. Every drain moves every guest once, so a guest's migration
window is its drain's wall-clock window; its gap there is the longest that
overlaps the window. Each drain's row, and the serial loop's line, then give
the median and the maximum of those gaps over the guests, and the run counts
the guests' reboots (boot id changes; 0 expected). With LAB_DRIVER unset or
fake, nothing is probed and the output has no gap figures.
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
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'lab'))
import guest_prober  # noqa: E402  (the lab's guest prober: its samples and their summary)

# The computes the drains go round (cmp1 -> cmp2 -> cmp3 -> cmp1 ...).
DRAINED = ('cmp1', 'cmp2', 'cmp3')


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
    """Drain source onto target; the result, the CPU seconds the cloud's
    services spent on it (the machine's busy time less our own), and its
    window {start, end, source, target, ids}: the wall clock around the
    module, and the instances it moved."""
    busy, ours = busy_cpu()
    start = time.time()
    result = module('compute_evacuate', hosts=[source], targets=[target],
                    concurrency=concurrency, per_host_concurrency=concurrency,
                    poll_interval=1, timeout=600)
    end = time.time()
    busy_after, ours_after = busy_cpu()
    module('compute_service', host=source, state='enabled')
    if result.get('failed') or result['totals']['moved'] != len(result['instances']):
        sys.exit('Drain of %s at concurrency %d failed: %s' % (source, concurrency, result.get('msg')))
    window = {'start': start, 'end': end, 'source': source, 'target': target,
              'ids': [instance['id'] for instance in result['instances']]}
    return result, (busy_after - busy) - (ours_after - ours), window


def serial_loop(openstack, source, target):
    """What an operator's shell loop does: one CLI call per instance. Its
    seconds, and its window as drain() gives it."""
    listed = subprocess.run(
        [openstack, 'server', 'list', '--all-projects', '--host', source, '-f', 'value', '-c', 'ID'],
        capture_output=True, text=True, check=True).stdout.split()
    start, started = time.time(), time.monotonic()
    for server in listed:
        subprocess.run([openstack, '--os-compute-api-version', '2.30', 'server', 'migrate',
                        '--live-migration', '--host', target, '--wait', server],
                       check=True, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    return seconds, {'start': start, 'end': time.time(), 'source': source, 'target': target, 'ids': listed}


def probes_guests(lab_driver, libvirt_computes):
    """Whether the run probes the guests: on a lab whose computes run
    libvirt. lab_driver is LAB_DRIVER (unset: fake); libvirt_computes, the
    lab inventory's lab_libvirt_driver hosts. They must agree: a fake lab has
    no guest to probe, and a libvirt lab's drains without their gaps would
    pass for a fake lab's."""
    driver = lab_driver or 'fake'
    if driver not in ('fake', 'libvirt'):
        raise ValueError('LAB_DRIVER must be fake or libvirt (got %r).' % driver)
    if driver == 'libvirt' and not libvirt_computes:
        raise ValueError('LAB_DRIVER is libvirt but the lab\'s computes run the fake driver '
                         '(no lab_libvirt_driver group in its inventory): make the lab with LAB_DRIVER=libvirt.')
    if driver == 'fake' and libvirt_computes:
        raise ValueError('The lab\'s computes run libvirt (%s) but LAB_DRIVER is fake: run with '
                         'LAB_DRIVER=libvirt (make bench LAB_DRIVER=libvirt), which measures the guests\' gaps too.'
                         % ', '.join(sorted(libvirt_computes)))
    return driver == 'libvirt'


def probe_host(computes, drained=DRAINED):
    """The compute whose br-int the guest prober plugs into: the last one
    (in the inventory's order) that no drain uses, so that its CPU serves
    the prober only; on a lab of the drained computes alone, the last."""
    spare = [compute for compute in computes if compute not in drained]
    return (spare or computes)[-1]


def lab_groups():
    """{group: [host, ...]} of the lab's inventory."""
    listed = json.loads(subprocess.run(['ansible-inventory'] + INVENTORY + ['--list'],
                                       capture_output=True, text=True, check=True).stdout)
    return dict((name, group.get('hosts', [])) for name, group in listed.items() if isinstance(group, dict))


def guest_probe(state, host, results, servers=()):
    """Start (present) or stop (absent: it fetches guest-samples.jsonl into
    results) the guest prober on host, through lab/guest_probe.yml; its
    output goes to bench-guest-probe.log there."""
    extra = {'guest_probe_state': state, 'guest_probe_host': host, 'guest_probe_servers': list(servers),
             'guest_probe_results_dir': results}
    log = os.path.join(results, 'bench-guest-probe.log')
    with open(log, 'a', encoding='utf-8') as out:
        code = subprocess.run(['ansible-playbook'] + INVENTORY + [os.path.join(ROOT, 'lab/guest_probe.yml'),
                                                                    '-e', json.dumps(extra)],
                              stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if code:
        sys.exit('lab/guest_probe.yml (%s) failed: see %s' % (state, log))


def guest_gaps(samples, windows):
    """The guests' gaps seen from outside them, per window {start, end,
    source, target, ids} (a drain's: each of its ids moved once in it).

    Per window: each guest's longest gap that overlaps it; their median and
    maximum over the guests probed in it (None: none was); how many were
    probed (sampled in the window, and answered at some time) of those
    moved. Over the whole run: the guests, their reboots (boot id changes),
    and the names (else ids) of those that never answered.
    """
    migrations = [{'id': server_id, 'start': window['start'], 'end': window['end'],
                   'source': window['source'], 'target': window['target']}
                  for window in windows for server_id in window['ids']]
    summary = guest_prober.summarize(samples, migrations)
    guests = summary['guests']
    # A guest that never answered has no gap to tell: it is not probed.
    gap_of = dict(((w['id'], w['start']), w['gap_s']) for w in summary['migrations']
                  if guests.get(w['id'], {}).get('answered'))
    per_window = []
    for window in windows:
        gaps = [gap_of.get((server_id, guest_prober.iso(window['start']))) for server_id in window['ids']]
        probed = [gap for gap in gaps if gap is not None]
        per_window.append({'median': round(statistics.median(probed), 3) if probed else None,
                           'max': max(probed) if probed else None,
                           'probed': len(probed), 'moved': len(gaps)})
    ids = sorted({server_id for window in windows for server_id in window['ids']})
    silent = [server_id for server_id in ids if not guests.get(server_id, {}).get('answered')]
    return {'windows': per_window, 'guests': len(ids),
            'reboots': sum(len(guests[server_id]['reboots']) for server_id in ids if server_id in guests),
            'never_answered': sorted(guests.get(server_id, {}).get('name') or server_id for server_id in silent)}


def figures(runs, n, serial, moved, cores, release, gaps=None, probed_from=None):
    """The run's figures from (concurrency, drain s, migration durations,
    cloud CPU s) per drain, the first at concurrency 1, on nova's release.
    gaps, on a libvirt lab: guest_gaps() of the drains' windows in the same
    order, then the serial loop's; probed_from, the compute the prober ran on."""
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
    result = {'release': release, 'instances': n, 'single_migration': round(single, 1),
              'cpu_per_migration': round(cpu_each, 2),
              'cores': cores, 'serial': {'seconds': round(serial, 1), 'moved': moved}, 'drains': drains}
    if gaps is not None:
        for drain_figures, window_gaps in zip(drains, gaps['windows']):
            drain_figures['guest_gaps'] = window_gaps
        if len(gaps['windows']) > len(drains):
            result['serial']['guest_gaps'] = gaps['windows'][len(drains)]
        result['guests'] = {'probed_from': probed_from, 'guests': gaps['guests'], 'reboots': gaps['reboots'],
                            'never_answered': gaps['never_answered']}
    return result


def _gap(seconds):
    return '-' if seconds is None else '%.2f' % seconds


def gap_lines(result):
    """What the table's gap columns are, then what is off: guests not probed
    in a drain, or that never answered."""
    guests = result['guests']
    lines = ['', "Guest gaps seen from outside the guests (lab/guest_prober.py: TCP to port 80 at 5 Hz from a port "
             "on %s's br-int): in each drain's wall-clock window, each guest's longest gap; the median and the "
             'maximum over the guests. Reboots over the run (boot id changes): %d.'
             % (guests['probed_from'] or 'a compute', guests['reboots'])]
    moved = [('concurrency %d' % drain['concurrency'], drain['guest_gaps']) for drain in result['drains']]
    if result['serial'].get('guest_gaps'):
        moved.append(('serial loop', result['serial']['guest_gaps']))
    short = ['%s: %d of %d' % (label, window['probed'], window['moved'])
             for label, window in moved if window['probed'] < window['moved']]
    if short:
        lines.append('Guests probed, of those moved: %s.' % '; '.join(short))
    if guests['never_answered']:
        lines.append('Never answered the prober: %s.' % ', '.join(guests['never_answered']))
    return lines


def markdown(result):
    """The table, one row per drain; on a libvirt lab (result['guests'])
    with the guests' gaps in two more columns and on the serial line."""
    gaps = 'guests' in result
    lines = ['Drain of %d instances, lab host to lab host, nova %s. Single migration (median at concurrency 1): '
             '%.1f s. The cloud spends %.2f CPU s on each, on %d cores.'
             % (result['instances'], result['release'], result['single_migration'], result['cpu_per_migration'],
                result['cores']),
             '',
             '| concurrency | drain s | ideal s | drain / ideal | CPU floor s | drain / floor | serial / drain |'
             + (' guest gap median s | guest gap max s |' if gaps else ''),
             '|---|---|---|---|---|---|---|' + ('---|---|' if gaps else '')]
    for drain in result['drains']:
        row = ('| %(concurrency)d | %(seconds).1f | %(ideal).1f | %(to_ideal).2f | %(cpu_floor).1f '
               '| %(to_cpu_floor).2f | %(serial_speedup).2f |' % drain)
        if gaps:
            row += ' %s | %s |' % (_gap(drain['guest_gaps']['median']), _gap(drain['guest_gaps']['max']))
        lines.append(row)
    serial = ('Serial CLI loop (`openstack server migrate --live-migration --wait`): %(seconds).1f s for '
              '%(moved)d.' % result['serial'])
    if gaps and result['serial'].get('guest_gaps'):
        serial = serial[:-1] + "; the guests' gap median %s s, max %s s." % (
            _gap(result['serial']['guest_gaps']['median']), _gap(result['serial']['guest_gaps']['max']))
    lines += ['', serial]
    if gaps:
        lines += gap_lines(result)
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
    hosts = list(DRAINED)
    groups = lab_groups()
    try:
        probing = probes_guests(os.environ.get('LAB_DRIVER'), groups.get('lab_libvirt_driver', []))
    except ValueError as exc:
        sys.exit(str(exc))
    # A migration's time depends on the release: before oslo.messaging 18
    # (2026.2), an RPC call waits for its reply in steps of 0.5 s.
    release = module('host_versions_facts', on=hosts[0], infrastructure=False)[
        'ansible_facts']['stackroll_versions']['services']['nova']['release']

    # The inventory says which image the instances boot (lab_libvirt).
    subprocess.run(['ansible-playbook'] + INVENTORY + [os.path.join(HERE, 'boot.yml'),
                                                       '-e', 'bench_count=%d' % args.instances],
                   check=True, stdout=subprocess.DEVNULL)
    names = ['bench-%d' % i for i in range(args.instances)]
    state = os.environ.get('STACKROLL_LAB_STATE', os.path.join(ROOT, 'lab/.state'))
    prober_host = probe_host(groups.get('computes', [])) if probing else None
    # The prober's samples file on its host outlives a run: only this run's count.
    since = time.time()
    runs, windows, at = [], [], 0
    try:
        if probing:
            guest_probe('present', prober_host, state, names)
        for concurrency in args.concurrency:
            source, target = hosts[at % 3], hosts[(at + 1) % 3]
            result, cloud_cpu, window = drain(source, target, concurrency)
            runs.append((concurrency, result['elapsed'], [i['duration'] for i in result['instances']], cloud_cpu))
            windows.append(window)
            at += 1
        serial, window = serial_loop(args.openstack, hosts[at % 3], hosts[(at + 1) % 3])
        windows.append(window)
    finally:
        if probing:
            guest_probe('absent', prober_host, state)

    gaps = None
    if probing:
        gaps = guest_gaps(guest_prober.load_samples(os.path.join(state, 'guest-samples.jsonl'), since=since), windows)
    result = figures(runs, args.instances, serial, len(window['ids']), os.cpu_count(), release, gaps, prober_host)
    print(markdown(result))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, 'evacuate.json'), 'w') as handle:
            json.dump(result, handle, indent=2)

    module('compute_service', host=hosts[at % 3], state='enabled')
    subprocess.run([args.openstack, 'server', 'delete', '--wait'] + names, check=False)


if __name__ == '__main__':
    main()
