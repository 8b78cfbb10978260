# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The keystone role's key tasks: the key files never in a log and written for keystone alone, the keys made on one
controller where they are shared, and each rotation shared before the next keystone-manage runs."""
from __future__ import annotations

import os

import yaml

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles', 'keystone')


def tasks(name):
    with open(os.path.join(ROLE, 'tasks', name), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def module(task):
    return next(key for key in task if key.startswith('ansible.builtin.'))


def test_the_key_files_are_read_and_written_without_a_log():
    by_module = {module(task): task for task in tasks('keys.yml')}
    assert by_module['ansible.builtin.slurp']['no_log'] is True
    written = by_module['ansible.builtin.copy']
    assert written['no_log'] is True
    assert {key: written['ansible.builtin.copy'][key] for key in ('owner', 'group', 'mode')} == {
        'owner': 'keystone', 'group': 'keystone', 'mode': '0600'}
    # The listings are made with checksums, which fernet_key_changes compares.
    assert all(task['ansible.builtin.find']['get_checksum'] is True
               for task in tasks('keys.yml') if module(task) == 'ansible.builtin.find')


def test_the_repositories_are_checked_before_anything_is_read():
    names = [module(task) for task in tasks('keys.yml')]
    assert names.index('ansible.builtin.assert') < names.index('ansible.builtin.slurp') < names.index(
        'ansible.builtin.copy') < names.index('ansible.builtin.file')


def test_shared_keys_are_made_on_the_key_host_and_received_elsewhere_before_keystone_starts():
    main = tasks('main.yml')
    names = [task['name'] for task in main]
    made = main[names.index('Make the fernet and credential keys')]
    assert made['when'] == 'not keystone_keys_shared | bool or inventory_hostname == keystone_key_host'
    received = main[names.index('Give this controller the keys of {{ keystone_key_host }}')]
    assert received['when'] == 'keystone_keys_shared | bool and inventory_hostname != keystone_key_host'
    assert received['ansible.builtin.include_tasks']['file'] == 'keys.yml'
    assert names.index('Make the fernet and credential keys') < names.index(
        'Give this controller the keys of {{ keystone_key_host }}') < names.index('Run keystone')


def test_each_rotation_is_shared_before_the_next_keystone_manage():
    steps = []
    for task in tasks('rotate_keys.yml'):
        if 'ansible.builtin.command' in task:
            steps.append(task['ansible.builtin.command'].split('}}', 1)[1].split()[0])
        elif 'ansible.builtin.include_tasks' in task:
            steps.append('share')
    assert steps == ['share', 'fernet_rotate', 'share', 'credential_migrate', 'credential_rotate', 'share',
                     'credential_migrate']


def test_the_rotation_runs_on_the_key_host_and_restarts_nothing():
    for task in tasks('rotate_keys.yml'):
        if 'ansible.builtin.command' in task:
            assert task['when'] == 'inventory_hostname == keystone_key_host'
        assert 'ansible.builtin.systemd_service' not in task and 'ansible.builtin.include_role' not in task
