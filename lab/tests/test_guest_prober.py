# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The guest prober: its summary on hand-built samples, and its run loop
against a real HTTP server on this machine's loopback."""
import http.server
import importlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

# lab/ is no package: put it on the path and import the script by name.
LAB = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(LAB))
guest_prober = importlib.import_module('guest_prober')

T0 = 1_700_000_000.0
STEP = 0.2


def tick(offset, guests):
    """One tick at T0 + offset; guests: {id: True/False/result dict}."""
    results = {}
    for guest_id, state in guests.items():
        result = state if isinstance(state, dict) else {'ok': state}
        results[guest_id] = dict({'name': f'vm-{guest_id}', 'probe': 'tcp'}, **result)
    return {'ts': T0 + offset, 'time': guest_prober.iso(T0 + offset), 'interval': STEP, 'guests': results}


def ticks(states, guest_id='a', boot_ids=None):
    """A tick every STEP seconds from a string: '.' answered, 'x' failed."""
    boot_ids = boot_ids or {}
    samples = []
    for i, state in enumerate(states):
        result = {'ok': state == '.'}
        if i in boot_ids:
            result.update(boot_id=boot_ids[i], probe='page')
        samples.append(tick(i * STEP, {guest_id: result}))
    return samples


def gap_tuples(states):
    found = guest_prober.gaps([(i * STEP, s == '.') for i, s in enumerate(states)])
    return [(round(g['start'] / STEP), round(g['end'] / STEP), g['seconds'], g['failures'],
             g['leading'], g['trailing']) for g in found]


# --- gaps -----------------------------------------------------------------------

@pytest.mark.parametrize('states, expected', [
    ('.....', []),
    # One failed tick: from the answer before to the answer after.
    ('..x..', [(1, 3, 0.4, 1, False, False)]),
    ('.xxx.', [(0, 4, 0.8, 3, False, False)]),
    ('.x.x.', [(0, 2, 0.4, 1, False, False), (2, 4, 0.4, 1, False, False)]),
    # Leading: no answer before, from the first failure.
    ('xx...', [(0, 2, 0.4, 2, True, False)]),
    # Trailing: no answer after, to the last failure.
    ('...xx', [(2, 4, 0.4, 2, False, True)]),
    ('..x', [(1, 2, 0.2, 1, False, True)]),
    ('xxx', [(0, 2, 0.4, 3, True, True)]),
    ('x', [(0, 0, 0.0, 1, True, True)]),
    ('', []),
])
def test_gaps(states, expected):
    assert gap_tuples(states) == expected


def test_guest_figures():
    summary = guest_prober.summarize(ticks('xx....x...xxx.'))
    guest = summary['guests']['a']
    assert (guest['samples'], guest['failures'], guest['availability']) == (14, 6, 57.143)
    assert guest['answered'] is True
    # The leading gap (not up yet) is listed but is not the longest gap.
    assert [(g['seconds'], g['leading']) for g in guest['gaps']] == [(0.4, True), (0.4, False), (0.8, False)]
    assert guest['longest_gap_s'] == 0.8
    assert guest['gaps'][2]['start'] == guest_prober.iso(T0 + 9 * STEP)
    assert summary['totals']['longest_gap_s'] == 0.8 and summary['totals']['longest_gap_guest'] == 'a'


def test_samples_out_of_order_are_sorted():
    samples = ticks('..xx..')
    summary = guest_prober.summarize([samples[i] for i in (0, 3, 5, 1, 2, 4)])
    assert summary['guests']['a']['longest_gap_s'] == 0.6


def test_guest_added_later_has_its_own_series():
    samples = [tick(i * STEP, {'a': True, **({'b': i != 4} if i >= 3 else {})}) for i in range(6)]
    guests = guest_prober.summarize(samples)['guests']
    assert guests['a']['samples'] == 6 and guests['b']['samples'] == 3
    assert guests['b']['longest_gap_s'] == 0.4


# --- boot ids -------------------------------------------------------------------

def test_boot_id_change_is_a_reboot():
    samples = ticks('..xxx...', boot_ids={0: 'one', 1: 'one', 6: 'two', 7: 'two'})
    guest = guest_prober.summarize(samples)['guests']['a']
    assert guest['reboots'] == [{'time': guest_prober.iso(T0 + 6 * STEP), 'old': 'one', 'new': 'two'}]
    assert guest['boot_id'] == 'two'


