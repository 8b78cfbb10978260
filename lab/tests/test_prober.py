# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The prober's summary logic, on hand-built samples (no cloud)."""
import importlib
import json
import pathlib
import sys

import pytest

# lab/ is no package: put it on the path and import the script by name.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
prober = importlib.import_module('prober')

T0 = 1_700_000_000.0


def sample(offset, fail=(), instances=None, interval=1.0):
    """One tick at T0 + offset; services in `fail` failed."""
    services = {name: {'ok': name not in fail, 'latency': 0.01,
                       'status': 503 if name in fail else 200}
                for name in prober.SERVICES}
    return {'ts': T0 + offset, 'time': prober.iso(T0 + offset), 'interval': interval,
            'services': services, 'instances': instances or {}}


def up(name='vm'):
    return {'name': name, 'state': 'up', 'status': 'ACTIVE', 'power_state': 1}


def down(name='vm'):
    return {'name': name, 'state': 'down', 'status': 'SHUTOFF', 'power_state': 4}


def absent(name='vm'):
    return {'name': name, 'state': 'down', 'absent': True}


def unknown(name='vm'):
    return {'name': name, 'state': 'unknown'}


@pytest.mark.parametrize('failing, calls, failures, availability, longest', [
    ([], 10, 0, 100.0, 0.0),
    ([4], 10, 1, 90.0, 1.0),
    ([2, 3, 4], 10, 3, 70.0, 3.0),
    ([1, 5, 6], 10, 3, 70.0, 2.0),
    # A run still going at the end counts one interval for its last tick.
    ([8, 9], 10, 2, 80.0, 2.0),
    (list(range(10)), 10, 10, 0.0, 10.0),
])
def test_service_availability(failing, calls, failures, availability, longest):
    samples = [sample(i, fail=('compute',) if i in failing else ()) for i in range(10)]
    figures = prober.summarize(samples)['overall']['services']['compute']
    assert figures == {'calls': calls, 'failures': failures, 'availability': availability,
                       'longest_failure_s': longest}
    assert prober.summarize(samples)['overall']['services']['image']['availability'] == 100.0


def test_availability_has_three_decimals():
    samples = [sample(i, fail=('network',) if i == 0 else ()) for i in range(3)]
    assert prober.summarize(samples)['overall']['services']['network']['availability'] == 66.667


def test_total_counts_every_call_and_longest_run_of_any_failure():
    # identity fails at 1-2, image at 3: the API was impaired from 1 to 4.
    fails = {1: ('identity',), 2: ('identity',), 3: ('image',)}
    samples = [sample(i, fail=fails.get(i, ())) for i in range(6)]
    overall = prober.summarize(samples)['overall']
    assert overall['total'] == {'calls': 30, 'failures': 3, 'availability': 90.0,
                                'longest_failure_s': 3.0}
    assert overall['services']['identity']['longest_failure_s'] == 2.0
    assert overall['services']['image']['longest_failure_s'] == 1.0


def test_samples_out_of_order_are_sorted():
    # Ticks that overlap (a slow service) may be written out of order.
    samples = [sample(i, fail=('compute',) if i in (2, 3) else ()) for i in (0, 3, 1, 2, 4)]
    assert prober.summarize(samples)['overall']['services']['compute']['longest_failure_s'] == 2.0


@pytest.mark.parametrize('states, down_seconds, intervals', [
    (['up', 'up', 'up'], 0.0, []),
    (['up', 'down', 'down', 'up'], 2.0, [(1, 3)]),
    (['down', 'up', 'down', 'up'], 2.0, [(0, 1), (2, 3)]),
    # Unknown ticks (compute call failed) are not down, and split a down run.
    (['up', 'unknown', 'unknown', 'up'], 0.0, []),
    (['down', 'unknown', 'down', 'up'], 2.0, [(0, 1), (2, 3)]),
    # Absent from the listing is down; to the end of the data, one more tick.
    (['up', 'absent', 'absent'], 2.0, [(1, 3)]),
])
def test_instance_down_intervals(states, down_seconds, intervals):
    make = {'up': up, 'down': down, 'absent': absent, 'unknown': unknown}
    samples = [sample(i, instances={'id1': make[state]()}) for i, state in enumerate(states)]
    inst = prober.summarize(samples)['overall']['instances']
    assert inst['tracked'] == 1
    assert inst['down_seconds'] == down_seconds
    assert inst['ever_down'] == (1 if intervals else 0)
    got = inst['down'].get('id1', {}).get('intervals', [])
    assert [(i['start'], i['end']) for i in got] == [
        (prober.iso(T0 + a), prober.iso(T0 + b)) for a, b in intervals]


