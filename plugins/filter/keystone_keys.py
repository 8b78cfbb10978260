# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""keystone's fernet and credential key repositories, which the controllers
share: whether the one handed out is whole, and what another controller
must receive or drop to hold the same. The judgement is in
module_utils/_keystone_keys.py.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import input_errors_as
from ansible_collections.stackroll.lifecycle.plugins.module_utils._keystone_keys import (
    fernet_key_changes as _fernet_key_changes,
    fernet_key_problems as _fernet_key_problems,
)


@input_errors_as(AnsibleFilterError)
def fernet_key_problems(listing, repositories, host):
    """find result | fernet_key_problems(repositories=..., host=...) -> problems, [] if each repository is whole."""
    return _fernet_key_problems(listing, repositories, host)


@input_errors_as(AnsibleFilterError)
def fernet_key_changes(source, target, repositories):
    """source find result | fernet_key_changes(target find result, repositories=...) -> {receive: [...], drop: [...]}."""
    return _fernet_key_changes(source, target, repositories)


class FilterModule:
    """stackroll.lifecycle's filters of keystone's key repositories."""

    def filters(self):
        return {'fernet_key_problems': fernet_key_problems, 'fernet_key_changes': fernet_key_changes}