def test_boot_ids_change_twice_and_page_errors_are_no_change():
    points = [(0, {'boot_id': 'a'}), (1, {'page_error': 'TimeoutError'}), (2, {'boot_id': 'b'}),
              (3, {}), (4, {'boot_id': 'b'}), (5, {'boot_id': 'c'})]
    assert [(c['old'], c['new']) for c in guest_prober.boot_changes(points)] == [('a', 'b'), ('b', 'c')]


# --- migration windows ----------------------------------------------------------

def window(start, end, guest_id='a', source='cmp1', target='cmp2'):
    return {'id': guest_id, 'start': T0 + start * STEP, 'end': None if end is None else T0 + end * STEP,
            'source': source, 'target': target}


@pytest.mark.parametrize('states, start, end, gap', [
    # Inside the window.
    ('....xx....', 2, 8, 0.6),
    # No failure in the window: 0.
    ('....xx....', 7, 9, 0.0),
    # Spanning the window's start or its end: the whole gap is the move's.
    ('..xxxx....', 4, 8, 1.0),
    ('.....xxx..', 1, 6, 0.8),
    # Ending exactly where the window starts: the guest answered then.
    ('.xx.......', 3, 8, 0.0),
    # Two gaps in the window: the longest.
    ('..x..xxx..', 1, 9, 0.8),
    # A window still open at the end takes the trailing gap.
    ('.......xxx', 6, None, 0.6),
    # A leading gap (never up before) is no move's gap.
    ('xxx.......', 0, 5, 0.0),
])
def test_window_gap(states, start, end, gap):
    summary = guest_prober.summarize(ticks(states), [window(start, end)])
    assert summary['migrations'][0]['gap_s'] == gap


def test_window_margin_catches_a_gap_just_after():
    samples = ticks('......xx..')
    assert guest_prober.summarize(samples, [window(1, 5)])['migrations'][0]['gap_s'] == 0.0
    assert guest_prober.summarize(samples, [window(1, 5)], margin=0.3)['migrations'][0]['gap_s'] == 0.6


def test_window_of_an_unprobed_guest_is_none_and_not_in_the_aggregates():
    samples = ticks('..x.......')
    windows = [window(1, 4), window(5, 6), window(1, 4, guest_id='other'), window(100, 101)]
    summary = guest_prober.summarize(samples, windows)
    assert [w['gap_s'] for w in summary['migrations']] == [0.4, None, 0.0, None]
    assert summary['migrations'][1]['id'] == 'other'
    totals = summary['totals']
    assert (totals['migrations'], totals['migrations_probed']) == (4, 2)
    assert (totals['median_migration_gap_s'], totals['max_migration_gap_s']) == (0.2, 0.4)


def test_aggregates_over_guests():
    samples = [tick(i * STEP, {'a': i not in (2, 3), 'b': i != 6, 'c': True}) for i in range(10)]
    windows = [window(1, 4, 'a'), window(5, 8, 'b'), window(1, 9, 'c')]
    totals = guest_prober.summarize(samples, windows)['totals']
    assert totals['median_migration_gap_s'] == 0.4
    assert totals['max_migration_gap_s'] == 0.6
    assert totals['reboots'] == 0 and totals['guests'] == 3


def api(offset, **instances):
    """A lab/prober.py sample: instances as id=(status, host), or None for
    a failed listing (state unknown, no host)."""
    entries = {}
    for server_id, state in instances.items():
        if state is None:
            entries[server_id] = {'name': f'vm-{server_id}', 'state': 'unknown'}
        else:
            entries[server_id] = {'name': f'vm-{server_id}', 'state': 'up', 'status': state[0], 'power_state': 1,
                                  'host': state[1]}
    return {'ts': T0 + offset, 'services': {}, 'instances': entries}


