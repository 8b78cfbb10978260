# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The upgrade progress file: written whole, only when it differs, never in
check mode."""
from __future__ import annotations

import json
import os
import stat

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible.plugins.filter.core import to_nice_json

from ansible_collections.stackroll.lifecycle.plugins.modules import upgrade_progress

PROGRESS = {'release': '2026.2', 'before': {'nova': '2026.1'},
            'steps': {'drain': {'state': 'done', 'start': '2026-12-02T15:55:23', 'end': None}}}


def run(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        upgrade_progress.main()
    return json.loads(capsys.readouterr().out)


def test_render_is_what_to_nice_json_writes():
    assert upgrade_progress.render(PROGRESS) == to_nice_json(PROGRESS) + '\n'


def test_writes_the_file_and_its_folder_then_changes_nothing(tmp_path, capsys):
    path = tmp_path / 'facts.d' / 'stackroll_upgrade.fact'
    first = run({'path': str(path), 'progress': PROGRESS}, capsys)
    assert first['changed'] is True
    assert json.loads(path.read_text()) == PROGRESS
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert os.listdir(path.parent) == ['stackroll_upgrade.fact']  # no temporary file left
    assert run({'path': str(path), 'progress': PROGRESS}, capsys)['changed'] is False


def test_check_mode_says_it_would_change_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / 'stackroll_upgrade.fact'
    path.write_text(upgrade_progress.render({'release': '2026.2', 'steps': {}}))
    result = run({'path': str(path), 'progress': PROGRESS, '_ansible_check_mode': True,
                  '_ansible_diff': True}, capsys)
    assert result['changed'] is True
    assert json.loads(result['diff']['after']) == PROGRESS
    assert json.loads(path.read_text()) == {'release': '2026.2', 'steps': {}}
