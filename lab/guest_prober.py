#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Guest prober: how long each guest is unreachable, seen from outside it.

`run` probes every guest of --targets each --interval seconds (5 Hz by
default), all guests in parallel: a TCP connect to port 80, and every
--page-every-th tick a read of the guest's JSON page for its boot id (a new
boot id: the guest rebooted). It appends one JSON line per tick to
--samples (flushed, so a killed prober still leaves usable data), reads the
targets file again whenever it changes (workloads can be added while it
runs), stops on SIGTERM/SIGINT or after --duration, then writes --summary
and prints a Markdown table.

`summarize` turns a samples file into the same summary: per guest the
failures, availability, gaps (from the last answer before a run of failures
to the first answer after it) and reboots, and per migration window
(--migrations FILE, or derived from lab/prober.py's samples with
--api-samples) the longest gap that overlaps it; --since and --until keep
the samples of a time range only (a restart's, say). With --max-gap,
--max-migration-gap, --median-migration-gap or --forbid-reboots it judges
those targets and exits 1 naming each guest and figure that missed one.

Stdlib only and one file: it is copied alone onto the host that probes,
and runs there in a network namespace on the guests' network. The summary
functions are pure (lists of sample dicts in, dicts out) so that bench/ can
import them and tests need no guest.
"""
import argparse
import concurrent.futures
import datetime
import json
import math
import os
import signal
import socket
import statistics
import sys
import threading
import time

PORT = 80
ERROR_CHARS = 200
PAGE_BYTES = 4096       # the page is a few dozen bytes; more is not the guest's page
# A guest answers when its TCP handshake completes within this; ticks
# overlap, so the rate stays. Under TCG on a busy host a guest that is there
# answered in up to several hundred milliseconds (100 ms counted false gaps
# of seconds); past 1 s the kernel would resend the SYN anyway.
CONNECT_TIMEOUT = 1.0
# Threads are made as probes need them; this only bounds a pile-up of hung reads.
MAX_PROBES_IN_FLIGHT = 256


# --- time (as lab/prober.py's; this file travels alone) ------------------------

def parse_time(value):
    """Epoch seconds from an epoch number/string or an ISO-8601 string
    (naive ones are UTC)."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.timestamp()


def iso(ts):
    """ISO-8601 UTC with milliseconds, or None."""
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat(timespec='milliseconds')


def load_samples(path, since=None, until=None):
    """Samples from a JSON-lines file, those of [since, until] only when
    given (epoch seconds); a torn last line (killed prober) is skipped."""
    samples = []
    with open(path, encoding='utf-8') as stream:
        for line in stream:
            try:
                sample = json.loads(line)
            except ValueError:
                continue
            if (since is None or sample['ts'] >= since) and (until is None or sample['ts'] <= until):
                samples.append(sample)
    return samples


# --- targets and migration windows ----------------------------------------------

def load_targets(path):
    """{server id: {'name', 'address'}} from {"guests": [{"id", "name", "address"}]}."""
    with open(path, encoding='utf-8') as stream:
        data = json.load(stream)
    guests = {}
    for entry in data.get('guests', []):
        if not entry.get('id') or not entry.get('address'):
            raise ValueError(f'a guest needs an id and an address: {entry!r}')
        guests[entry['id']] = {'name': entry.get('name'), 'address': entry['address']}
    return guests


def load_migrations(path):
    """Windows from a JSON list (or {"migrations": [...]}) of {id, start,
    end, [name, source, target]}; times epoch or ISO-8601, end null while
    still running."""
    with open(path, encoding='utf-8') as stream:
        data = json.load(stream)
    entries = data.get('migrations', []) if isinstance(data, dict) else data
    return [dict(entry, start=parse_time(entry['start']),
                 end=parse_time(entry['end']) if entry.get('end') is not None else None)
            for entry in entries]


def migration_windows(api_samples):
    """Each instance's host changes in lab/prober.py's samples, as windows
    {id, name, source, target, start, end} (epoch; end None while running).

    A window opens at the last tick ACTIVE on the old host before the move
    shows (a tick MIGRATING, or on another host): the move started after
    that tick. It closes at the first tick ACTIVE again: on another host (a
    move, target set) or on the same one (an aborted move, target None;
    a live migration rolled back may pause the guest too). So the window
    brackets the move at the API prober's resolution. Ticks that say
    nothing of the host (the listing failed, the instance absent) are
    skipped.
    """
    series = {}
    for sample in sorted(api_samples, key=lambda s: s['ts']):
        for server_id, entry in sample.get('instances', {}).items():
            if entry.get('host'):
                series.setdefault(server_id, []).append(
                    (sample['ts'], entry.get('status'), entry['host'], entry.get('name')))
    windows = []
    for server_id, points in series.items():
        home, settled, opened = points[0][2], None, None
        for ts, status, host, name in points:
            if opened is None:
                if status != 'MIGRATING' and host == home:
                    if status == 'ACTIVE':
                        settled = ts
                    continue
                opened = {'id': server_id, 'name': name, 'source': home, 'target': None,
                          'start': settled if settled is not None else ts, 'end': None}
            if status == 'ACTIVE':
                opened.update(end=ts, target=host if host != opened['source'] else None)
                windows.append(opened)
                home, settled, opened = host, ts, None
        if opened is not None:
            windows.append(opened)
    return sorted(windows, key=lambda w: (w['start'], w['id']))


# --- summary (pure) -------------------------------------------------------------

def guest_points(samples):
    """{guest id: [(ts, result), ...] in time order} and {guest id: its last name}."""
    points, names = {}, {}
    for sample in sorted(samples, key=lambda s: s['ts']):
        for guest_id, result in sample.get('guests', {}).items():
            points.setdefault(guest_id, []).append((sample['ts'], result))
            names[guest_id] = result.get('name')
    return points, names


def gaps(points):
    """Runs of failed probes in [(ts, ok), ...] (time order), as
    {start, end, seconds, failures, leading, trailing} (epoch).

    A gap lasts from the last answer before its failures to the first
    answer after them: at most that long unreachable, to one interval's
    precision (a single failed tick is a gap of two intervals). A leading
    gap (no answer before it: the guest was not up yet) starts at its first
    failure; a trailing one (no answer after it) ends at its last failure.
    """
    found, last_ok, first_bad, last_bad, failures = [], None, None, None, 0

    def close(end, trailing):
        start = last_ok if last_ok is not None else first_bad
        found.append({'start': start, 'end': end, 'seconds': round(end - start, 3),
                      'failures': failures, 'leading': last_ok is None, 'trailing': trailing})

    for ts, ok in points:
        if ok:
            if failures:
                close(ts, False)
                failures = 0
            last_ok = ts
        else:
            if not failures:
                first_bad = ts
            failures += 1
            last_bad = ts
    if failures:
        close(last_bad, True)
    return found


def boot_changes(points):
    """[{time, old, new}] of each change of boot id in [(ts, result), ...]:
    the guest rebooted between the two page reads."""
    changes, previous = [], None
    for ts, result in points:
        boot_id = result.get('boot_id')
        if boot_id is None:
            continue
        if previous is not None and boot_id != previous:
            changes.append({'time': iso(ts), 'old': previous, 'new': boot_id})
        previous = boot_id
    return changes


def window_gap(guest_gaps, start, end, margin=0.0):
    """The longest gap overlapping [start - margin, end + margin] (end None:
    open), its full length: a gap that spills over the window's edge is
    still the move's. Leading gaps (never up before) do not count."""
    low, high = start - margin, (end + margin if end is not None else math.inf)
    overlapping = [g for g in guest_gaps if not g['leading'] and g['start'] < high and g['end'] > low]
    return max(overlapping, key=lambda g: g['seconds'], default=None)


def _gap_out(gap):
    return dict(gap, start=iso(gap['start']), end=iso(gap['end']))


def summarize(samples, migrations=(), margin=0.0):
    """Per guest, per migration window, and totals (see the module's doc)."""
    points, names = guest_points(samples)
    guests, found = {}, {}
    for guest_id, series in points.items():
        results = [result for ts, result in series]
        found[guest_id] = gaps([(ts, result.get('ok')) for ts, result in series])
        counted = [g for g in found[guest_id] if not g['leading']]
        failures = sum(1 for result in results if not result.get('ok'))
        boot_ids = [result['boot_id'] for result in results if result.get('boot_id')]
        guests[guest_id] = {
            'name': names[guest_id],
            'samples': len(series),
            'failures': failures,
            'availability': round(100.0 * (len(series) - failures) / len(series), 3),
            'answered': failures < len(series),
            'longest_gap_s': max((g['seconds'] for g in counted), default=0.0),
            'gaps': [_gap_out(g) for g in found[guest_id]],
            'boot_id': boot_ids[-1] if boot_ids else None,
            'reboots': boot_changes(series),
        }
    windows = []
    for window in sorted(migrations, key=lambda w: w['start']):
        series = points.get(window['id'], [])
        # Probed: the guest's samples reach into the window.
        window_end = window['end'] if window['end'] is not None else math.inf
        probed = bool(series) and series[0][0] <= window_end and series[-1][0] >= window['start']
        gap = window_gap(found.get(window['id'], []), window['start'], window['end'], margin) if probed else None
        windows.append({
            'id': window['id'],
            'name': window.get('name') or guests.get(window['id'], {}).get('name'),
            'source': window.get('source'), 'target': window.get('target'),
            'start': iso(window['start']), 'end': iso(window['end']),
            'gap_s': (gap['seconds'] if gap else 0.0) if probed else None,
            'gap': _gap_out(gap) if gap else None,
        })
    judged = [w['gap_s'] for w in windows if w['gap_s'] is not None]
    longest = max(guests, key=lambda gid: guests[gid]['longest_gap_s'], default=None)
    stamps = [s['ts'] for s in samples]
    return {
        'start': iso(min(stamps, default=None)),
        'end': iso(max(stamps, default=None)),
        'samples': len(samples),
        'margin_s': margin,
        'guests': dict(sorted(guests.items(), key=lambda item: (item[1]['name'] or '', item[0]))),
        'migrations': windows,
        'totals': {
            'guests': len(guests),
            'probes': sum(g['samples'] for g in guests.values()),
            'failures': sum(g['failures'] for g in guests.values()),
            'migrations': len(windows),
            'migrations_probed': len(judged),
            'median_migration_gap_s': round(statistics.median(judged), 3) if judged else None,
            'max_migration_gap_s': max(judged) if judged else None,
            'longest_gap_s': guests[longest]['longest_gap_s'] if longest else 0.0,
            'longest_gap_guest': longest if longest and guests[longest]['longest_gap_s'] else None,
            'reboots': sum(len(g['reboots']) for g in guests.values()),
        },
    }


def _label(name, guest_id):
    return f'{name} ({guest_id})' if name else guest_id


def judge(summary, max_migration_gap=None, median_migration_gap=None, forbid_reboots=False, max_gap=None):
    """What misses the targets, one message per guest and figure; an empty
    list: met. max_gap bounds every guest's longest gap, wherever it falls. A guest that never answered always misses: its figures say
    nothing. A gap target with no probed migration window misses too: the
    windows and the guests do not match (ids), or nothing moved."""
    misses = [f"guest {_label(g['name'], gid)} never answered ({g['samples']} probes)"
              for gid, g in summary['guests'].items() if not g['answered']]
    probed = [w for w in summary['migrations'] if w['gap_s'] is not None]
    if (max_migration_gap is not None or median_migration_gap is not None) and not probed:
        misses.append(f"no migration window of a probed guest to judge "
                      f"({len(summary['migrations'])} windows, {len(summary['guests'])} guests)")
    if max_migration_gap is not None:
        misses += [f"guest {_label(w['name'], w['id'])} was unreachable for {w['gap_s']:.2f} s in its "
                   f"migration {w['source'] or '?'} -> {w['target'] or '(aborted)'} at {w['start']}, "
                   f"over {max_migration_gap} s"
                   for w in probed if w['gap_s'] > max_migration_gap]
    median = summary['totals']['median_migration_gap_s']
    if median_migration_gap is not None and median is not None and median > median_migration_gap:
        misses.append(f"the median migration gap {median:.2f} s over {len(probed)} migrations "
                      f"is over {median_migration_gap} s")
    if max_gap is not None:
        misses += [f"guest {_label(g['name'], gid)} was unreachable for {g['longest_gap_s']:.2f} s, over {max_gap} s"
                   for gid, g in summary['guests'].items() if g['answered'] and g['longest_gap_s'] > max_gap]
    if forbid_reboots:
        misses += [f"guest {_label(g['name'], gid)} rebooted at {r['time']} (boot id {r['old']} -> {r['new']})"
                   for gid, g in summary['guests'].items() for r in g['reboots']]
    return misses


def _seconds(value):
    return '-' if value is None else f'{value:.2f}'


def markdown(summary):
    """One row per guest (its migrations' gaps in the last column), then the
    totals. A longest gap marked + : the guest was unreachable at the end."""
    moves = {}
    for window in summary['migrations']:
        moves.setdefault(window['id'], []).append(
            f"{window['source'] or '?'}->{window['target'] or 'x'} {_seconds(window['gap_s'])}")
    lines = ['| guest | probes | failures | availability % | longest gap s | gaps | reboots | migrations: gap s |',
             '|' + ' --- |' * 8]
    for guest_id, guest in summary['guests'].items():
        longest = f"{guest['longest_gap_s']:.2f}" + ('+' if any(g['trailing'] for g in guest['gaps']) else '')
        lines.append(
            f"| {_label(guest['name'], guest_id)} | {guest['samples']} | {guest['failures']} "
            f"| {guest['availability']:.3f} | {longest if guest['answered'] else 'never answered'} | {len(guest['gaps'])} "
            f"| {len(guest['reboots'])} | {', '.join(moves.get(guest_id, [])) or '-'} |")
    totals = summary['totals']
    available = (100.0 * (totals['probes'] - totals['failures']) / totals['probes']) if totals['probes'] else None
    lines.append(
        f"| all {totals['guests']} | {totals['probes']} | {totals['failures']} "
        f"| {'-' if available is None else f'{available:.3f}'} | {totals['longest_gap_s']:.2f} "
        f"| {sum(len(g['gaps']) for g in summary['guests'].values())} | {totals['reboots']} "
        f"| {totals['migrations_probed']} of {totals['migrations']} probed, median "
        f"{_seconds(totals['median_migration_gap_s'])}, max {_seconds(totals['max_migration_gap_s'])} |")
    return '\n'.join(lines)


# --- probing (I/O) -------------------------------------------------------------

def parse_page(raw):
    """{boot_id, uptime, hostname} from a raw HTTP answer; ValueError if it is not the page."""
    head, sep, body = raw.partition(b'\r\n\r\n')
    status = head.split(b'\r\n', 1)[0].split()
    if not sep or len(status) < 2 or status[1] != b'200':
        raise ValueError(f'not an HTTP 200 answer: {head[:80]!r}')
    page = json.loads(body)
    if not isinstance(page, dict) or not page.get('boot_id'):
        raise ValueError(f'no boot_id in the page: {body[:80]!r}')
    return {'boot_id': str(page['boot_id']), 'uptime': page.get('uptime'), 'hostname': page.get('hostname')}


def read_page(sock, host, path, timeout):
    """GET path over a connected socket, all of it within timeout seconds."""
    deadline = time.monotonic() + timeout
    sock.settimeout(timeout)
    sock.sendall(f'GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n'.encode())
    raw = b''
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f'page not read within {timeout:.1f} s')
        sock.settimeout(left)
        chunk = sock.recv(PAGE_BYTES)
        if not chunk:
            return parse_page(raw)
        raw += chunk
        if len(raw) > PAGE_BYTES:
            raise ValueError(f'answer over {PAGE_BYTES} bytes')