def test_migration_windows_from_api_samples():
    samples = [
        api(0, v=('ACTIVE', 'cmp1'), w=('ACTIVE', 'cmp1')),
        api(1, v=('MIGRATING', 'cmp1'), w=('ACTIVE', 'cmp1')),
        # The listing failed: says nothing.
        api(2, v=None, w=None),
        # Moved between two ticks, no MIGRATING seen.
        api(3, v=('MIGRATING', 'cmp1'), w=('ACTIVE', 'cmp3')),
        api(4, v=('ACTIVE', 'cmp2'), w=('ACTIVE', 'cmp3')),
        api(5, v=('ACTIVE', 'cmp2'), w=('MIGRATING', 'cmp3')),
        # Aborted: back to ACTIVE where it was.
        api(6, v=('MIGRATING', 'cmp2'), w=('ACTIVE', 'cmp3')),
        # Still moving at the end: no end.
        api(7, v=('MIGRATING', 'cmp2'), w=('ACTIVE', 'cmp3')),
    ]
    got = [(w['id'], w['source'], w['target'], w['start'] - T0, None if w['end'] is None else w['end'] - T0)
           for w in guest_prober.migration_windows(samples)]
    assert got == [('v', 'cmp1', 'cmp2', 0, 4), ('w', 'cmp1', 'cmp3', 1, 3),
                   ('w', 'cmp3', None, 4, 6), ('v', 'cmp2', None, 5, None)]


def test_migration_window_opening_on_the_first_tick_and_a_cold_move():
    samples = [api(0, v=('MIGRATING', 'cmp1'), c=('ACTIVE', 'cmp1')),
               api(1, v=('ACTIVE', 'cmp2'), c=('RESIZE', 'cmp1')),
               api(2, v=('ACTIVE', 'cmp2'), c=('VERIFY_RESIZE', 'cmp2')),
               api(3, v=('ACTIVE', 'cmp2'), c=('ACTIVE', 'cmp2'))]
    got = [(w['id'], w['source'], w['target'], w['start'] - T0, w['end'] - T0)
           for w in guest_prober.migration_windows(samples)]
    # The cold move: from its last ACTIVE tick on the old host.
    assert got == [('c', 'cmp1', 'cmp2', 0, 3), ('v', 'cmp1', 'cmp2', 0, 1)]


def test_windows_from_api_samples_meet_guest_gaps():
    api_samples = [api(i, v=('ACTIVE', 'cmp1') if i < 3 else ('MIGRATING', 'cmp1') if i < 6 else ('ACTIVE', 'cmp2'))
                   for i in range(10)]
    # Failing at 5.4 to 5.8 s: a gap of 5.2 .. 6.0 s, in the move (2 .. 6 s).
    guest = [tick(i * STEP, {'v': not 27 <= i <= 29}) for i in range(50)]
    summary = guest_prober.summarize(guest, guest_prober.migration_windows(api_samples))
    assert [(w['id'], w['source'], w['target'], w['gap_s']) for w in summary['migrations']] == [
        ('v', 'cmp1', 'cmp2', 0.8)]


def test_windows_from_what_lab_prober_records():
    # lab/prober.py records each tracked instance's status and host.
    prober = importlib.import_module('prober')
    api_prober = object.__new__(prober.Prober)
    api_prober.__dict__.update(_lock=threading.Lock(), servers_prefix='work-', tracked={}, _tracked_set=False)
    samples = []
    for offset, (status, host) in enumerate([('ACTIVE', 'cmp1'), ('MIGRATING', 'cmp1'), ('ACTIVE', 'cmp2')]):
        listing = [{'id': 'v', 'name': 'work-1', 'status': status, 'OS-EXT-STS:power_state': 1,
                    'OS-EXT-SRV-ATTR:host': host}]
        samples.append({'ts': T0 + offset, 'instances': api_prober._instances(listing)})  # pylint: disable=protected-access
    samples.append({'ts': T0 + 3, 'instances': api_prober._instances(None)})  # pylint: disable=protected-access
    assert [(w['id'], w['name'], w['source'], w['target'], w['start'], w['end'])
            for w in guest_prober.migration_windows(samples)] == [('v', 'work-1', 'cmp1', 'cmp2', T0, T0 + 2)]


