# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
from __future__ import annotations

import pytest

from ansible_collections.stackroll.lifecycle.plugins.modules.compute_service import (
    wanted_changes,
)

ENABLED = {'status': 'enabled', 'disabled_reason': None, 'is_forced_down': False}
DISABLED = {'status': 'disabled', 'disabled_reason': 'upgrade', 'is_forced_down': False}


@pytest.mark.parametrize('record, args, expected', [
    (ENABLED, {}, {}),
    (ENABLED, {'state': 'enabled'}, {}),
    (ENABLED, {'state': 'disabled'}, {'status': 'disabled'}),
    (ENABLED, {'state': 'disabled', 'disabled_reason': 'upgrade'},
     {'status': 'disabled', 'disabled_reason': 'upgrade'}),
    (DISABLED, {'state': 'disabled', 'disabled_reason': 'upgrade'}, {}),
    (DISABLED, {'state': 'disabled'}, {}),
    (DISABLED, {'state': 'disabled', 'disabled_reason': 'drain'},
     {'disabled_reason': 'drain'}),
    (DISABLED, {'state': 'enabled'}, {'status': 'enabled', 'disabled_reason': None}),
    (DISABLED, {'disabled_reason': 'other'}, {}),
    (ENABLED, {'forced_down': True}, {'is_forced_down': True}),
    (ENABLED, {'forced_down': False}, {}),
    (dict(ENABLED, is_forced_down=True), {'forced_down': False},
     {'is_forced_down': False}),
])
def test_wanted_changes(record, args, expected):
    assert wanted_changes(record, **args) == expected
