# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The drain benchmark's figures and table."""
import os
import sys

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
