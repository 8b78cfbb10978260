#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Availability prober for rolling upgrades: API services and instances.

`run` calls identity, compute, image, network and placement with real,
authenticated requests every --interval seconds (in parallel, so one slow
service does not delay the others), checks the tracked instances' states, and
appends one JSON line per tick to --samples (flushed, so a killed prober still
leaves usable data). It stops on SIGTERM/SIGINT or after --duration, then
writes --summary and prints a Markdown table.

`summarize` turns a samples file into the same summary, overall and per
window (--window NAME=START,END, or the `timeline` of an upgrade report),
and with --min-availability judges the upgrade's target over every sample:
that availability, and no service out for longer than --max-outage.
The summary functions are pure (lists of sample dicts in, dicts out) so that
bench/ can import them and tests need no cloud.

The cloud comes from OS_CLOUD / OS_CLIENT_CONFIG_FILE, or --cloud NAME.
"""
import argparse
import concurrent.futures
import datetime
import itertools
import json
import math
import signal
import statistics
import sys
import threading
import time

SERVICES = ('identity', 'compute', 'image', 'network', 'placement')
# A live migration keeps the guest running, so MIGRATING counts as up.
UP_STATUSES = ('ACTIVE', 'MIGRATING')
POWER_RUNNING = 1
ERROR_CHARS = 300


# --- time -------------------------------------------------------------------

def parse_time(value):
    """Epoch seconds from an epoch number/string or an ISO-8601 string.

    Naive ISO times are taken as UTC: Ansible and our reports write UTC.
    """
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
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat(
        timespec='milliseconds')


# --- windows ----------------------------------------------------------------

def parse_window(text):
    """NAME=START,END (either bound may be empty: open) -> (name, start, end)."""
    name, sep, bounds = text.partition('=')
    start, comma, end = bounds.partition(',')
    if not sep or not comma or not name:
        raise ValueError(f'a window is NAME=START,END, not {text!r}')
    return (name, parse_time(start) if start.strip() else None,
            parse_time(end) if end.strip() else None)


def windows_from_report(report):
    """Windows from an upgrade report: every `timeline` entry, named by its
    `phase`, running until the next phase starts, so that the seconds between
    two steps (the playbook moving on) count in the phase before them. The
    last phase ends with its entry; one still running has no end."""
    timeline = report.get('timeline', [])
    windows = []
    for entry, following in zip(timeline, timeline[1:] + [None]):
        end = following['start'] if following else entry.get('end')
        windows.append((entry['phase'], parse_time(entry['start']), parse_time(end) if end else None))
    return windows


# --- summary (pure) -----------------------------------------------------------

def load_samples(path):
    """Samples from a JSON-lines file; a torn last line (killed prober) is skipped."""
    samples = []
    with open(path, encoding='utf-8') as stream:
        for line in stream:
            try:
                samples.append(json.loads(line))
            except ValueError:
                continue
    return samples


def tick_interval(samples):
    """Seconds one tick stands for: the recorded interval, else the median gap."""
    recorded = [s['interval'] for s in samples if s.get('interval')]
    if recorded:
        return statistics.median(recorded)
    gaps = [b['ts'] - a['ts'] for a, b in itertools.pairwise(samples) if b['ts'] > a['ts']]
    return statistics.median(gaps) if gaps else 1.0


def bad_runs(points, interval, end=None):
    """(start, end) of each run of consecutive bad points in [(ts, bad), ...].

    A run lasts from its first bad tick to the next good one; a run still
    going at the last point is given one more interval (a single bad tick is
    one tick of outage), cut at `end` if given.
    """
    runs, started, last_bad = [], None, None
    for ts, bad in points:
        if bad:
            if started is None:
                started = ts
            last_bad = ts
        elif started is not None:
            runs.append((started, ts))
            started = None
    if started is not None:
        closed = last_bad + interval
        runs.append((started, min(closed, end) if end is not None else closed))
    return runs


def _figures(calls, failures, runs):
    return {
        'calls': calls,
        'failures': failures,
        'availability': round(100.0 * (calls - failures) / calls, 3) if calls else None,
        'longest_failure_s': round(max((b - a for a, b in runs), default=0.0), 3),
    }


def _availability(points, interval, end):
    """Figures for one service from its [(ts, failed), ...]."""
    return _figures(len(points), sum(1 for _, bad in points if bad),
                    bad_runs(points, interval, end))


def _instances(samples, interval, end):
    """Down intervals per instance. An `unknown` tick (the compute call failed)
    closes a down interval instead of extending it: we do not know, so we do
    not count it as down."""
    names, points, last_known = {}, {}, {}
    for sample in samples:
        for server_id, entry in sample.get('instances', {}).items():
            if entry.get('name') is not None:
                names[server_id] = entry['name']
            state = entry.get('state')
            points.setdefault(server_id, []).append((sample['ts'], state == 'down'))
            if state in ('up', 'down'):
                last_known[server_id] = entry
    down, total = {}, 0.0
    for server_id, series in points.items():
        runs = bad_runs(series, interval, end)
        if runs:
            seconds = sum(b - a for a, b in runs)
            total += seconds
            down[server_id] = {
                'name': names.get(server_id),
                'seconds': round(seconds, 3),
                'intervals': [{'start': iso(a), 'end': iso(b), 'seconds': round(b - a, 3)}
                              for a, b in runs],
            }
    lost = [{'id': server_id, 'name': names.get(server_id)}
            for server_id, entry in sorted(last_known.items()) if entry.get('absent')]
    return {
        'tracked': len(points),
        'ever_down': len(down),
        'down_seconds': round(total, 3),
        'lost': lost,
        'down': down,
    }


def window_summary(samples, start=None, end=None):
    """Services and instances over the samples with start <= ts < end."""
    chosen = sorted((s for s in samples
                     if (start is None or s['ts'] >= start) and (end is None or s['ts'] < end)),
                    key=lambda s: s['ts'])
    interval = tick_interval(chosen or samples)
    names = sorted({name for s in chosen for name in s.get('services', {})},
                   key=lambda n: (SERVICES.index(n) if n in SERVICES else len(SERVICES), n))
    services = {}
    for name in names:
        points = [(s['ts'], not s['services'][name]['ok'])
                  for s in chosen if name in s.get('services', {})]
        services[name] = _availability(points, interval, end)
    # Total: every call counts; its longest failure is the longest run of
    # ticks in which at least one service failed.
    total = _figures(
        sum(v['calls'] for v in services.values()),
        sum(v['failures'] for v in services.values()),
        bad_runs([(s['ts'], not all(r['ok'] for r in s.get('services', {}).values()))
                  for s in chosen], interval, end))
    return {
        'start': iso(start if start is not None else (chosen[0]['ts'] if chosen else None)),
        'end': iso(end if end is not None else (chosen[-1]['ts'] if chosen else None)),
        'samples': len(chosen),
        'services': services,
        'total': total,
        'instances': _instances(chosen, interval, end),
    }


def summarize(samples, windows=()):
    """The whole summary: overall, then one entry per (name, start, end) window."""
    overall = dict(name='overall', **window_summary(samples))
    return {
        'overall': overall,
        'windows': [dict(name=name, **window_summary(samples, start, end))
                    for name, start, end in windows],
    }


def judge(summary, min_availability, max_outage):
    """What misses the upgrade's target, judged over every sample (the
    whole upgrade): all calls answered at least `min_availability` %, and
    no service's longest outage above `max_outage` seconds, named with the
    window (phase) it was longest in. An empty list: the target is met."""
    overall, misses = summary['overall'], []
    total = overall['total']['availability']
    if total is None or total < min_availability:
        shown = '-' if total is None else f'{total:.3f}'
        misses.append(f'availability {shown} % is below {min_availability} %')
    for name, figures in overall['services'].items():
        longest = figures['longest_failure_s']
        if longest > max_outage:
            where = max(summary['windows'], default=None,
                        key=lambda w: w['services'].get(name, {}).get('longest_failure_s', 0.0))
            if where and not where['services'].get(name, {}).get('longest_failure_s'):
                where = None  # before the first phase: no phase to name
            misses.append(f"{name} was out for {longest:.1f} s at once, over {max_outage} s"
                          + (f" (in {where['name']})" if where else ''))
    return misses


def _cell(figures):
    if figures['availability'] is None:
        return '-'
    if not figures['failures']:
        return f"{figures['availability']:.3f}"
    return (f"{figures['availability']:.3f} ({figures['failures']} fail, "
            f"{figures['longest_failure_s']:.1f} s)")


def markdown(summary):
    """A short Markdown table: availability % per service (failures and the
    longest failure run when any), and the instances' downtime."""
    scopes = [summary['overall']] + summary['windows']
    names = list(SERVICES) + sorted({n for s in scopes for n in s['services']} - set(SERVICES))
    lines = [f"| scope | from | to | {' | '.join(names)} | total | instances |",
             '|' + ' --- |' * (len(names) + 5)]
    for scope in scopes:
        inst = scope['instances']
        cells = [_cell(scope['services'][n]) if n in scope['services'] else '-' for n in names]
        # HH:MM:SS of the ISO times: a window rarely spans days.
        start, end = (scope['start'] or '-')[11:19], (scope['end'] or '-')[11:19]
        lines.append(
            f"| {scope['name']} | {start} | {end} | {' | '.join(cells)} | {_cell(scope['total'])} "
            f"| {inst['tracked']} tracked, {inst['ever_down']} down {inst['down_seconds']:.1f} s, "
            f"{len(inst['lost'])} lost |")
    return '\n'.join(lines)