def test_instances_totals_and_lost():
    samples = []
    for i in range(5):
        samples.append(sample(i, instances={
            'a': up('a'),
            'b': down('b') if i in (1, 2) else up('b'),
            'c': absent('c') if i >= 3 else up('c'),
            # Gone, then the listing failed: still lost (the last known state).
            'd': {3: absent('d'), 4: unknown('d')}.get(i, up('d')),
        }))
    inst = prober.summarize(samples)['overall']['instances']
    assert inst['tracked'] == 4
    assert inst['ever_down'] == 3
    assert inst['down_seconds'] == 2.0 + 2.0 + 1.0
    assert inst['lost'] == [{'id': 'c', 'name': 'c'}, {'id': 'd', 'name': 'd'}]
    assert inst['down']['b']['name'] == 'b'
    assert inst['down']['b']['seconds'] == 2.0
    assert 'a' not in inst['down']


def test_lost_instance_that_came_back_is_not_lost():
    samples = [sample(i, instances={'x': absent('x') if i == 1 else up('x')}) for i in range(3)]
    assert prober.summarize(samples)['overall']['instances']['lost'] == []


def test_windows_clip_samples_and_runs():
    # compute fails 3..7; window [5, 7) sees ticks 5 and 6, the run cut at 7.
    samples = [sample(i, fail=('compute',) if 3 <= i <= 7 else (),
                      instances={'v': down() if 3 <= i <= 7 else up()}) for i in range(10)]
    summary = prober.summarize(samples, [('mid', T0 + 5, T0 + 7), ('after', T0 + 8, None)])
    mid, after = summary['windows']
    assert mid['name'] == 'mid' and mid['samples'] == 2
    assert mid['services']['compute'] == {'calls': 2, 'failures': 2, 'availability': 0.0,
                                          'longest_failure_s': 2.0}
    assert mid['instances']['down_seconds'] == 2.0
    assert mid['start'] == prober.iso(T0 + 5) and mid['end'] == prober.iso(T0 + 7)
    assert after['samples'] == 2 and after['total']['failures'] == 0
    assert summary['overall']['services']['compute']['longest_failure_s'] == 5.0
    assert summary['overall']['instances']['down_seconds'] == 5.0


def test_empty_window():
    summary = prober.summarize([sample(0)], [('none', T0 + 100, T0 + 200)])
    window = summary['windows'][0]
    assert window['samples'] == 0
    assert window['total']['availability'] is None
    assert window['instances']['tracked'] == 0
    assert '| none |' in prober.markdown(summary)


def test_windows_from_report():
    report = {'release': 'x', 'timeline': [
        {'phase': 'controllers', 'start': '2023-11-14T22:13:20Z', 'end': '2023-11-14T22:13:25Z'},
        {'phase': 'computes', 'start': '2023-11-14T22:13:25+00:00', 'end': None},
    ]}
    assert prober.windows_from_report(report) == [
        ('controllers', T0, T0 + 5), ('computes', T0 + 5, None)]
    assert prober.windows_from_report({}) == []


def test_windows_from_report_leave_no_gap_between_phases():
    # The seconds between the staging's end and the backup's start count in
    # the staging; the last phase ends with its entry.
    report = {'timeline': [
        {'phase': 'staging', 'start': prober.iso(T0), 'end': prober.iso(T0 + 4)},
        {'phase': 'backup', 'start': prober.iso(T0 + 9), 'end': prober.iso(T0 + 12)}]}
    assert prober.windows_from_report(report) == [('staging', T0, T0 + 9), ('backup', T0 + 9, T0 + 12)]
    samples = [sample(i, fail=('identity',) if i in (5, 6, 7) else ()) for i in range(14)]
    summary = prober.summarize(samples, prober.windows_from_report(report))
    assert prober.judge(summary, 50.0, 2.0) == ['identity was out for 3.0 s at once, over 2.0 s (in staging)']
    # Before the first phase, none is named.
    summary = prober.summarize(samples, [('backup', T0 + 9, T0 + 12)])
    assert prober.judge(summary, 50.0, 2.0) == ['identity was out for 3.0 s at once, over 2.0 s']


def test_staging_is_a_window_of_its_own():
    # The report's timeline has staging between the preflight and the backup.
    report = {'timeline': [
        {'phase': 'preflight', 'start': prober.iso(T0), 'end': prober.iso(T0 + 2)},
        {'phase': 'staging', 'start': prober.iso(T0 + 2), 'end': prober.iso(T0 + 6)},
        {'phase': 'backup', 'start': prober.iso(T0 + 6), 'end': prober.iso(T0 + 9)}]}
    samples = [sample(i, fail=('identity',) if i in (4, 5) else ()) for i in range(10)]
    windows = prober.summarize(samples, prober.windows_from_report(report))['windows']
    assert [(w['name'], w['samples'], w['services']['identity']['failures']) for w in windows] == [
        ('preflight', 2, 0), ('staging', 4, 2), ('backup', 3, 0)]


