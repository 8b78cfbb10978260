#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: rabbitmq_password
short_description: Make a RabbitMQ user, or set its password, with the password kept off every command line
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Runs on a node of RabbitMQ, as root, with C(rabbitmqctl) (no cloud
    connection, Python's standard library only).
  - Asks the node whether O(user) authenticates with O(password)
    (C(rabbitmqctl authenticate_user)). If it does, changes nothing. If it
    does not, reads the node's users (C(rabbitmqctl list_users)) and adds
    O(user) (C(rabbitmqctl add_user)) or changes its password
    (C(rabbitmqctl change_password)).
  - The password reaches C(rabbitmqctl) on its standard input, which these
    three commands read when their password argument is left out. No
    process's command line (C(ps), C(/proc/PID/cmdline)) ever holds it, as
    one of M(community.rabbitmq.rabbitmq_user) does.
  - Sets no permission and no tag. The role
    P(stackroll.lifecycle.openstack#role) grants them apart (its C(messaging) entry point).
options:
  user:
    description: The user's name.
    type: str
    required: true
  password:
    description:
      - Its password. C(rabbitmqctl) reads one line from its standard input
        and strips the whitespace around it, so a password that is empty,
        holds a line break or begins or ends with whitespace is refused.
    type: str
    required: true
attributes:
  check_mode:
    description: Asks the same, and says whether it would add the user or change its password, without doing it.
    support: full
  diff_mode:
    description: Has no diff.
    support: none
  idempotent:
    description: Changes nothing when the user authenticates with its password.
    support: full
'''

EXAMPLES = r'''
- name: Give nova its RabbitMQ user and password
  stackroll.lifecycle.rabbitmq_password:
    user: nova
    password: "{{ nova_rabbitmq_password }}"
  no_log: true
'''

RETURN = r'''
action:
  description:
    - What was done (or, in check mode, would be done) - V(none) (the user
      authenticates with its password), V(add_user) or V(change_password).
  returned: always
  type: str
  sample: none
'''

import json

from ansible.module_utils.basic import AnsibleModule

# rabbitmqctl reads the password as one line of its standard input, and
# strips the whitespace around it (Elixir's String.trim).
_LINE_BREAKS = ('\n', '\r')


def password_problem(password):
    """Why rabbitmqctl would not read ``password`` whole from its standard
    input, or None."""
    if password == '':
        return 'The RabbitMQ password is empty.'
    if any(character in password for character in _LINE_BREAKS):
        return 'The RabbitMQ password holds a line break; rabbitmqctl reads one line of it.'
    if password != password.strip():
        return 'The RabbitMQ password begins or ends with whitespace, which rabbitmqctl strips.'
    return None


def user_names(list_users_output):
    """The names in ``rabbitmqctl --quiet list_users --formatter json``'s
    output; ValueError when it is not that."""
    users = json.loads(list_users_output)
    if not isinstance(users, list) or not all(isinstance(user, dict) and 'user' in user for user in users):
        raise ValueError('not a JSON list of {"user": NAME, ...}')
    return [user['user'] for user in users]


def password_action(authenticates, users, user):
    """What makes ``user`` authenticate with its password: None when it
    does, else add_user for a user that does not exist, change_password
    for one that does."""
    if authenticates:
        return None
    return 'change_password' if user in users else 'add_user'


def main():
    module = AnsibleModule(
        argument_spec={
            'user': {'type': 'str', 'required': True},
            'password': {'type': 'str', 'required': True, 'no_log': True},
        },
        supports_check_mode=True,
    )
    user, password = module.params['user'], module.params['password']
    problem = password_problem(password)
    if problem:
        module.fail_json(msg='%s Set another password for the RabbitMQ user %s.' % (problem, user))
    rabbitmqctl = module.get_bin_path('rabbitmqctl', required=True)

    def run(*args, **kwargs):
        # --quiet: no prompt before the password is read, no banner.
        return module.run_command([rabbitmqctl, '--quiet'] + list(args), **kwargs)

    # Its exit status says whether the password authenticates: 0 or not.
    authenticates = run('authenticate_user', user, data=password)[0] == 0
    users = []
    if not authenticates:
        status, output, error = run('list_users', '--formatter', 'json')
        if status != 0:
            module.fail_json(msg='rabbitmqctl list_users failed (exit status %d): %s' % (status, (error or output).strip()))
        try:
            users = user_names(output)
        except ValueError as exc:
            module.fail_json(msg='rabbitmqctl list_users said what is not its list of users (%s): %s' % (exc, output.strip()))
    action = password_action(authenticates, users, user)
    if action and not module.check_mode:
        status, output, error = run(action, user, data=password)
        if status != 0:
            module.fail_json(msg='rabbitmqctl %s %s failed (exit status %d): %s' % (action, user, status, (error or output).strip()))
    module.exit_json(changed=action is not None, action=action or 'none')


if __name__ == '__main__':
    main()