# --- probing (I/O) --------------------------------------------------------------

def instance_state(server):
    """up / down for one server of the compute listing."""
    up = (server.get('status') in UP_STATUSES
          and server.get('OS-EXT-STS:power_state') == POWER_RUNNING)
    return 'up' if up else 'down'


class Prober:
    """One tick = every service called once, in parallel, and one sample."""

    def __init__(self, conn, timeout=10.0, servers_prefix=None, interval=1.0):
        from keystoneauth1 import loading
        from keystoneauth1 import session as ks_session

        self.conn = conn
        self.timeout = timeout
        self.interval = interval
        self.servers_prefix = servers_prefix
        self.tracked = {}          # id -> name, kept once seen: a vanished one is down
        self._tracked_set = False  # without a prefix: fixed at the first good listing
        self._lock = threading.Lock()
        # A fresh auth plugin per tick makes keystone issue a token each time;
        # a plain session (no auth of its own) carries it, and keeps the
        # version discovery cached so each tick is one POST /v3/auth/tokens.
        self._auth_loader = loading.get_plugin_loader(conn.config.config['auth_type'])
        self._auth_options = dict(conn.config.config['auth'])
        self._identity_session = ks_session.Session(
            verify=conn.session.verify, cert=conn.session.cert, timeout=timeout)
        # Ticks may overlap when a service hangs; room for all their calls.
        self.ticks_in_flight = math.ceil((timeout + 1) / interval) + 1
        self._calls = concurrent.futures.ThreadPoolExecutor(
            max_workers=len(SERVICES) * self.ticks_in_flight, thread_name_prefix='call')

    # Each check returns (status or None when the client gives none, payload).
    def _identity(self):
        plugin = self._auth_loader.load_from_options(**self._auth_options)
        plugin.get_token(self._identity_session)
        return None, None

    def _get(self, proxy, url):
        # No connect retry: a retried call would hide the very outage we measure.
        response = proxy.get(url, raise_exc=False, timeout=self.timeout,
                             connect_retries=0, skip_cache=True)
        return response.status_code, response

    def _compute(self):
        servers, url = [], '/servers/detail?all_tenants=1'
        while url:
            status, response = self._get(self.conn.compute, url)
            if not 200 <= status < 300:
                return status, response
            body = response.json()
            servers.extend(body.get('servers', []))
            url = next((link['href'] for link in body.get('servers_links', [])
                        if link.get('rel') == 'next'), None)
        return status, servers

    def _checks(self):
        # The proxies' endpoints are already versioned by discovery
        # (image .../v2, network .../v2.0), so the paths are relative to them.
        return {
            'identity': self._identity,
            'compute': self._compute,
            'image': lambda: self._get(self.conn.image, '/images?limit=1'),
            'network': lambda: self._get(self.conn.network, '/networks?limit=1'),
            'placement': lambda: self._get(self.conn.placement, '/resource_providers'),
        }

    def _timed(self, check):
        started = time.monotonic()
        try:
            status, payload = check()
        except Exception as exc:  # noqa: BLE001 - any failure is data, not a crash
            return {'ok': False, 'latency': round(time.monotonic() - started, 3),
                    'status': getattr(exc, 'http_status', None),
                    'error': f'{type(exc).__name__}: {exc}'[:ERROR_CHARS]}, None
        latency = round(time.monotonic() - started, 3)
        result = {'ok': status is None or 200 <= status < 300, 'latency': latency,
                  'status': status}
        if not result['ok']:
            result['error'] = f'HTTP {status}: {payload.text.strip()}'[:ERROR_CHARS]
            payload = None
        elif latency > self.timeout:
            result.update(ok=False, error=f'answered in {latency:.3f} s, '
                          f'over the {self.timeout:.1f} s timeout')
        return result, payload

    def _instances(self, servers):
        """States of the tracked instances; None servers = the listing failed."""
        with self._lock:
            if servers is not None:
                for server in servers:
                    name = server.get('name') or ''
                    if (self.servers_prefix is not None and name.startswith(self.servers_prefix)
                            or self.servers_prefix is None and not self._tracked_set):
                        self.tracked[server['id']] = name
                self._tracked_set = True
            tracked = dict(self.tracked)
        if servers is None:
            return {sid: {'name': name, 'state': 'unknown'} for sid, name in tracked.items()}
        listed = {server['id']: server for server in servers}
        states = {}
        for sid, name in tracked.items():
            server = listed.get(sid)
            if server is None:
                states[sid] = {'name': name, 'state': 'down', 'absent': True}
            else:
                states[sid] = {'name': server.get('name'), 'state': instance_state(server),
                               'status': server.get('status'),
                               'power_state': server.get('OS-EXT-STS:power_state'),
                               'host': server.get('OS-EXT-SRV-ATTR:host')}
        return states

    def tick(self):
        """One sample: every service in parallel, each bounded by the timeout."""
        ts = time.time()
        started = time.monotonic()
        futures = {name: self._calls.submit(self._timed, check)
                   for name, check in self._checks().items()}
        # A hard deadline so a call stuck past its socket timeouts still
        # yields a sample; the stray thread ends on its own.
        deadline = started + self.timeout + 0.5
        services, servers = {}, None
        for name, future in futures.items():
            try:
                result, payload = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except concurrent.futures.TimeoutError:
                result, payload = {'ok': False, 'latency': round(time.monotonic() - started, 3),
                                   'status': None, 'error': 'TimeoutError: no answer within '
                                   f'{self.timeout:.1f} s'}, None
            services[name] = result
            if name == 'compute' and result['ok']:
                servers = payload
        return {'ts': round(ts, 3), 'time': iso(ts), 'interval': self.interval,
                'services': services, 'instances': self._instances(servers)}

    def close(self):
        self._calls.shutdown(wait=False, cancel_futures=True)