@pytest.mark.parametrize('failing, expected', [
    ({}, []),
    # One service out 2 s at once: within the target.
    ({'identity': (4, 5)}, []),
    ({'identity': (4, 5, 6)}, ['identity was out for 3.0 s at once, over 2.0 s (in staging)']),
    ({'compute': (1,), 'image': (8, 9)}, []),
    ({'compute': tuple(range(40, 43)), 'network': (45,)},
     ['compute was out for 3.0 s at once, over 2.0 s (in backup)']),
])
def test_judge_longest_outage_per_service(failing, expected):
    samples = [sample(i, fail=tuple(n for n, ticks in failing.items() if i in ticks)) for i in range(1000)]
    windows = [('staging', T0, T0 + 10), ('backup', T0 + 10, None)]
    assert prober.judge(prober.summarize(samples, windows), 99.9, 2.0) == expected


def test_judge_availability_over_every_sample():
    # 1 failed call in 5 x 100: 99.8 %, below the target, no outage too long.
    samples = [sample(i, fail=('placement',) if i == 50 else ()) for i in range(100)]
    summary = prober.summarize(samples)
    assert prober.judge(summary, 99.9, 2.0) == ['availability 99.800 % is below 99.9 %']
    assert prober.judge(summary, 99.8, 2.0) == []
    assert prober.judge(prober.summarize([]), 99.9, 2.0) == ['availability - % is below 99.9 %']


@pytest.mark.parametrize('text, expected', [
    ('w=1700000000,1700000005', ('w', T0, T0 + 5)),
    ('w=2023-11-14T22:13:20Z,2023-11-14T22:13:25.5+00:00', ('w', T0, T0 + 5.5)),
    # Naive ISO times are UTC.
    ('w=2023-11-14T22:13:20,', ('w', T0, None)),
    ('w=,1700000005', ('w', None, T0 + 5)),
])
def test_parse_window(text, expected):
    assert prober.parse_window(text) == expected


@pytest.mark.parametrize('text', ['nowindow', 'w=1700000000', '=1,2'])
def test_parse_window_rejects(text):
    with pytest.raises(ValueError):
        prober.parse_window(text)


def test_load_samples_skips_torn_line(tmp_path):
    path = tmp_path / 'samples.jsonl'
    path.write_text(json.dumps(sample(0)) + '\n' + json.dumps(sample(1)) + '\n{"ts": 17')
    assert [s['ts'] for s in prober.load_samples(path)] == [T0, T0 + 1]


def test_summarize_command(tmp_path, capsys):
    samples = tmp_path / 'samples.jsonl'
    samples.write_text(''.join(json.dumps(sample(i, fail=('placement',) if i == 2 else ())) + '\n'
                               for i in range(6)))
    report = tmp_path / 'report.json'
    report.write_text(json.dumps({'timeline': [
        {'phase': 'first', 'start': prober.iso(T0), 'end': prober.iso(T0 + 3)}]}))
    out = tmp_path / 'summary.json'
    assert prober.main(['summarize', '--samples', str(samples), '--report', str(report),
                        '--window', 'last=%s,' % (T0 + 4), '--json', str(out)]) == 0
    summary = json.loads(out.read_text())
    assert [w['name'] for w in summary['windows']] == ['first', 'last']
    assert summary['windows'][0]['services']['placement']['availability'] == 66.667
    assert summary['windows'][1]['total']['failures'] == 0
    table = capsys.readouterr().out
    assert table.startswith('| scope | from | to | identity |')
    assert '| first |' in table and '66.667 (1 fail, 1.0 s)' in table
    assert 'target' not in summary
    # With a target: judged over every sample, the misses in the JSON.
    assert prober.main(['summarize', '--samples', str(samples), '--min-availability', '99.9',
                        '--max-outage', '2', '--json', str(out)]) == 0
    assert json.loads(out.read_text())['target'] == {
        'min_availability': 99.9, 'max_outage': 2.0, 'misses': ['availability 96.667 % is below 99.9 %']}
    assert capsys.readouterr().out.endswith(
        'Target over the whole upgrade (>= 99.9 %, no outage over 2.0 s): '
        'availability 96.667 % is below 99.9 %.\n')


@pytest.mark.parametrize('server, state', [
    ({'status': 'ACTIVE', 'OS-EXT-STS:power_state': 1}, 'up'),
    ({'status': 'MIGRATING', 'OS-EXT-STS:power_state': 1}, 'up'),
    ({'status': 'ACTIVE', 'OS-EXT-STS:power_state': 3}, 'down'),
    ({'status': 'SHUTOFF', 'OS-EXT-STS:power_state': 4}, 'down'),
    ({'status': 'ERROR', 'OS-EXT-STS:power_state': 1}, 'down'),
])
def test_instance_state(server, state):
    assert prober.instance_state(server) == state
