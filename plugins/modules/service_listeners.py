#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: service_listeners
short_description: Read whether a systemd service runs and how many sockets listen on its port
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Runs on the host of the service (no cloud connection, Python's standard
    library only).
  - Says whether C(systemctl is-active) finds the service O(name) active,
    and counts the sockets that listen on O(port) as
    M(stackroll.lifecycle.port_serving) counts them (from C(/proc/net/tcp)
    and C(/proc/net/tcp6); each C(SO_REUSEPORT) listener counts once).
  - With O(stop_first), first stops that unit and waits until it stopped, so
    that its listeners are not counted.
  - The role P(stackroll.lifecycle.openstack#role) uses it before an API
    restarts behind a stand-in; an earlier stand-in, stopped without
    waiting, may still hold the port.
options:
  name:
    description: The systemd service.
    type: str
    required: true
  port:
    description: The local TCP port.
    type: int
    required: true
  address:
    description:
      - Count only the sockets bound to this local address, such as the
        address the service binds. A load balancer's listener on the same
        port of a virtual IP is then not counted.
      - Empty or unset counts the sockets of every address.
    type: str
  stop_first:
    description:
      - A systemd unit stopped first, waiting until it stopped. A unit that
        is not loaded (such as a transient unit gone) is no error.
      - Not reported as a change, as it is meant for a unit that is being
        stopped already. Not stopped in check mode.
    type: str
attributes:
  check_mode:
    description: Reads the same, and does not stop O(stop_first).
    support: full
  diff_mode:
    description: Has no diff.
    support: none
  idempotent:
    description: Stops O(stop_first) only; reports no change.
    support: full
'''

EXAMPLES = r'''
- name: Read whether nova-api runs and its listeners, once a stand-in of it stopped
  stackroll.lifecycle.service_listeners:
    name: nova-api
    port: 8774
    # Its own listeners, not a load balancer's on the virtual IP.
    address: 192.0.2.11
    stop_first: nova-api-standin
  register: nova_api

- name: Say what was found
  ansible.builtin.debug:
    msg: "nova-api is {{ nova_api.state }}, {{ nova_api.listeners }} socket(s) listen on 8774"
'''

RETURN = r'''
active:
  description: Whether C(systemctl is-active) said O(name) is C(active).
  returned: always
  type: bool
  sample: true
state:
  description: What C(systemctl is-active) said of O(name).
  returned: always
  type: str
  sample: active
listeners:
  description: How many sockets listen on O(port), of any address (IPv4 or IPv6) or of O(address).
  returned: always
  type: int
  sample: 3
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackroll.lifecycle.plugins.module_utils._listeners import address_problem, count_listeners


def main():
    module = AnsibleModule(
        argument_spec={
            'name': {'type': 'str', 'required': True},
            'port': {'type': 'int', 'required': True},
            'address': {'type': 'str'},
            'stop_first': {'type': 'str'},
        },
        supports_check_mode=True,
    )
    params = module.params
    problem = address_problem(params['address'])
    if problem:
        module.fail_json(msg=problem)
    systemctl = module.get_bin_path('systemctl', required=True)
    if params['stop_first'] and not module.check_mode:
        # Its exit status is not read: a unit that is not loaded has nothing to stop.
        module.run_command([systemctl, 'stop', params['stop_first']])
    state = module.run_command([systemctl, 'is-active', params['name']])[1].strip()
    module.exit_json(changed=False, active=state == 'active', state=state,
                     listeners=count_listeners(params['port'], address=params['address']))


if __name__ == '__main__':
    main()
