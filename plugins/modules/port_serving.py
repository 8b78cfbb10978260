#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: port_serving
short_description: Wait until a local port has its listeners and a URL answers every time
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Runs on the host that serves the port (no cloud connection, Python's
    standard library only).
  - Waits until at least O(listeners) TCP sockets listen on O(port) and
    O(url) then answers O(answers) times in a row. Polls every O(delay)
    seconds and fails after O(timeout) seconds.
  - Counts the listeners from C(/proc/net/tcp) and C(/proc/net/tcp6), as
    C(ss -Hltn 'sport = :PORT') counts them, without needing C(ss). Each
    C(SO_REUSEPORT) listener counts once.
  - Any HTTP status below 500 is an answer; a 5xx status, a refused
    connection or no response within O(answer_timeout) seconds is not.
  - Answers in a row, because the kernel hands each new connection to one
    C(SO_REUSEPORT) listener at random. A listener whose process does not
    accept yet (a gunicorn worker that still loads its application) holds
    some of them, so one answer proves little and many in a row prove that
    every listener serves.
  - The role P(stackroll.lifecycle.openstack#role) uses it to restart an API
    behind a stand-in without a gap.
options:
  port:
    description: The local TCP port.
    type: int
    required: true
  address:
    description:
      - Count only the sockets bound to this local address, such as the
        address a service binds. A load balancer's listener on the same port
        of a virtual IP is then not counted.
      - Empty or unset counts the sockets of every address.
    type: str
  listeners:
    description: How many sockets must at least listen on O(port), of any address (IPv4 or IPv6) or of O(address).
    type: int
    default: 1
  url:
    description: What to ask, usually on O(port) of this host.
    type: str
    required: true
  answers:
    description: How many answers in a row O(url) must give.
    type: int
    default: 16
  answer_timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 2
  timeout:
    description: Seconds to wait, at most, before failing.
    type: float
    default: 60
  delay:
    description: Seconds between two looks.
    type: float
    default: 1
  give_up_unless_active:
    description:
      - A systemd unit (such as a stand-in that may fail to bind O(port)).
        The module fails at once, with RV(unit_active) false, as soon as
        C(systemctl is-active) says that unit is not active.
    type: str
extends_documentation_fragment:
  - stackroll.lifecycle.read_only
'''

EXAMPLES = r'''
- name: Wait until nova-api's three workers listen and answer
  stackroll.lifecycle.port_serving:
    port: 8774
    listeners: 3
    url: http://127.0.0.1:8774/

- name: Wait for a stand-in, unless it exits
  stackroll.lifecycle.port_serving:
    port: 8774
    listeners: 4
    url: http://127.0.0.1:8774/
    timeout: 30
    give_up_unless_active: nova-api-standin
  register: standin
  failed_when: false

- name: Say whether the stand-in served, and if not, why
  ansible.builtin.debug:
    msg: "The stand-in {{ 'served' if standin.serving | default(false) else 'did not serve' }}: {{ standin.msg | default('') }}"
'''

RETURN = r'''
serving:
  description: Whether the port had its listeners and the URL answered O(answers) times in a row.
  returned: always
  type: bool
  sample: true
listeners:
  description: How many sockets listened on O(port) at the last look.
  returned: always
  type: int
  sample: 4
answers:
  description: How many answers in a row O(url) gave at the last look; null when too few listeners were found to ask.
  returned: always
  type: int
  sample: 16
unit_active:
  description: Whether O(give_up_unless_active) was active at the last look; null without it.
  returned: always
  type: bool
  sample: true
elapsed:
  description: Seconds waited.
  returned: always
  type: float
  sample: 2.31
'''

import http.client
import time
import urllib.error

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url

from ansible_collections.stackroll.lifecycle.plugins.module_utils._listeners import address_problem, count_listeners


def answers(url, timeout):
    """Whether ``url`` answers: any HTTP status below 500."""
    try:
        open_url(url, timeout=timeout).close()
        return True
    except urllib.error.HTTPError as error:
        error.close()
        return error.code < 500
    except (OSError, http.client.HTTPException, UrlsConnectionError):
        return False


def answers_in_a_row(url, wanted, timeout):
    count = 0
    while count < wanted and answers(url, timeout):
        count += 1
    return count


def wait(look, timeout, delay, clock=time.monotonic, sleep=time.sleep):
    """Call ``look`` every ``delay`` seconds until what it saw is serving,
    its unit is not active, or ``timeout`` seconds passed (with one last
    look then). What the last look saw, with the seconds waited."""
    start = clock()
    while True:
        seen = look()
        waited = clock() - start
        if seen['serving'] or seen['unit_active'] is False or waited >= timeout:
            seen['elapsed'] = round(waited, 2)
            return seen
        sleep(max(0.0, min(delay, timeout - waited)))


def failure(params, seen):
    """Why the port does not serve, and where to look."""
    port, unit = params['port'], params['give_up_unless_active']
    if seen['unit_active'] is False:
        return ('%s is not active after %s s: it exited, perhaps as it could not listen on port %s; '
                'see journalctl -u %s' % (unit, seen['elapsed'], port, unit))
    where = ' of %s' % params['address'] if params['address'] else ''
    found = '%s of %s listeners on port %s%s' % (seen['listeners'], params['listeners'], port, where)
    if seen['answers'] is None:
        found += ', so %s was not asked' % params['url']
    else:
        found += ', %s of %s answers in a row from %s' % (seen['answers'], params['answers'], params['url'])
    return ('Port %s not serving after %s s: %s. See the journal of the service that should listen '
            'there (journalctl -u <service>): a worker that does not start, or answers with 5xx.'
            % (port, seen['elapsed'], found))


def main():
    module = AnsibleModule(
        argument_spec={
            'port': {'type': 'int', 'required': True},
            'address': {'type': 'str'},
            'listeners': {'type': 'int', 'default': 1},
            'url': {'type': 'str', 'required': True},
            'answers': {'type': 'int', 'default': 16},
            'answer_timeout': {'type': 'float', 'default': 2},
            'timeout': {'type': 'float', 'default': 60},
            'delay': {'type': 'float', 'default': 1},
            'give_up_unless_active': {'type': 'str'},
        },
        supports_check_mode=True,
    )
    params = module.params
    problem = address_problem(params['address'])
    if problem:
        module.fail_json(msg=problem)
    unit = params['give_up_unless_active']
    systemctl = module.get_bin_path('systemctl', required=True) if unit else None

    def look():
        seen = {'serving': False, 'listeners': 0, 'answers': None, 'unit_active': None}
        if unit:
            seen['unit_active'] = module.run_command([systemctl, 'is-active', '-q', unit])[0] == 0
        seen['listeners'] = count_listeners(params['port'], address=params['address'])
        if seen['unit_active'] is not False and seen['listeners'] >= params['listeners']:
            seen['answers'] = answers_in_a_row(params['url'], params['answers'], params['answer_timeout'])
            seen['serving'] = seen['answers'] == params['answers']
        return seen

    try:
        seen = wait(look, params['timeout'], params['delay'])
    except ValueError as error:  # not a URL urllib can open
        module.fail_json(msg='Cannot ask %s: %s' % (params['url'], error))
    if not seen['serving']:
        module.fail_json(msg=failure(params, seen), changed=False, **seen)
    module.exit_json(changed=False, **seen)


if __name__ == '__main__':
    main()