def probe_guest(address, port, connect_timeout, page_timeout=None, path='/'):
    """One probe: ok when a TCP connection is made within connect_timeout.
    With page_timeout, the page is read too; a failed read is recorded
    (page_error) but does not fail the probe, so page and TCP ticks judge
    reachability alike."""
    started = time.monotonic()
    try:
        sock = socket.create_connection((address, port), timeout=connect_timeout)
    except OSError as exc:
        return {'ok': False, 'latency': round(time.monotonic() - started, 3),
                'error': f'{type(exc).__name__}: {exc}'[:ERROR_CHARS]}
    result = {'ok': True, 'latency': round(time.monotonic() - started, 3)}
    with sock:
        if page_timeout is not None:
            try:
                result.update(read_page(sock, address, path, page_timeout))
            except (OSError, ValueError) as exc:
                result['page_error'] = f'{type(exc).__name__}: {exc}'[:ERROR_CHARS]
    return result


class GuestProber:
    """One tick = every guest probed once, in parallel, and one sample."""

    def __init__(self, targets_path, interval=0.2, connect_timeout=CONNECT_TIMEOUT, page_timeout=1.0,
                 page_every=5, port=PORT, path='/'):
        self.targets_path = targets_path
        self.interval = interval
        self.connect_timeout = connect_timeout
        self.page_timeout = page_timeout
        self.page_every = page_every
        self.port = port
        self.path = path
        self._lock = threading.Lock()
        self._guests = load_targets(targets_path)   # a bad file at start is an error
        self._targets_key = self._file_key()
        # A page tick may outlast the interval: ticks overlap, as many as fit.
        self.ticks_in_flight = math.ceil((self.connect_timeout + page_timeout) / interval) + 1
        self._probes = concurrent.futures.ThreadPoolExecutor(
            max_workers=MAX_PROBES_IN_FLIGHT, thread_name_prefix='probe')

    def _file_key(self):
        # Inode too: Ansible's copy replaces the file, maybe within one mtime tick.
        stat = os.stat(self.targets_path)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def guests(self):
        """The targets, read again when the file changed; a file that does
        not parse (being written) keeps the last good list."""
        with self._lock:
            try:
                key = self._file_key()
                if key != self._targets_key:
                    self._targets_key = key
                    self._guests = load_targets(self.targets_path)
                    print(f'guest prober: {len(self._guests)} guests from {self.targets_path}', file=sys.stderr)
            except (OSError, ValueError) as exc:
                print(f'guest prober: keeping {len(self._guests)} guests: {exc}', file=sys.stderr)
            return dict(self._guests)

    def tick(self, number=0):
        """One sample, {ts, time, interval, guests: {server id: {name, probe
        (tcp or page), ok, latency, error when not ok, and on a page tick
        boot_id, uptime, hostname or page_error}}}. Tick `number` reads the
        pages when it is a multiple of page_every."""
        ts = time.time()
        started = time.monotonic()
        page = number % self.page_every == 0
        guests = self.guests()
        futures = {guest_id: self._probes.submit(
            probe_guest, guest['address'], self.port, self.connect_timeout,
            self.page_timeout if page else None, self.path) for guest_id, guest in guests.items()}
        # Each probe bounds itself by its socket timeouts; this deadline only
        # guards against a probe that waited for a thread.
        deadline = started + self.connect_timeout + (self.page_timeout if page else 0.0) + 1.0
        results = {}
        for guest_id, future in futures.items():
            try:
                result = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except concurrent.futures.TimeoutError:
                result = {'ok': False, 'latency': round(time.monotonic() - started, 3),
                          'error': 'TimeoutError: the probe did not run in time'}
            results[guest_id] = dict(result, name=guests[guest_id]['name'], probe='page' if page else 'tcp')
        return {'ts': round(ts, 3), 'time': iso(ts), 'interval': self.interval, 'guests': results}

    def close(self):
        self._probes.shutdown(wait=False, cancel_futures=True)


