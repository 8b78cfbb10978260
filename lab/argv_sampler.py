#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""argv sampler: does any secret show on a command line?

Any user of a host may read every process's command line
(/proc/PID/cmdline), so a password given to a command as an argument is
given to all of them for as long as the command runs.

`run` reads the command line of every process --rate times a second (10
by default) until SIGTERM/SIGINT or --duration, and appends to --samples
(JSON lines, flushed as written) only what it has not seen yet: a "run"
record at its start, an "argv" record for each distinct command line, and
every --count-every seconds and at its end a "samples" record with the
number of samples taken so far. Command lines repeat; the counter says how
closely they were watched.

`check` reads the samples files of any number of hosts and runs, and a
secrets file (a JSON or YAML mapping of name to value) or a folder of
one file a secret (openstack_secrets_dir, as Ansible's password lookup
writes it), and reports each secret, by its NAME, found in a command line,
with the host, the command (argv[0]) and the samples taken there. It never
writes a secret's value: a value that shows in argv[0] is replaced by its
name. Secrets under --min-length characters (8) are left out, with a note:
they would match by chance. It exits 1 when it found a secret, or when a
host of --expect-host has no samples, 2 when no samples were read at all.

Stdlib only and one file: it is copied alone onto each host (YAML
secrets files are read with PyYAML where it is installed, else as flat
`name: value` lines). The samples files hold whatever the command lines
held: keep them as the secrets are kept.
"""
import argparse
import datetime
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse

MIN_LENGTH = 8
# The options Ansible's password lookup may write after the password.
LOOKUP_OPTIONS = (' salt=', ' ident=')


# --- run -------------------------------------------------------------------------

def parse_cmdline(raw):
    """/proc/PID/cmdline's bytes -> its arguments ([] for a kernel thread)."""
    if not raw:
        return []
    return [part.decode('utf-8', 'backslashreplace') for part in raw.rstrip(b'\0').split(b'\0')]


def read_cmdlines(proc='/proc', skip=()):
    """{pid: argv} of every process now, but those in skip; a process gone
    while read is left out."""
    found = {}
    try:
        entries = os.listdir(proc)
    except OSError:
        return found
    for name in entries:
        if not name.isdigit() or int(name) in skip:
            continue
        try:
            with open(os.path.join(proc, name, 'cmdline'), 'rb') as handle:
                argv = parse_cmdline(handle.read())
        except OSError:
            continue
        if argv:
            found[int(name)] = argv
    return found


class Sampler:
    """What a run has seen: the distinct command lines and the samples taken."""

    def __init__(self, host, run_id):
        self.host = host
        self.run_id = run_id
        self.seen = set()
        self.samples = 0

    def take(self, cmdlines, now):
        """One sample ({pid: argv}) -> the records of the command lines not
        seen before in this run."""
        self.samples += 1
        records = []
        for pid, argv in sorted(cmdlines.items()):
            key = tuple(argv)
            if key in self.seen:
                continue
            self.seen.add(key)
            records.append({'kind': 'argv', 'host': self.host, 'run': self.run_id, 'ts': round(now, 3),
                            'pid': pid, 'argv': argv})
        return records

    def count(self, now):
        return {'kind': 'samples', 'host': self.host, 'run': self.run_id, 'ts': round(now, 3), 'samples': self.samples}


def sample(sampler, out, stop, rate, duration=None, count_every=10.0, proc='/proc', clock=time.time):
    """Sample rate times a second until stop is set or duration has passed,
    writing each record to out as a JSON line, flushed."""
    def write(record):
        out.write(json.dumps(record, sort_keys=True) + '\n')
        out.flush()

    interval = 1.0 / rate
    started = time.monotonic()
    counted = started
    own = {os.getpid()}
    ticks = 0
    while not stop.is_set():
        if duration is not None and time.monotonic() - started >= duration:
            break
        for record in sampler.take(read_cmdlines(proc, own), clock()):
            write(record)
        if time.monotonic() - counted >= count_every:
            write(sampler.count(clock()))
            counted = time.monotonic()
        ticks += 1
        # Skip the slots a stalled host missed rather than burst.
        ticks = max(ticks, int((time.monotonic() - started) / interval))
        stop.wait(max(0.0, started + ticks * interval - time.monotonic()))
    write(sampler.count(clock()))