def test_load_migrations(tmp_path):
    path = tmp_path / 'm.json'
    path.write_text(json.dumps({'migrations': [
        {'id': 'a', 'start': '2023-11-14T22:13:20Z', 'end': T0 + 5, 'source': 'cmp1'},
        {'id': 'b', 'start': str(T0), 'end': None}]}))
    assert [(m['id'], m['start'], m['end']) for m in guest_prober.load_migrations(path)] == [
        ('a', T0, T0 + 5), ('b', T0, None)]
    path.write_text(json.dumps([{'id': 'a', 'start': T0, 'end': T0 + 1}]))
    assert guest_prober.load_migrations(path)[0]['end'] == T0 + 1


# --- judging --------------------------------------------------------------------

def judged_summary():
    samples = [tick(i * STEP, {
        'a': {'ok': i not in (4, 5, 6, 7), **({'boot_id': 'one' if i < 10 else 'two'} if i % 5 == 0 else {})},
        'b': {'ok': i != 15},
        'c': {'ok': True}}) for i in range(30)]
    windows = [window(2, 10, 'a'), window(12, 20, 'b'), window(21, 25, 'c', 'cmp2', 'cmp3')]
    return guest_prober.summarize(samples, windows)


def test_judge_messages():
    summary = judged_summary()
    assert [w['gap_s'] for w in summary['migrations']] == [1.0, 0.4, 0.0]
    assert guest_prober.judge(summary) == []
    assert guest_prober.judge(summary, max_migration_gap=0.5) == [
        'guest vm-a (a) was unreachable for 1.00 s in its migration cmp1 -> cmp2 at '
        f'{guest_prober.iso(T0 + 0.4)}, over 0.5 s']
    assert guest_prober.judge(summary, max_migration_gap=1.0, median_migration_gap=0.4) == []
    assert guest_prober.judge(summary, median_migration_gap=0.3) == [
        'the median migration gap 0.40 s over 3 migrations is over 0.3 s']
    assert guest_prober.judge(summary, forbid_reboots=True) == [
        f'guest vm-a (a) rebooted at {guest_prober.iso(T0 + 2.0)} (boot id one -> two)']


def test_judge_a_guest_that_never_answered_and_no_window():
    samples = [tick(i * STEP, {'a': True, 'dead': False}) for i in range(5)]
    summary = guest_prober.summarize(samples, [window(1, 3, 'elsewhere')])
    assert guest_prober.judge(summary, max_migration_gap=1.0) == [
        'guest vm-dead (dead) never answered (5 probes)',
        'no migration window of a probed guest to judge (1 windows, 2 guests)']
    assert guest_prober.judge(summary, forbid_reboots=True) == ['guest vm-dead (dead) never answered (5 probes)']
    assert '| vm-dead (dead) | 5 | 5 | 0.000 | never answered | 1 | 0 | - |' in guest_prober.markdown(summary)


def test_markdown():
    table = guest_prober.markdown(judged_summary())
    lines = table.splitlines()
    assert lines[0].startswith('| guest | probes | failures | availability % | longest gap s |')
    assert lines[2] == '| vm-a (a) | 30 | 4 | 86.667 | 1.00 | 1 | 1 | cmp1->cmp2 1.00 |'
    assert lines[-1] == '| all 3 | 90 | 5 | 94.444 | 1.00 | 2 | 1 | 3 of 3 probed, median 0.40, max 1.00 |'
    # Still unreachable at the end: marked.
    assert '| 0.60+ |' in guest_prober.markdown(guest_prober.summarize(ticks('...xxx')))


