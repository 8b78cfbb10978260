# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""keystone's key repositories shared by the controllers: whether the one handed out is whole
(fernet_key_problems), and what a controller receives and drops to hold the same (fernet_key_changes)."""
from __future__ import annotations

import inspect
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import keystone_keys
from ansible_collections.stackroll.lifecycle.plugins.filter.keystone_keys import FilterModule

FILTERS = FilterModule().filters()
PROBLEMS = FILTERS['fernet_key_problems']
CHANGES = FILTERS['fernet_key_changes']
FERNET = '/etc/keystone/fernet-keys'
CREDENTIAL = '/etc/keystone/credential-keys'
REPOSITORIES = [FERNET, CREDENTIAL]


def listing(*files):
    """An ansible.builtin.find result with get_checksum: each file as (path, checksum[, size])."""
    return {'changed': False, 'examined': len(files), 'matched': len(files), 'skipped_paths': {},
            'files': [{'path': path, 'size': rest[0] if rest else 44, 'checksum': checksum, 'isreg': True,
                       'mode': '0600', 'pw_name': 'keystone', 'gr_name': 'keystone'}
                      for path, checksum, *rest in files]}


def keys(repository, *numbers, prefix='k'):
    """The key files numbers of repository, each with a checksum named after it."""
    return [('%s/%s' % (repository, number), '%s%s' % (prefix, number)) for number in numbers]


# As keystone-manage fernet_setup and credential_setup leave them: a staged key and a primary.
SETUP = listing(*keys(FERNET, 0, 1), *keys(CREDENTIAL, 0, 1, prefix='c'))


# fernet_key_problems

def test_repositories_as_setup_leaves_them_are_whole():
    assert PROBLEMS(SETUP, REPOSITORIES, 'ctl1') == []


def test_a_rotated_repository_with_secondary_keys_is_whole():
    assert PROBLEMS(listing(*keys(FERNET, 0, 3, 4, 5, 6), *keys(CREDENTIAL, 0, 2, 3)), REPOSITORIES, 'ctl1') == []


def test_files_that_are_no_keys_are_left_alone():
    # 0.tmp is what an interrupted rotation leaves; keystone reads no other file than the numbered ones.
    found = listing(*keys(FERNET, 0, 1), (FERNET + '/0.tmp', 'x'), (FERNET + '/README', 'y', 0),
                    *keys(CREDENTIAL, 0, 1))
    assert PROBLEMS(found, REPOSITORIES, 'ctl1') == []


def test_a_trailing_slash_names_the_same_repository():
    assert PROBLEMS(SETUP, [FERNET + '/', CREDENTIAL + '/'], 'ctl1') == []


def test_keys_never_made_say_to_run_site_yml_there():
    assert PROBLEMS(listing(), REPOSITORIES, 'ctl1') == [
        "keystone's key repository %s on ctl1 holds no key: run site.yml on ctl1 first (its keystone role makes the"
        ' keys there with keystone-manage fernet_setup and credential_setup); the other controllers receive them from'
        ' it' % repository for repository in REPOSITORIES]


def test_a_repository_without_staged_key():
    assert PROBLEMS(listing(*keys(FERNET, 1, 2), *keys(CREDENTIAL, 0, 1)), REPOSITORIES, 'ctl1') == [
        "keystone's key repository /etc/keystone/fernet-keys on ctl1 has no staged key (0), which every repository"
        ' has after keystone-manage fernet_setup, credential_setup or a rotation; a repository without it was changed'
        ' by hand or a rotation was interrupted: restore the repository from a backup, or rotate the keys (playbook'
        ' stackroll.lifecycle.rotate_keys)']


def test_a_repository_with_a_staged_key_only_has_no_primary():
    assert PROBLEMS(listing(*keys(FERNET, 0, 1), *keys(CREDENTIAL, 0)), REPOSITORIES, 'ctl2') == [
        "keystone's key repository /etc/keystone/credential-keys on ctl2 has no primary key (a number above 0), with"
        ' which keystone encrypts; restore the repository from a backup, or rotate the keys (playbook'
        ' stackroll.lifecycle.rotate_keys)']


def test_empty_key_files_are_named():
    found = listing(*keys(FERNET, 0, 1), (FERNET + '/2', 'e', 0), (FERNET + '/3', 'e', 0), *keys(CREDENTIAL, 0, 1))
    assert PROBLEMS(found, REPOSITORIES, 'ctl1') == [
        "keystone's key repository /etc/keystone/fernet-keys on ctl1 has empty key files (2, 3), which keystone"
        ' ignores; restore them from a backup']


def test_a_key_number_spelt_otherwise_is_named():
    found = listing(*keys(FERNET, 0, 1), (FERNET + '/01', 'z'), *keys(CREDENTIAL, 0, 1))
    assert PROBLEMS(found, REPOSITORIES, 'ctl1') == [
        "keystone's key repository /etc/keystone/fernet-keys on ctl1 has files keystone reads as key numbers written"
        ' otherwise (01); rename or remove them so that each key has one file']


def test_each_repository_is_judged_and_files_elsewhere_do_not_count():
    found = listing(*keys(FERNET, 0, 1), ('/etc/keystone/other/0', 'a'), ('/etc/keystone/other/1', 'b'))
    problems = PROBLEMS(found, REPOSITORIES, 'ctl1')
    assert len(problems) == 1 and problems[0].startswith("keystone's key repository %s on ctl1 holds no key" % CREDENTIAL)


# fernet_key_changes

def test_the_same_repositories_change_nothing():
    assert CHANGES(SETUP, SETUP, REPOSITORIES) == {'receive': [], 'drop': []}


def test_a_new_controller_receives_every_key_the_staged_ones_last():
    assert CHANGES(SETUP, listing(), REPOSITORIES) == {
        'receive': [FERNET + '/1', FERNET + '/0', CREDENTIAL + '/1', CREDENTIAL + '/0'], 'drop': []}


def test_after_a_rotation_the_new_primary_arrives_first_and_the_purged_key_goes_last():
    # max_active_keys 3: the rotation on the first controller made the staged key 0 the primary 3, a new
    # staged key, and purged key 1.
    before = listing(*keys(FERNET, 0, 1, 2), *keys(CREDENTIAL, 0, 1, prefix='c'))
    after = listing((FERNET + '/0', 'k-new'), (FERNET + '/2', 'k2'), (FERNET + '/3', 'k0'),
                    *keys(CREDENTIAL, 0, 1, prefix='c'))
    assert CHANGES(after, before, REPOSITORIES) == {'receive': [FERNET + '/3', FERNET + '/0'], 'drop': [FERNET + '/1']}


def test_a_key_of_other_content_is_replaced():
    mine = listing(*keys(FERNET, 0, 1), (CREDENTIAL + '/0', 'own0'), (CREDENTIAL + '/1', 'own1'))
    theirs = listing(*keys(FERNET, 0, 1), *keys(CREDENTIAL, 0, 1, prefix='c'))
    assert CHANGES(theirs, mine, REPOSITORIES) == {'receive': [CREDENTIAL + '/1', CREDENTIAL + '/0'], 'drop': []}


def test_a_key_of_the_same_content_but_another_mode_or_owner_is_written_again():
    mine = listing(*keys(FERNET, 0, 1), *keys(CREDENTIAL, 0, 1, prefix='c'))
    mine['files'][1]['mode'] = '0644'
    mine['files'][3]['pw_name'] = 'root'
    assert CHANGES(SETUP, mine, REPOSITORIES) == {'receive': [FERNET + '/1', CREDENTIAL + '/1'], 'drop': []}


def test_keys_numbered_ten_and_above_sort_as_numbers():
    theirs = listing(*keys(FERNET, 0, 9, 10, 11), *keys(CREDENTIAL, 0, 1))
    mine = listing(*keys(FERNET, 0, 2, 9, 10), *keys(CREDENTIAL, 0, 1))
    assert CHANGES(theirs, mine, REPOSITORIES) == {'receive': [FERNET + '/11'], 'drop': [FERNET + '/2']}


def test_files_that_are_no_keys_are_neither_copied_nor_removed():
    theirs = listing(*keys(FERNET, 0, 1), (FERNET + '/0.tmp', 't'))
    mine = listing(*keys(FERNET, 0, 1), (FERNET + '/notes', 'n'), (FERNET + '/01', 'z'))
    assert CHANGES(theirs, mine, REPOSITORIES) == {'receive': [], 'drop': []}


# Arguments

@pytest.mark.parametrize('arguments, message', [
    (({'files': 'x'}, REPOSITORIES, 'ctl1'), 'fernet_key_problems expects the listing as the registered result of'
                                             ' ansible.builtin.find'),
    (({'rc': 0}, REPOSITORIES, 'ctl1'), 'the registered result of ansible.builtin.find'),
    (({'files': [{'path': FERNET + '/0'}]}, REPOSITORIES, 'ctl1'), 'each file of the listing'),
    ((SETUP, FERNET, 'ctl1'), 'repositories as a list of strings'),
    ((SETUP, [], 'ctl1'), 'repositories as a list of absolute directories'),
    ((SETUP, ['fernet-keys'], 'ctl1'), 'repositories as a list of absolute directories'),
    ((SETUP, REPOSITORIES, ''), 'host as a string'),
])
def test_problems_say_what_they_expect(arguments, message):
    with pytest.raises(AnsibleFilterError, match=message):
        PROBLEMS(*arguments)


def test_changes_need_the_checksums():
    without = {'files': [{'path': FERNET + '/0', 'size': 44}]}
    with pytest.raises(AnsibleFilterError, match='find with get_checksum'):
        CHANGES(without, SETUP, REPOSITORIES)
    with pytest.raises(AnsibleFilterError, match='fernet_key_changes expects each file of the target listing'):
        CHANGES(SETUP, without, REPOSITORIES)


@pytest.mark.parametrize('name', sorted(FILTERS))
def test_documented_beside_it(name):
    with open(os.path.join(os.path.dirname(keystone_keys.__file__), name + '.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == name
    assert set(doc['DOCUMENTATION']['options']) == {'_input'} | set(list(inspect.signature(FILTERS[name]).parameters)[1:])
    assert 'stackroll.lifecycle.' + name in doc['EXAMPLES']