def probe(prober, samples_path, stop, duration=None):
    """Tick every prober.interval seconds until `stop` is set or `duration`
    has passed; append each sample to samples_path; return this run's samples.

    Ticks start on a fixed cadence even while an earlier one waits on a slow
    service, so an outage is sampled as often as normal time.
    """
    samples, write_lock = [], threading.Lock()

    with open(samples_path, 'a', encoding='utf-8') as out:
        def tick_and_write():
            try:
                sample = prober.tick()
            except Exception as exc:  # noqa: BLE001 - a bug must not silently stop the sampling
                print(f'prober: tick failed: {type(exc).__name__}: {exc}', file=sys.stderr)
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
                ticks.submit(tick_and_write)
                count += 1
                # Skip slots missed (e.g. the machine stalled) rather than burst.
                count = max(count, int((time.monotonic() - started) / prober.interval))
                stop.wait(max(0.0, started + count * prober.interval - time.monotonic()))
        finally:
            ticks.shutdown(wait=True)
            prober.close()
    samples.sort(key=lambda s: s['ts'])
    return samples


# --- command line -----------------------------------------------------------

def _write_json(path, data):
    with open(path, 'w', encoding='utf-8') as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write('\n')


def cmd_run(args):
    import openstack

    conn = openstack.connect(cloud=args.cloud)
    prober = Prober(conn, timeout=args.timeout, servers_prefix=args.servers_prefix,
                    interval=args.interval)
    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()
        # A second Ctrl-C should kill at once.
        signal.signal(signum, signal.SIG_DFL)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f'prober: sampling every {args.interval:.1f} s into {args.samples}', file=sys.stderr)
    samples = probe(prober, args.samples, stop, duration=args.duration)
    summary = summarize(samples)
    if args.summary:
        _write_json(args.summary, summary)
    print(markdown(summary))
    return 0