def cmd_run(args):
    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()
        signal.signal(signum, signal.SIG_DFL)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    now = time.time()
    sampler = Sampler(args.host, '%s-%d-%d' % (args.host, int(now), os.getpid()))
    # The samples may hold what the command lines held: root's only.
    descriptor = os.open(args.samples, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, 'a', encoding='utf-8') as out:
        out.write(json.dumps({'kind': 'run', 'host': args.host, 'run': sampler.run_id, 'ts': round(now, 3),
                              'rate': args.rate}, sort_keys=True) + '\n')
        out.flush()
        print('argv sampler: %d samples a second into %s' % (args.rate, args.samples), file=sys.stderr)
        sample(sampler, out, stop, args.rate, args.duration, args.count_every, args.proc)
    print('argv sampler: %d samples, %d distinct command lines' % (sampler.samples, len(sampler.seen)),
          file=sys.stderr)
    return 0


# --- check (pure but for the reading of files) ----------------------------------------

def load_records(paths):
    """The records of the samples files; a torn last line (a killed sampler) is skipped."""
    records = []
    for path in paths:
        with open(path, encoding='utf-8') as stream:
            for line in stream:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get('kind') in ('run', 'argv', 'samples'):
                    records.append(record)
    return records


def sample_counts(records):
    """{host: samples taken there}: each run's last count, summed over its runs."""
    runs = {}
    for record in records:
        if record['kind'] == 'samples':
            key = (record['host'], record['run'])
            runs[key] = max(runs.get(key, 0), record['samples'])
        elif record['kind'] == 'run':
            runs.setdefault((record['host'], record['run']), 0)
    counts = {}
    for host_run, count in sorted(runs.items()):
        counts[host_run[0]] = counts.get(host_run[0], 0) + count
    return dict(sorted(counts.items()))


def password_file_value(text):
    """A secret as Ansible's password lookup writes its file: the password,
    maybe followed by ' salt=...' or ' ident=...'."""
    value = text.rstrip('\n')
    if '\n' not in value:
        for option in LOOKUP_OPTIONS:
            value = value.split(option)[0]
    return value


def parse_flat_yaml(text):
    """{name: value} of `name: value` lines (a value maybe quoted), for a
    host without PyYAML; other lines are left out."""
    found = {}
    for line in text.splitlines():
        name, sep, value = line.partition(':')
        if not sep or line[:1] in ' #-' or not name.strip():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("''", "'")
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = json.loads(value)
        found[name.strip()] = value
    return found


def load_secrets(path):
    """{name: value} from a folder of one file a secret (its name the
    file's; public keys and hidden files left out), or a JSON or YAML
    mapping. A value that is no text (a number, a list) is left out."""
    if os.path.isdir(path):
        found = {}
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            if name.startswith('.') or name.endswith('.pub') or not os.path.isfile(full):
                continue
            with open(full, encoding='utf-8', errors='replace') as handle:
                found[name] = password_file_value(handle.read())
        return found
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    try:
        data = json.loads(text)
    except ValueError:
        try:
            import yaml  # pylint: disable=import-outside-toplevel
        except ImportError:
            data = parse_flat_yaml(text)
        else:
            data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError('%s holds no mapping of secret names to values' % path)
    return {str(name): value for name, value in data.items() if isinstance(value, str)}


def needles(value):
    """What of a secret is looked for: the value, and its URL-quoted form
    (a password in a transport_url); of a key file, each line of its body."""
    if '\n' in value.strip():
        lines = [line.strip() for line in value.splitlines()]
        return [line for line in lines if line and not line.startswith('-----')]
    return list(dict.fromkeys([value, urllib.parse.quote(value, safe='')]))


def split_secrets(secrets, min_length=MIN_LENGTH):
    """({name: needles} to look for, [names too short to look for])."""
    checked, short = {}, []
    for name, value in sorted(secrets.items()):
        found = [needle for needle in needles(value) if len(needle) >= min_length]
        if found:
            checked[name] = found
        else:
            short.append(name)
    return checked, short


