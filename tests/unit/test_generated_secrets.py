# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The generated secrets have one list: the openstack role's
openstack_generated_secrets, which the check of a fresh control node
(tasks_from: secrets) reads.

Every password lookup of a role's defaults is in it, and nothing else. Each
secret it does not let be made anew is an option of its role's main entry
point: Ansible templates those options as the role starts, so the secret is
made before the role makes what proves the cloud uses it (used_if_exists,
such as its service's database). docs/secrets.md names each one.
"""

import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = os.path.join(ROOT, 'roles')
# lookup('ansible.builtin.password', openstack_secrets_dir ~ '/NAME', ...)
LOOKUP = re.compile(r"""lookup\(\s*'ansible\.builtin\.password'\s*,\s*openstack_secrets_dir\s*~\s*'/([^']+)'""")
# The password lookup in any form.
ANY_LOOKUP = re.compile(r"""(?:lookup|query|q)\(\s*['"](?:ansible\.builtin\.)?password['"]""")


def _yaml(*parts):
    with open(os.path.join(ROOT, *parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle) or {}


def _strings(value):
    """Every text in a variable's value, as Ansible templates it."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.items():
            yield from _strings(list(item))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _generated():
    return _yaml('roles', 'openstack', 'vars', 'main.yml')['openstack_generated_secrets']


def _lookups():
    """{(role, variable, file)} of every password lookup in the roles' defaults."""
    found = set()
    for role in sorted(os.listdir(ROLES)):
        path = os.path.join('roles', role, 'defaults', 'main.yml')
        if not os.path.exists(os.path.join(ROOT, path)):
            continue
        for variable, value in _yaml(path).items():
            text = '\n'.join(_strings(value))
            files = LOOKUP.findall(text)
            # A password lookup in another form would escape the list.
            assert len(files) == len(ANY_LOOKUP.findall(text)), (
                '%s: %s makes a secret in a form this test does not read: %s' % (path, variable, text))
            found.update((role, variable, name) for name in files)
    return found


def test_every_password_lookup_of_the_defaults_is_listed():
    lookups = {(variable, name) for _role, variable, name in _lookups()}
    listed = {(secret['variable'], secret['file']) for secret in _generated()}
    assert lookups, 'no password lookup found in roles/*/defaults/main.yml'
    assert sorted(lookups - listed) == [], 'make roles/openstack/vars/main.yml list these'
    assert sorted(listed - lookups) == [], 'no role default makes these'


def test_each_secret_is_replaceable_or_says_what_proves_it_in_use():
    for secret in _generated():
        assert set(secret) in ({'file', 'variable', 'replaceable'}, {'file', 'variable', 'used_if_exists'}), secret
        assert secret.get('replaceable', True) is True, secret
        assert 'used_if_exists' not in secret or secret['used_if_exists'].startswith('/'), secret


@pytest.mark.parametrize('role, variable, name', sorted(_lookups()))
def test_a_secret_kept_is_made_as_its_role_starts(role, variable, name):
    secret = next(secret for secret in _generated() if secret['file'] == name)
    if secret.get('replaceable'):
        return
    option = _yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options'].get(variable)
    assert option is not None, '%s is not an option of the %s role, so it is made only where it is used' % (variable, role)
    assert option.get('no_log') is True, '%s of the %s role must be no_log' % (variable, role)


def test_the_docs_name_every_secret():
    with open(os.path.join(ROOT, 'docs', 'secrets.md'), encoding='utf-8') as handle:
        text = handle.read()
    for secret in _generated():
        assert '`%s`' % secret['file'] in text and '`%s`' % secret['variable'] in text, secret


@pytest.mark.parametrize('playbook', ['site.yml', 'upgrade.yml'])
def test_the_playbooks_check_the_secrets_before_the_roles_start(playbook):
    # The first play that reaches the hosts checks them first: a role
    # included there (nova's hypervisor check) starts the openstack role,
    # which makes openstack_admin_password as it starts.
    plays = [play for play in _yaml('playbooks', playbook) if 'hosts' in play and play['hosts'] != 'localhost']
    first = plays[0]['tasks'][0]
    assert first['ansible.builtin.include_role'] == {
        'name': 'stackroll.lifecycle.openstack', 'tasks_from': 'secrets.yml',
        **({'apply': {'tags': ['always']}} if playbook == 'site.yml' else {})}
