# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The drain benchmark's figures and table."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import evacuate  # noqa: E402


def test_ideal_cpu_floor_and_ratios():
    # 8 instances; one migration takes 2 s and costs the cloud 1.5 CPU s.
    runs = [(1, 17.0, [2.0, 2.0, 3.0, 1.0, 2.0, 2.0, 2.0, 2.0], 12.0),
            (4, 6.0, [2.5] * 8, 12.5),
            (8, 7.0, [5.0] * 8, 13.0)]
    result = evacuate.figures(runs, 8, 34.0, 8, cores=2, release='2026.2')
    assert result['single_migration'] == 2.0
    assert result['cpu_per_migration'] == 1.5
    by_k = {drain['concurrency']: drain for drain in result['drains']}
    assert by_k[1]['ideal'] == 16.0 and by_k[1]['cpu_floor'] == 16.0       # the ideal binds
    assert by_k[8]['ideal'] == 2.0 and by_k[8]['cpu_floor'] == 6.0         # 8 x 1.5 / 2 cores binds
    assert by_k[8]['to_ideal'] == 3.5 and by_k[8]['to_cpu_floor'] == 1.17
    assert by_k[4]['serial_speedup'] == 5.67


def test_markdown_table():
    runs = [(1, 4.0, [2.0, 2.0], 2.0), (2, 2.5, [2.0, 2.0], 2.0)]
    table = evacuate.markdown(evacuate.figures(runs, 2, 5.0, 2, cores=2, release='2026.2'))
    assert 'nova 2026.2.' in table
    assert '| 2 | 2.5 | 2.0 | 1.25 | 2.0 | 1.25 | 2.00 |' in table
    assert table.endswith('5.0 s for 2.')


def test_the_table_has_no_gap_figures_on_a_fake_lab():
    runs = [(1, 4.0, [2.0, 2.0], 2.0), (2, 2.5, [2.0, 2.0], 2.0)]
    result = evacuate.figures(runs, 2, 5.0, 2, cores=2, release='2026.2')
    assert 'guests' not in result and 'guest_gaps' not in result['serial']
    assert not [drain for drain in result['drains'] if 'guest_gaps' in drain]
    table = evacuate.markdown(result)
    assert 'gap' not in table and 'prober' not in table


# --- the guests' gaps, on a libvirt lab -----------------------------------------

@pytest.mark.parametrize('lab_driver, libvirt_computes, probing', [
    (None, [], False), ('', [], False), ('fake', [], False), ('libvirt', ['cmp1', 'cmp2', 'cmp3'], True)])
def test_the_guests_are_probed_on_a_libvirt_lab(lab_driver, libvirt_computes, probing):
    assert evacuate.probes_guests(lab_driver, libvirt_computes) is probing


@pytest.mark.parametrize('lab_driver, libvirt_computes, message', [
    ('libvirt', [], "LAB_DRIVER is libvirt but the lab's computes run the fake driver"),
    ('fake', ['cmp2', 'cmp1'], r"The lab's computes run libvirt \(cmp1, cmp2\) but LAB_DRIVER is fake"),
    (None, ['cmp1'], 'make bench LAB_DRIVER=libvirt'),
    ('xen', [], "LAB_DRIVER must be fake or libvirt \\(got 'xen'\\)")])
def test_a_lab_driver_the_lab_contradicts_stops_the_run(lab_driver, libvirt_computes, message):
    with pytest.raises(ValueError, match=message):
        evacuate.probes_guests(lab_driver, libvirt_computes)


@pytest.mark.parametrize('computes, host', [
    (['cmp1', 'cmp2', 'cmp3'], 'cmp3'),               # every compute drains: the last
    (['cmp1', 'cmp2', 'cmp3', 'cmp4'], 'cmp4'),       # one no drain uses
    (['cmp1', 'cmp2', 'cmp3', 'cmp4', 'cmp5'], 'cmp5')])
def test_the_prober_runs_on_a_compute_no_drain_uses_if_any(computes, host):
    assert evacuate.probe_host(computes) == host


T0 = 1_700_000_000.0
STEP = 0.2                      # the prober's 5 Hz


def probe_samples(seconds, failed=None, boot_ids=None):
    """The prober's samples, a tick every STEP over [T0, T0 + seconds]: every
    guest of `failed` answers but at the ticks it lists; a page tick each
    second gives the boot id of boot_ids (by guest, [(from tick, id), ...])."""
    failed, boot_ids = failed or {}, boot_ids or {}
    guests = sorted(set(failed) | set(boot_ids))
    samples = []
    for number in range(int(round(seconds / STEP)) + 1):
        results = {}
        for guest in guests:
            result = {'name': 'bench-' + guest, 'ok': number not in failed.get(guest, ()), 'probe': 'tcp'}
            boots = [boot for first, boot in boot_ids.get(guest, []) if number >= first]
            if number % 5 == 0 and result['ok'] and boots:
                result.update(probe='page', boot_id=boots[-1])
            results[guest] = result
        samples.append({'ts': T0 + number * STEP, 'interval': STEP, 'guests': results})
    return samples


