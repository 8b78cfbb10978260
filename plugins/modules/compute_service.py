#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: compute_service
short_description: Enable, disable or force down a compute service
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Enables or disables a nova service, found by host and binary, with a
    reason for disabling, and sets or clears its C(forced_down) flag.
  - A disabled C(nova-compute) gets no new instances from the scheduler;
    this is the first step of draining a host.
  - Fails, listing the known hosts, when no such service exists.
options:
  host:
    description: Host name of the service, as nova reports it.
    type: str
    required: true
  binary:
    description: The service's binary.
    type: str
    default: nova-compute
  state:
    description:
      - V(enabled) or V(disabled). Leave unset to keep the current status.
    type: str
    choices: [enabled, disabled]
  disabled_reason:
    description:
      - Why the service is disabled; kept by nova and shown to other
        operators. Only used with O(state=disabled).
      - When unset, an existing reason is kept.
    type: str
  forced_down:
    description:
      - Set or clear nova's C(forced_down) flag, which tells nova the host
        is down at once, without waiting for missed heartbeats (needed
        before evacuating a dead host). Leave unset to keep it.
    type: bool
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackroll.lifecycle.cloud
attributes:
  check_mode:
    description: Reports what would change, and changes nothing.
    support: full
  diff_mode:
    description: Shows the service's status, reason and forced-down flag before and after.
    support: full
  idempotent:
    description: A second run with the same arguments changes nothing.
    support: full
'''

EXAMPLES = r'''
- name: Take a compute out of scheduling before draining it
  stackroll.lifecycle.compute_service:
    host: cmp1
    state: disabled
    disabled_reason: "upgrade to 2026.2 (change 4711)"

- name: Put it back
  stackroll.lifecycle.compute_service:
    host: cmp1
    state: enabled

- name: Tell nova at once that a dead host is down
  stackroll.lifecycle.compute_service:
    host: cmp3
    forced_down: true
'''

RETURN = r'''
service:
  description: The service record after the change (predicted in check mode).
  returned: success
  type: dict
  contains:
    id:
      description: Service ID.
      type: str
    host:
      description: Host name.
      type: str
    binary:
      description: Binary name.
      type: str
    status:
      description: V(enabled) or V(disabled).
      type: str
    state:
      description: V(up) or V(down), from heartbeats.
      type: str
    disabled_reason:
      description: Why it is disabled.
      type: str
    is_forced_down:
      description: Whether nova treats the host as down regardless of heartbeats.
      type: bool
    availability_zone:
      description: Availability zone.
      type: str
    updated_at:
      description: Last heartbeat.
      type: str
'''

from ansible_collections.stackroll.lifecycle.plugins.module_utils._cloud import (
    CloudModule,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova import (
    COMPUTE_BINARY,
    ServiceNotFound,
    find_service,
    update_service,
)

_RECORD_FIELDS = ('id', 'host', 'binary', 'status', 'state', 'disabled_reason',
                  'is_forced_down', 'availability_zone', 'updated_at')


def wanted_changes(record, state=None, disabled_reason=None, forced_down=None):
    """Fields of ``record`` to change, as {field: new value}."""
    changes = {}
    if state == 'enabled' and record['status'] != 'enabled':
        changes.update(status='enabled', disabled_reason=None)
    elif state == 'disabled':
        if record['status'] != 'disabled':
            changes['status'] = 'disabled'
        if disabled_reason is not None and record['disabled_reason'] != disabled_reason:
            changes['disabled_reason'] = disabled_reason
    if forced_down is not None and bool(record['is_forced_down']) != forced_down:
        changes['is_forced_down'] = forced_down
    return changes


class ComputeServiceModule(CloudModule):
    argument_spec = dict(
        host=dict(required=True),
        binary=dict(default=COMPUTE_BINARY),
        state=dict(choices=['enabled', 'disabled']),
        disabled_reason=dict(),
        forced_down=dict(type='bool'),
    )

    def run(self):
        host, binary = self.params['host'], self.params['binary']
        service = self.service_on(host, binary)
        before = {k: service[k] for k in _RECORD_FIELDS}
        changes = wanted_changes(before, self.params['state'],
                                 self.params['disabled_reason'],
                                 self.params['forced_down'])
        after = dict(before, **changes)
        if changes and not self.check_mode:
            after = self.apply(service, changes)
        result = {'changed': bool(changes), 'service': after}
        if self.ansible._diff:
            result['diff'] = {'before': before, 'after': after}
        return result

    def service_on(self, host, binary):
        try:
            return find_service(self.conn.compute, host, binary)
        except ServiceNotFound as exc:
            self.fail_json(msg=str(exc))

    def apply(self, service, changes):
        update_service(self.conn.compute, service, changes)
        # Return what nova now holds, not what was asked for.
        fresh = self.service_on(service.host, service.binary)
        return {k: fresh[k] for k in _RECORD_FIELDS}


def main():
    ComputeServiceModule()()


if __name__ == '__main__':
    main()