def test_summarize_command(tmp_path, capsys):
    samples = tmp_path / 'guests.jsonl'
    samples.write_text(''.join(json.dumps(s) + '\n' for s in ticks('.....xxx........')) + '{"ts": 17')
    api_samples = tmp_path / 'api.jsonl'
    api_samples.write_text(''.join(json.dumps(api(i * 0.5, a=('ACTIVE', 'cmp1' if i < 3 else 'cmp2'))) + '\n'
                                   for i in range(6)))
    out = tmp_path / 'summary.json'
    argv = ['summarize', '--samples', str(samples), '--api-samples', str(api_samples), '--json', str(out)]
    assert guest_prober.main(argv) == 0
    summary = json.loads(out.read_text())
    assert [(w['source'], w['target'], w['gap_s']) for w in summary['migrations']] == [('cmp1', 'cmp2', 0.8)]
    assert 'target' not in summary
    assert capsys.readouterr().out.startswith('| guest |')

    assert guest_prober.main(argv + ['--max-migration-gap', '1', '--forbid-reboots']) == 0
    assert json.loads(out.read_text())['target']['misses'] == []
    assert capsys.readouterr().out.endswith('\nGuest targets: met.\n')

    assert guest_prober.main(argv + ['--max-migration-gap', '0.5']) == 1
    captured = capsys.readouterr()
    message = ('guest vm-a (a) was unreachable for 0.80 s in its migration cmp1 -> cmp2 at '
               f'{guest_prober.iso(T0 + 1.0)}, over 0.5 s')
    assert captured.out.endswith(f'\nGuest targets: {message}.\n')
    assert captured.err == f'guest prober: missed: {message}\n'
    assert json.loads(out.read_text())['target']['misses'] == [message]


def test_summarize_a_time_range_judged_on_its_longest_gap(tmp_path, capsys):
    # A restart's window: only its samples count, and any gap in it is judged.
    samples = tmp_path / 'guests.jsonl'
    samples.write_text(''.join(json.dumps(s) + '\n' for s in ticks('..xxxxxx....x.....')))
    argv = ['summarize', '--samples', str(samples), '--since', str(T0 + 2.0), '--until', guest_prober.iso(T0 + 3.4)]
    assert guest_prober.main(argv + ['--max-gap', '0.3', '--forbid-reboots']) == 1
    assert capsys.readouterr().err == 'guest prober: missed: guest vm-a (a) was unreachable for 0.40 s, over 0.3 s\n'
    assert guest_prober.main(argv + ['--max-gap', '0.4']) == 0
    assert '| vm-a (a) | 8 | 1 | 87.500 | 0.40 |' in capsys.readouterr().out
    # The whole file: the long gap counts.
    whole = ['summarize', '--samples', str(samples), '--max-gap', '1']
    assert guest_prober.main(whole) == 1
    assert capsys.readouterr().err == 'guest prober: missed: guest vm-a (a) was unreachable for 1.40 s, over 1.0 s\n'


# --- probing a real server ------------------------------------------------------

def test_parse_page():
    raw = b'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"boot_id": "b1", "uptime": 12.5, "hostname": "vm"}'
    assert guest_prober.parse_page(raw) == {'boot_id': 'b1', 'uptime': 12.5, 'hostname': 'vm'}
    for bad in (b'HTTP/1.0 404 Not Found\r\n\r\n{}', b'HTTP/1.0 200 OK\r\n\r\n{"uptime": 1}',
                b'HTTP/1.0 200 OK\r\n\r\nnot json', b'garbage'):
        with pytest.raises(ValueError):
            guest_prober.parse_page(bad)


def test_load_targets(tmp_path):
    path = tmp_path / 't.json'
    path.write_text(json.dumps({'guests': [{'id': 'a', 'name': 'vm-a', 'address': '192.0.2.1'}]}))
    assert guest_prober.load_targets(path) == {'a': {'name': 'vm-a', 'address': '192.0.2.1'}}
    path.write_text(json.dumps({'guests': [{'id': 'a'}]}))
    with pytest.raises(ValueError, match='needs an id and an address'):
        guest_prober.load_targets(path)


class GuestServer(http.server.ThreadingHTTPServer):
    # The kernel answers a connect while the backlog has room, whenever the
    # server's thread runs: http.server's 5 would drop SYNs on a busy machine.
    request_queue_size = 128


class Guest:
    """A stand-in guest: the page a guest serves, on 127.0.0.1:port; stop
    it for an outage, start it with another boot id for a reboot."""

    def __init__(self, port=0):
        self.port, self.server, self.thread = port, None, None

    def start(self, boot_id):
        started = time.monotonic()

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = json.dumps({'boot_id': boot_id, 'uptime': round(time.monotonic() - started, 2),
                                   'hostname': 'stand-in'}).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = GuestServer(('127.0.0.1', self.port), Page)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05})
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def write_targets(path, guests):
    # As Ansible's copy does: a new file put in place.
    temporary = f'{path}.new'
    with open(temporary, 'w', encoding='utf-8') as out:
        json.dump({'guests': guests}, out)
    os.replace(temporary, path)


