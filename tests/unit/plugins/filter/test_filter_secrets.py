# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""secrets_missing: the generated secrets a run would make anew on this control node."""
from __future__ import annotations

import inspect
import os
import re

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import secrets
from ansible_collections.stackroll.lifecycle.plugins.filter.secrets import FilterModule

SECRETS_MISSING = FilterModule().filters()['secrets_missing']

ADMIN = {'file': 'admin', 'variable': 'openstack_admin_password', 'used_if_exists': '/etc/keystone/.bootstrapped'}
NOVA_DB = {'file': 'nova_db', 'variable': 'nova_db_password', 'used_if_exists': '/var/lib/mysql/nova_api'}
NOVA_CACHE = {'file': 'nova_memcache', 'variable': 'nova_memcache_secret_key', 'replaceable': True}
SECRETS = [ADMIN, NOVA_DB, NOVA_CACHE]


class HostVars(dict):
    """A host's hostvars: reading a value would template it, and make its secret."""

    def __getitem__(self, key):
        raise AssertionError('the value of %s was read' % key)


@pytest.mark.parametrize('present, given, missing', [
    ([], [], [ADMIN, NOVA_DB]),  # a fresh control node: the replaceable key is never missing
    (['admin', 'nova_db', 'nova_memcache'], [], []),
    (['admin', 'nova_db'], [], []),
    (['nova_db', 'nova_db.bak'], [], [ADMIN]),
    ([], ['nova_db_password'], [ADMIN]),  # set in the inventory, from a Vault file say
    (['admin'], HostVars(nova_db_password='vaulted', ansible_host='192.0.2.11'), []),
    ([], HostVars(ansible_host='192.0.2.11'), [ADMIN, NOVA_DB]),
])
def test_secrets_missing(present, given, missing):
    assert SECRETS_MISSING(SECRETS, present, given) == missing


@pytest.mark.parametrize('args, message', [
    (('admin', [], []), 'secrets_missing expects the list of the generated secrets (openstack_generated_secrets)'),
    (([{'file': 'admin'}], [], []), 'secrets_missing expects each secret as {file, variable, ...}'),
    (([dict(ADMIN, replaceable=True)], [], []), 'secrets_missing expects each secret to be replaceable or to say'),
    (([{'file': 'admin', 'variable': 'x'}], [], []), 'secrets_missing expects each secret to be replaceable or to say'),
    ((SECRETS, 'admin', []), 'secrets_missing expects the names of the files in openstack_secrets_dir'),
    ((SECRETS, [1], []), 'secrets_missing expects the names of the files in openstack_secrets_dir'),
    ((SECRETS, [], 'nova_db_password'), "secrets_missing expects the variables the inventory sets (a host's hostvars)"),
    ((SECRETS, [], None), "secrets_missing expects the variables the inventory sets (a host's hostvars)"),
])
def test_wrong_arguments_say_what_is_expected(args, message):
    with pytest.raises(AnsibleFilterError, match='^' + re.escape(message)):
        SECRETS_MISSING(*args)


def test_documented_beside_it():
    with open(os.path.join(os.path.dirname(secrets.__file__), 'secrets_missing.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == 'secrets_missing'
    assert set(doc['DOCUMENTATION']['options']) == {'_input'} | set(list(inspect.signature(SECRETS_MISSING).parameters)[1:])
    assert 'stackroll.lifecycle.secrets_missing' in doc['EXAMPLES']