def window(start, end, ids, source='cmp1', target='cmp2'):
    return {'start': T0 + start, 'end': T0 + end, 'source': source, 'target': target, 'ids': ids}


def test_each_guests_gap_in_each_drain_then_median_and_max():
    # Drains over [10, 20] s and [30, 40] s; the serial loop over [50, 60] s.
    samples = probe_samples(70, failed={'a': range(60, 63), 'b': [75, 160], 'c': [175, 176]},
                            boot_ids={'a': [(0, 'a1')], 'b': [(0, 'b1'), (200, 'b2')], 'c': [(0, 'c1')]})
    gaps = evacuate.guest_gaps(samples, [window(10, 20, ['a', 'b', 'c']), window(30, 40, ['a', 'b', 'c']),
                                         window(50, 60, ['a', 'b', 'c'])])
    # a: 3 failed ticks (0.8 s), b: 1 (0.4 s), c: none in the first drain.
    assert gaps['windows'][0] == {'median': 0.4, 'max': 0.8, 'probed': 3, 'moved': 3}
    # b's gap at 32 s and c's at 35 s, 2 ticks (0.6 s).
    assert gaps['windows'][1] == {'median': 0.4, 'max': 0.6, 'probed': 3, 'moved': 3}
    assert gaps['windows'][2] == {'median': 0.0, 'max': 0.0, 'probed': 3, 'moved': 3}
    # b's boot id changed once, at 40 s.
    assert (gaps['guests'], gaps['reboots'], gaps['never_answered']) == (3, 1, [])


def test_a_gap_spilling_over_the_drains_end_counts_whole():
    samples = probe_samples(30, failed={'a': range(99, 110)})   # 19.6 s to 22 s
    assert evacuate.guest_gaps(samples, [window(10, 20, ['a'])])['windows'][0]['max'] == 2.4


def test_guests_not_probed_are_left_out_of_the_figures_and_named():
    samples = probe_samples(30, failed={'a': [60], 'b': range(0, 151)})
    gaps = evacuate.guest_gaps(samples, [window(10, 20, ['a', 'b', 'x'])])
    # x has no sample; b never answered: its figures say nothing.
    assert gaps['windows'] == [{'median': 0.4, 'max': 0.4, 'probed': 1, 'moved': 3}]
    assert gaps['never_answered'] == ['bench-b', 'x']
    assert evacuate.guest_gaps([], [window(10, 20, ['a'])])['windows'] == [
        {'median': None, 'max': None, 'probed': 0, 'moved': 1}]


def gap_figures(probed=2):
    gaps = {'windows': [{'median': 0.6, 'max': 0.8, 'probed': 2, 'moved': 2},
                        {'median': 1.25, 'max': 1.5, 'probed': probed, 'moved': 2},
                        {'median': 0.0, 'max': 0.4, 'probed': 2, 'moved': 2}],
            'guests': 2, 'reboots': 0, 'never_answered': []}
    runs = [(1, 4.0, [2.0, 2.0], 2.0), (2, 2.5, [2.0, 2.0], 2.0)]
    return gaps, evacuate.figures(runs, 2, 5.0, 2, cores=2, release='2026.2', gaps=gaps, probed_from='cmp3')


def test_figures_with_the_guests_gaps():
    gaps, result = gap_figures()
    assert [drain['guest_gaps'] for drain in result['drains']] == gaps['windows'][:2]
    assert result['serial'] == {'seconds': 5.0, 'moved': 2, 'guest_gaps': gaps['windows'][2]}
    assert result['guests'] == {'probed_from': 'cmp3', 'guests': 2, 'reboots': 0, 'never_answered': []}
    # The drains' own figures are those of a fake lab.
    assert result['drains'][1]['to_ideal'] == 1.25


def test_markdown_table_with_the_guests_gaps():
    table = evacuate.markdown(gap_figures()[1])
    assert ('| concurrency | drain s | ideal s | drain / ideal | CPU floor s | drain / floor | serial / drain '
            '| guest gap median s | guest gap max s |') in table
    assert '|---|---|---|---|---|---|---|---|---|' in table
    assert '| 1 | 4.0 | 4.0 | 1.00 | 4.0 | 1.00 | 1.25 | 0.60 | 0.80 |' in table
    assert '| 2 | 2.5 | 2.0 | 1.25 | 2.0 | 1.25 | 2.00 | 1.25 | 1.50 |' in table
    assert "5.0 s for 2; the guests' gap median 0.00 s, max 0.40 s." in table
    assert "from a port on cmp3's br-int" in table
    assert 'Reboots over the run (boot id changes): 0.' in table
    assert 'Guests probed' not in table and 'Never answered' not in table


def test_markdown_names_drains_with_guests_not_probed():
    gaps, result = gap_figures(probed=0)
    gaps['windows'][1].update(median=None, max=None)
    result['guests']['never_answered'] = ['bench-1']
    table = evacuate.markdown(result)
    assert '| 2 | 2.5 | 2.0 | 1.25 | 2.0 | 1.25 | 2.00 | - | - |' in table
    assert 'Guests probed, of those moved: concurrency 2: 0 of 2.' in table
    assert 'Never answered the prober: bench-1.' in table
