# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Listing the backups of a folder with their manifests, on a real folder."""
from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.stackroll.lifecycle.plugins.modules import backup_manifests_info


def run(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        backup_manifests_info.main()
    return json.loads(capsys.readouterr().out)


def test_lists_each_folder_with_its_manifest(tmp_path, capsys):
    (tmp_path / '20261202T000000Z').mkdir()
    (tmp_path / '20261202T000000Z' / 'manifest.json').write_text(json.dumps({'name': '20261202T000000Z', 'kind': 'backup'}))
    (tmp_path / '20261201T000000Z').mkdir()  # another host's folder, or an interrupted backup
    (tmp_path / 'broken').mkdir()
    (tmp_path / 'broken' / 'manifest.json').write_text('{"name": ')
    (tmp_path / 'list').mkdir()
    (tmp_path / 'list' / 'manifest.json').write_text('[]')
    (tmp_path / 'recipients.txt').write_text('age1...\n')  # a file, not a backup
    (tmp_path / 'link').symlink_to(tmp_path / '20261202T000000Z')
    result = run({'path': str(tmp_path)}, capsys)
    assert result['changed'] is False and result['exists'] is True
    backups = dict((backup['name'], backup) for backup in result['backups'])
    assert [backup['name'] for backup in result['backups']] == ['20261201T000000Z', '20261202T000000Z', 'broken', 'list']
    assert backups['20261202T000000Z']['manifest'] == {'name': '20261202T000000Z', 'kind': 'backup'}
    assert backups['20261201T000000Z'] == {'name': '20261201T000000Z', 'manifest': None, 'error': None}
    assert backups['broken']['manifest'] is None and 'cannot read' in backups['broken']['error']
    assert backups['list']['error'].endswith('is not a JSON object')


def test_a_missing_folder_holds_no_backup(tmp_path, capsys):
    result = run({'path': str(tmp_path / 'none')}, capsys)
    assert result['exists'] is False and result['backups'] == []