def redact(text, secrets):
    """text with each secret's needles ({name: needles}) replaced by <name>,
    the longest first."""
    pairs = sorted(((needle, name) for name, values in secrets.items() for needle in values if needle),
                   key=lambda pair: len(pair[0]), reverse=True)
    for needle, name in pairs:
        text = text.replace(needle, '<%s>' % name)
    return text


def find_secrets(records, secrets, hidden=None):
    """[{name, host, command, pid, ts}] of each secret ({name: needles}) in a
    command line of the argv records, once per secret, host and command.
    The host and the command (argv[0]) have every secret of hidden ({name:
    needles}, by default those looked for) replaced by its name."""
    hidden = secrets if hidden is None else hidden
    findings = {}
    for record in records:
        if record['kind'] != 'argv':
            continue
        line = ' '.join(record['argv'])
        for name, values in secrets.items():
            if not any(needle in line for needle in values):
                continue
            command = redact(record['argv'][0], hidden)
            host = redact(record['host'], hidden)
            key = (name, host, command)
            if key not in findings or record['ts'] < findings[key]['ts']:
                findings[key] = {'name': name, 'host': host, 'command': command,
                                 'pid': record['pid'], 'ts': record['ts']}
    return sorted(findings.values(), key=lambda finding: (finding['host'], finding['name'], finding['ts']))


def _time(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat(timespec='seconds')


def report(records, secrets, min_length=MIN_LENGTH, hosts=()):
    """(exit code, lines): what `check` says, naming secrets, never their values."""
    counts = sample_counts(records)
    checked, short = split_secrets(secrets, min_length)
    # What is printed hides every secret, the short ones too.
    hidden = {name: needles(value) for name, value in secrets.items()}
    findings = find_secrets(records, checked, hidden)
    distinct = sum(1 for record in records if record['kind'] == 'argv')
    lines = ['note: %s under %d characters, not looked for (they would match by chance)' % (name, min_length)
             for name in short]
    shown = {host: redact(host, hidden) for host in counts}
    taken = {shown[host]: count for host, count in counts.items()}
    lines += ['%s: secret %s in the command line of %s (pid %d, from %s; %d samples taken there)'
              % (f['host'], f['name'], f['command'], f['pid'], _time(f['ts']), taken.get(f['host'], 0))
              for f in findings]
    missing = [host for host in hosts or () if not counts.get(host)]
    lines += ['%s: no samples' % host for host in missing]
    total = sum(counts.values())
    lines.append('argv sampler: %d samples on %d hosts (%s), %d distinct command lines, %d secrets looked for: %s'
                 % (total, len(counts), ', '.join('%s %d' % item for item in taken.items()) or 'none', distinct,
                    len(checked), '%d found' % len(findings) if findings else 'none found'))
    if not total:
        return 2, lines
    return (1 if findings or missing else 0), lines


def cmd_check(args):
    code, lines = report(load_records(args.samples), load_secrets(args.secrets), args.min_length, args.expect_host)
    print('\n'.join(lines))
    return code


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    commands = parser.add_subparsers(dest='command', required=True)

    run = commands.add_parser('run', help='sample the command lines of every process')
    run.add_argument('--samples', required=True, help='JSON-lines file to append to (made 0600)')
    run.add_argument('--rate', type=float, default=10.0, help='samples a second (default 10)')
    run.add_argument('--duration', type=float, help='stop after this many seconds')
    run.add_argument('--count-every', type=float, default=10.0,
                     help='write the count of samples every this many seconds (default 10)')
    run.add_argument('--host', default=socket.gethostname(), help="the host's name in the records (default its own)")
    run.add_argument('--proc', default='/proc', help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    check = commands.add_parser('check', help='look for secrets in the command lines sampled')
    check.add_argument('--secrets', required=True,
                       help='a folder of one file a secret (openstack_secrets_dir), or a JSON or YAML mapping')
    check.add_argument('--min-length', type=int, default=MIN_LENGTH,
                       help='leave out shorter secrets (default %(default)s)')
    check.add_argument('--expect-host', action='append', default=[], metavar='HOST',
                       help='a host that must have samples (repeat for each)')
    check.add_argument('samples', nargs='*', help='samples files')
    check.set_defaults(func=cmd_check)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == 'run' and args.rate <= 0:
        sys.exit('argv sampler: --rate must be over 0')
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
