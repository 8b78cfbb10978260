# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A RabbitMQ user and its password, with a fake rabbitmqctl that keeps
its users in a file, reads passwords from its standard input as
rabbitmqctl 3.10 does when the argument is left out, and logs every
command line it was given."""
from __future__ import annotations

import json
import sys

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.stackroll.lifecycle.plugins.modules import rabbitmq_password
from ansible_collections.stackroll.lifecycle.plugins.modules.rabbitmq_password import (
    password_action,
    password_problem,
    user_names,
)

SECRET = 'Sup3rSecretRabbitPassw0rd'

# rabbitmqctl's exit statuses: 65 (dataerr) for a refused login, 70
# (software) for an existing user added again.
FAKE_RABBITMQCTL = r'''#!%(python)s
import json, sys
users_file, calls_file = %(users)r, %(calls)r
with open(calls_file, 'a') as calls:
    calls.write(json.dumps(sys.argv[1:]) + '\n')
args = [arg for arg in sys.argv[1:] if arg != '--quiet']
with open(users_file) as handle:
    users = json.load(handle)
command, rest = args[0], args[1:]
if command == 'list_users':
    print(json.dumps([{'user': name, 'tags': []} for name in users]))
    sys.exit(0)
user = rest[0]
if len(rest) > 1:
    sys.exit('the password is on the command line')
line = sys.stdin.readline()
if not line:
    sys.exit('Password is not provided via argument or stdin')
password = line.strip()
if command == 'authenticate_user':
    sys.exit(0 if users.get(user) == password else 65)
if command == 'add_user' and user in users:
    print('User "%%s" already exists' %% user, file=sys.stderr)
    sys.exit(70)
if command == 'change_password' and user not in users:
    sys.exit(70)
users[user] = password
with open(users_file, 'w') as handle:
    json.dump(users, handle)
'''


@pytest.fixture(name='rabbitmq')
def _rabbitmq(tmp_path, monkeypatch):
    """The fake rabbitmqctl on PATH; returns its users file and its log of
    command lines."""
    users, calls = tmp_path / 'users.json', tmp_path / 'calls'
    users.write_text('{}')
    program = tmp_path / 'bin' / 'rabbitmqctl'
    program.parent.mkdir()
    program.write_text(FAKE_RABBITMQCTL % {'python': sys.executable, 'users': str(users), 'calls': str(calls)})
    program.chmod(0o755)
    monkeypatch.setenv('PATH', '%s:/usr/bin:/bin' % program.parent)
    return users, calls


def run(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        rabbitmq_password.main()
    return json.loads(capsys.readouterr().out)


def commands(calls):
    return [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


@pytest.mark.parametrize('password, problem', [
    (SECRET, None),
    ('with inner spaces', None),
    ('', 'The RabbitMQ password is empty.'),
    ('two\nlines', 'The RabbitMQ password holds a line break; rabbitmqctl reads one line of it.'),
    ('carriage\rreturn', 'The RabbitMQ password holds a line break; rabbitmqctl reads one line of it.'),
    (' leading', 'The RabbitMQ password begins or ends with whitespace, which rabbitmqctl strips.'),
    ('trailing\t', 'The RabbitMQ password begins or ends with whitespace, which rabbitmqctl strips.'),
])
def test_password_problem(password, problem):
    assert password_problem(password) == problem


def test_user_names():
    assert user_names('[{"user":"guest","tags":["administrator"]},\n{"user":"nova","tags":[]}]') == ['guest', 'nova']
    assert user_names('[]') == []
    for output in ('{"user": "nova"}', '[{"name": "nova"}]', '["nova"]'):
        with pytest.raises(ValueError):
            user_names(output)
    with pytest.raises(ValueError):
        user_names('Listing users ...')


@pytest.mark.parametrize('authenticates, users, action', [
    (True, [], None),
    (True, ['nova'], None),
    (False, [], 'add_user'),
    (False, ['guest', 'neutron'], 'add_user'),
    (False, ['nova'], 'change_password'),
])
def test_password_action(authenticates, users, action):
    assert password_action(authenticates, users, 'nova') == action


def test_a_new_user_is_added(rabbitmq, capsys):
    users, calls = rabbitmq
    result = run({'user': 'nova', 'password': SECRET}, capsys)
    assert (result['changed'], result['action']) == (True, 'add_user')
    assert json.loads(users.read_text()) == {'nova': SECRET}
    assert commands(calls) == [['--quiet', 'authenticate_user', 'nova'],
                               ['--quiet', 'list_users', '--formatter', 'json'],
                               ['--quiet', 'add_user', 'nova']]


def test_a_user_whose_password_authenticates_is_left(rabbitmq, capsys):
    users, calls = rabbitmq
    users.write_text(json.dumps({'nova': SECRET}))
    result = run({'user': 'nova', 'password': SECRET}, capsys)
    assert (result['changed'], result['action']) == (False, 'none')
    assert commands(calls) == [['--quiet', 'authenticate_user', 'nova']]


def test_another_password_is_changed(rabbitmq, capsys):
    users, calls = rabbitmq
    users.write_text(json.dumps({'nova': 'an older one', 'neutron': 'kept'}))
    result = run({'user': 'nova', 'password': SECRET}, capsys)
    assert (result['changed'], result['action']) == (True, 'change_password')
    assert json.loads(users.read_text()) == {'nova': SECRET, 'neutron': 'kept'}
    assert commands(calls)[-1] == ['--quiet', 'change_password', 'nova']


def test_check_mode_says_and_changes_nothing(rabbitmq, capsys):
    users, calls = rabbitmq
    users.write_text(json.dumps({'nova': 'an older one'}))
    result = run({'user': 'nova', 'password': SECRET, '_ansible_check_mode': True}, capsys)
    assert (result['changed'], result['action']) == (True, 'change_password')
    assert json.loads(users.read_text()) == {'nova': 'an older one'}
    assert [call[1] for call in commands(calls)] == ['authenticate_user', 'list_users']


def test_the_password_is_on_no_command_line_and_in_no_result(rabbitmq, capsys):
    users, calls = rabbitmq
    users.write_text(json.dumps({'nova': 'an older one'}))
    result = run({'user': 'nova', 'password': SECRET}, capsys)
    assert result['action'] == 'change_password'
    assert SECRET not in calls.read_text()
    assert SECRET not in json.dumps(result)


def test_a_password_rabbitmqctl_cannot_read_is_refused(rabbitmq, capsys):
    users, calls = rabbitmq
    result = run({'user': 'nova', 'password': 'two\nlines'}, capsys)
    assert result['failed'] is True
    assert result['msg'] == ('The RabbitMQ password holds a line break; rabbitmqctl reads one line of it. '
                             'Set another password for the RabbitMQ user nova.')
    assert commands(calls) == []
    assert json.loads(users.read_text()) == {}


def test_a_failing_write_says_so(rabbitmq, capsys):
    users, calls = rabbitmq
    # list_users does not list it, but the node has it: add_user fails.
    program = users.parent / 'bin' / 'rabbitmqctl'
    program.write_text(program.read_text().replace("for name in users]", "for name in users if name != 'nova']"))
    users.write_text(json.dumps({'nova': 'an older one'}))
    result = run({'user': 'nova', 'password': SECRET}, capsys)
    assert result['failed'] is True
    assert result['msg'] == 'rabbitmqctl add_user nova failed (exit status 70): User "nova" already exists'