def cmd_summarize(args):
    windows = []
    if args.report:
        with open(args.report, encoding='utf-8') as stream:
            windows.extend(windows_from_report(json.load(stream)))
    windows.extend(args.window)
    summary = summarize(load_samples(args.samples), windows)
    if args.min_availability is not None:
        summary['target'] = {'min_availability': args.min_availability, 'max_outage': args.max_outage,
                             'misses': judge(summary, args.min_availability, args.max_outage)}
    if args.json:
        _write_json(args.json, summary)
    print(markdown(summary))
    if 'target' in summary:
        print(f"\nTarget over the whole upgrade (>= {args.min_availability} %, no outage over "
              f"{args.max_outage} s): {'; '.join(summary['target']['misses']) or 'met'}.")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    commands = parser.add_subparsers(dest='command', required=True)

    run = commands.add_parser('run', help='probe the cloud (the default command)')
    run.add_argument('--samples', required=True, help='JSON-lines file to append to')
    run.add_argument('--summary', help='write the summary JSON here at the end')
    run.add_argument('--interval', type=float, default=1.0, help='seconds between ticks')
    # A client waits this long for an answer: a slower one counts as down,
    # a faster one as up, its latency recorded.
    run.add_argument('--timeout', type=float, default=10.0, help='seconds per call')
    run.add_argument('--duration', type=float, help='stop after this many seconds')
    run.add_argument('--servers-prefix', help='track servers whose name starts with this '
                     '(default: all servers present at start)')
    run.add_argument('--cloud', help='clouds.yaml entry (default: OS_CLOUD)')
    run.set_defaults(func=cmd_run)

    summ = commands.add_parser('summarize', help='summarize a samples file')
    summ.add_argument('--samples', required=True)
    summ.add_argument('--window', action='append', default=[], type=_window_arg,
                      metavar='NAME=START,END', help='ISO-8601 or epoch; repeatable')
    summ.add_argument('--report', help="upgrade report JSON: its 'timeline' phases are windows")
    summ.add_argument('--json', help='write the summary JSON here')
    summ.add_argument('--min-availability', type=float, metavar='PERCENT',
                      help="judge the target over every sample, into the JSON's 'target': "
                      'the least availability of the calls')
    summ.add_argument('--max-outage', type=float, default=2.0, metavar='SECONDS',
                      help="with --min-availability: any service's longest outage, at most (default 2)")
    summ.set_defaults(func=cmd_summarize)
    return parser


def _window_arg(text):
    try:
        return parse_window(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    # `run` is the default: `prober.py --samples f` probes.
    if argv and argv[0] not in ('run', 'summarize', '-h', '--help'):
        argv.insert(0, 'run')
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
