# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The re-run benchmark's recap reading and its table."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import rerun  # noqa: E402


def stats(**changed):
    return json.dumps({'_event': 'v2_playbook_on_stats', 'stats': dict(
        (host, {'changed': count, 'ok': 10, 'failures': 0}) for host, count in changed.items())})


def test_recap_is_the_last_stats_event():
    lines = ['{"_event": "v2_runner_on_ok", "hosts": {}}', 'TASKS RECAP ****', stats(ctl1=40, cmp1=12)]
    assert rerun.changed(rerun.recap(lines)) == 52
    assert rerun.recap(['not json']) == {}


def test_table_and_fraction_use_the_median_rerun():
    clean = rerun.recap([stats(ctl1=0, cmp1=0)])
    result = rerun.figures('2026.1', (400.0, rerun.recap([stats(ctl1=40, cmp1=12)])),
                           [(90.0, clean), (80.0, clean), (70.0, clean)])
    assert result['second_percent_of_first'] == 20.0
    assert result['first'] == {'seconds': 400.0, 'changed': 52}
    assert result['second']['runs'] == [90.0, 80.0, 70.0]
    table = rerun.markdown(result)
    assert '## Re-run of site.yml, 2 hosts' in table
    assert '| second, 3 runs: median (min-max) | 80.0 (70.0-90.0) | 0 0 0 | 0 |' in table
    assert '| second / first | 20.0 % | | <= 25.0 % |' in table