def test_run_loop_sees_an_outage_and_a_reboot(tmp_path):
    guest = Guest()
    guest.start('boot-a')
    targets, samples_path = tmp_path / 'targets.json', tmp_path / 'samples.jsonl'
    write_targets(targets, [{'id': 'g1', 'name': 'vm-1', 'address': '127.0.0.1'}])
    prober = guest_prober.GuestProber(str(targets), interval=0.05, page_every=2, port=guest.port)
    stop = threading.Event()
    result = {}
    loop = threading.Thread(target=lambda: result.update(
        samples=guest_prober.probe(prober, str(samples_path), stop, duration=30)))
    loop.start()
    try:
        time.sleep(0.6)
        guest.stop()
        down_at = time.time()
        time.sleep(0.5)
        up_at = time.time()
        guest.start('boot-b')
        # A workload added while it runs.
        write_targets(targets, [{'id': 'g1', 'name': 'vm-1', 'address': '127.0.0.1'},
                                {'id': 'g2', 'name': 'vm-2', 'address': '127.0.0.1'}])
        added_at = time.time()
        time.sleep(0.6)
    finally:
        stop.set()
        loop.join()
        guest.stop()

    written = guest_prober.load_samples(samples_path)
    assert len(written) == len(result['samples']) >= 15
    assert {s['guests']['g1']['probe'] for s in written} == {'page', 'tcp'}
    summary = guest_prober.summarize(written)
    g1 = summary['guests']['g1']
    assert g1['failures'] >= 5
    assert len(g1['gaps']) == 1, g1['gaps']
    gap = g1['gaps'][0]
    # From the last answer before the outage to the first after it. A tick's
    # time is when it starts, its connect a moment later: the first answer
    # may bear a time just before the server listened again.
    assert guest_prober.parse_time(gap['start']) <= down_at
    assert guest_prober.parse_time(gap['end']) >= up_at - 0.2
    assert up_at - down_at - 0.2 <= gap['seconds'] <= up_at - down_at + 1.0
    assert not gap['leading'] and not gap['trailing']
    assert [(r['old'], r['new']) for r in g1['reboots']] == [('boot-a', 'boot-b')]
    assert g1['boot_id'] == 'boot-b'
    g2 = summary['guests']['g2']
    assert g2['failures'] == 0 and 0 < g2['samples'] < g1['samples'], g2
    assert min(s['ts'] for s in written if 'g2' in s['guests']) >= added_at - 0.2
    # A failed probe says why.
    assert any('ConnectionRefusedError' in s['guests']['g1'].get('error', '') for s in written)


def test_run_command_stops_on_sigterm_and_writes_its_summary(tmp_path):
    guest = Guest()
    guest.start('boot-a')
    targets = tmp_path / 'targets.json'
    write_targets(targets, [{'id': 'g1', 'name': 'vm-1', 'address': '127.0.0.1'}])
    try:
        run = subprocess.Popen(
            [sys.executable, str(LAB / 'guest_prober.py'), 'run', '--targets', str(targets), '--port', str(guest.port),
             '--samples', str(tmp_path / 's.jsonl'), '--summary', str(tmp_path / 'summary.json'),
             '--interval', '0.1', '--duration', '60'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not (tmp_path / 's.jsonl').exists() or len((tmp_path / 's.jsonl').read_text().splitlines()) < 5:
            assert time.monotonic() < deadline and run.poll() is None
            time.sleep(0.1)
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=20)
    finally:
        guest.stop()
    assert run.returncode == 0, err
    summary = json.loads((tmp_path / 'summary.json').read_text())
    assert summary['guests']['g1']['failures'] == 0
    assert summary['guests']['g1']['boot_id'] == 'boot-a'
    assert out.startswith('| guest |') and '| vm-1 (g1) |' in out
    assert 'probing 1 guests every 0.10 s (TCP within 1.00 s, the page every 5 ticks)' in err


def test_run_refuses_a_bad_interval(tmp_path):
    with pytest.raises(SystemExit, match='--interval must be over 0'):
        guest_prober.main(['run', '--targets', str(tmp_path / 't.json'), '--samples', 'x', '--interval', '0'])