def probe(prober, samples_path, stop, duration=None):
    """Tick every prober.interval seconds until `stop` is set or `duration`
    has passed; append each sample to samples_path; return this run's samples.

    Ticks start on a fixed cadence even while an earlier one waits on a slow
    page, so a gap is sampled as often as normal time.
    """
    samples, write_lock = [], threading.Lock()

    with open(samples_path, 'a', encoding='utf-8') as out:
        def tick_and_write(number):
            try:
                sample = prober.tick(number)
            except Exception as exc:  # noqa: BLE001 - a bug must not silently stop the sampling
                print(f'guest prober: tick failed: {type(exc).__name__}: {exc}', file=sys.stderr)
                return
            with write_lock:
                out.write(json.dumps(sample, sort_keys=True) + '\n')
                out.flush()
                samples.append(sample)

        ticks = concurrent.futures.ThreadPoolExecutor(
            max_workers=prober.ticks_in_flight, thread_name_prefix='tick')
        started, count = time.monotonic(), 0
        try:
            while not stop.is_set():
                if duration is not None and time.monotonic() - started >= duration:
                    break
                ticks.submit(tick_and_write, count)
                count += 1
                # Skip slots missed (e.g. the machine stalled) rather than burst.
                count = max(count, int((time.monotonic() - started) / prober.interval))
                stop.wait(max(0.0, started + count * prober.interval - time.monotonic()))
        finally:
            ticks.shutdown(wait=True)
            prober.close()
    samples.sort(key=lambda s: s['ts'])
    return samples


