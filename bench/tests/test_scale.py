# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The scale benchmark's arithmetic and its reading of playbook events."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import scale  # noqa: E402


def test_fit_of_a_line_is_exact():
    line = scale.fit([(10, 25.0), (25, 32.5), (50, 45.0)])
    assert line == {'a': 20.0, 'b': 0.5, 'r2': 1.0}


def test_fit_of_a_flat_line():
    assert scale.fit([(10, 30.0), (25, 30.0), (50, 30.0)]) == {'a': 30.0, 'b': 0.0, 'r2': 1.0}


def test_spread():
    assert scale.spread([3.04, 1.0, 2.0]) == {'median': 2.0, 'min': 1.0, 'max': 3.0}


def test_evacuation_results_are_the_modules_results_only():
    drain = {'instances': [{'duration': 7.5}], 'totals': {'moved': 1}}
    lines = [json.dumps({'_event': 'v2_runner_on_ok', 'hosts': {'localhost': drain}}),
             json.dumps({'_event': 'v2_runner_on_ok', 'hosts': {'localhost': {'msg': 'drained'}}}),
             json.dumps({'_event': 'v2_runner_on_failed', 'hosts': {'localhost': drain}}),
             'PLAY RECAP']
    assert scale.evacuation_results(lines) == [drain]


def test_table():
    size = {'hosts': 10, 'instances': 8, 'plan': scale.spread([4.0]), 'batch': scale.spread([40.0]),
            'migrations': scale.spread([15.0]), 'overhead': scale.spread([25.0])}
    table = scale.markdown([size], {'a': 20.0, 'b': 0.5, 'r2': 1.0})
    assert '| 10 | 4.0 (4.0-4.0) | 40.0 (40.0-40.0) | 15.0 | 25.0 (25.0-25.0) | 2.50 |' in table
    assert 'overhead = 20.0 s + 0.5 s x hosts (R^2 1.0)' in table