# --- command line -----------------------------------------------------------------

def _write_json(path, data):
    with open(path, 'w', encoding='utf-8') as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write('\n')


def cmd_run(args):
    prober = GuestProber(args.targets, interval=args.interval, connect_timeout=args.timeout,
                         page_timeout=args.page_timeout, page_every=args.page_every,
                         port=args.port, path=args.path)
    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()
        # A second Ctrl-C should kill at once.
        signal.signal(signum, signal.SIG_DFL)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f'guest prober: probing {len(prober.guests())} guests every {args.interval:.2f} s '
          f'(TCP within {prober.connect_timeout:.2f} s, the page every {args.page_every} ticks) '
          f'into {args.samples}', file=sys.stderr)
    summary = summarize(probe(prober, args.samples, stop, duration=args.duration))
    if args.summary:
        _write_json(args.summary, summary)
    print(markdown(summary))
    return 0


def cmd_summarize(args):
    migrations = load_migrations(args.migrations) if args.migrations else []
    if args.api_samples:
        migrations += migration_windows(load_samples(args.api_samples))
    since = parse_time(args.since) if args.since else None
    until = parse_time(args.until) if args.until else None
    summary = summarize(load_samples(args.samples, since, until), migrations, margin=args.margin)
    judging = (args.max_gap is not None or args.max_migration_gap is not None
               or args.median_migration_gap is not None or args.forbid_reboots)
    if judging:
        summary['target'] = {
            'max_gap': args.max_gap, 'max_migration_gap': args.max_migration_gap,
            'median_migration_gap': args.median_migration_gap, 'forbid_reboots': args.forbid_reboots,
            'misses': judge(summary, args.max_migration_gap, args.median_migration_gap, args.forbid_reboots,
                            args.max_gap)}
    if args.json:
        _write_json(args.json, summary)
    print(markdown(summary))
    if not judging:
        return 0
    misses = summary['target']['misses']
    print(f"\nGuest targets: {'; '.join(misses) or 'met'}.")
    if misses:
        print('guest prober: missed: ' + '; '.join(misses), file=sys.stderr)
        return 1
    return 0


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    commands = parser.add_subparsers(dest='command', required=True)

    run = commands.add_parser('run', help='probe the guests')
    run.add_argument('--targets', required=True, help='JSON: {"guests": [{"id", "name", "address"}]}, '
                     'read again when it changes')
    run.add_argument('--samples', required=True, help='JSON-lines file to append to')
    run.add_argument('--summary', help='write the summary JSON here at the end')
    run.add_argument('--interval', type=float, default=0.2, help='seconds between ticks (default 0.2: 5 Hz)')
    # Half the interval: one connect per guest in flight, its verdict in
    # before the next tick; far under the kernel's first SYN retransmission
    # (1 s), so a lost SYN fails its tick rather than hide in a retry; and
    # tens of times what a guest on the tenant network needs to answer.
    run.add_argument('--timeout', type=float, default=CONNECT_TIMEOUT,
                     help='seconds for the TCP connect (default %(default)s)')
    run.add_argument('--page-timeout', type=float, default=1.0,
                     help='seconds to read the page once connected; it gives the boot id only (default 1)')
    run.add_argument('--page-every', type=int, default=5, help='read the page every Nth tick (default 5)')
    run.add_argument('--port', type=int, default=PORT)
    run.add_argument('--path', default='/', help="the page's path (default /)")
    run.add_argument('--duration', type=float, help='stop after this many seconds')
    run.set_defaults(func=cmd_run)

    summ = commands.add_parser('summarize', help='summarize a samples file, and judge it')
    summ.add_argument('--samples', required=True)
    summ.add_argument('--migrations', help='JSON list of migration windows {id, start, end, [name, source, target]}')
    summ.add_argument('--api-samples', help="lab/prober.py's samples: each instance's host changes are windows")
    summ.add_argument('--margin', type=float, default=0.0, metavar='SECONDS',
                      help='widen every window by this much on each side (clocks of two hosts)')
    summ.add_argument('--since', help='keep the samples from this time on (epoch or ISO-8601)')
    summ.add_argument('--until', help='keep the samples up to this time (epoch or ISO-8601)')
    summ.add_argument('--json', help='write the summary JSON here')
    summ.add_argument('--max-gap', type=float, metavar='SECONDS', help="any guest's longest gap, at most")
    summ.add_argument('--max-migration-gap', type=float, metavar='SECONDS',
                      help="any migration's gap, at most")
    summ.add_argument('--median-migration-gap', type=float, metavar='SECONDS',
                      help="the median of the migrations' gaps, at most")
    summ.add_argument('--forbid-reboots', action='store_true', help='a changed boot id misses')
    summ.set_defaults(func=cmd_summarize)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == 'run' and (args.interval <= 0 or args.page_every < 1):
        sys.exit('guest prober: --interval must be over 0 and --page-every at least 1')
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
