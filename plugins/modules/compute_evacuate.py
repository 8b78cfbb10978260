#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: compute_evacuate
short_description: Drain compute hosts by live migration, and prove every move
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Disables the given compute hosts, then moves every instance off them,
    several at once within a global and a per-source-host limit.
  - A move counts only when nova's migration record is complete, the
    instance runs on a host other than the drained ones, and its state is
    what it was. A server's status alone is never taken as proof.
  - Everything is checked before anything changes (unknown hosts, bad
    limits, a host both drained and a target, and whether the eligible
    targets have the room in placement for everything on the hosts).
  - Transient refusals (such as nova's C(409 ... in power_state pending)
    right after a compute restart) are retried with backoff; a migration
    that outlives O(timeout) is aborted or forced to complete, as chosen.
  - The drained hosts stay disabled. A failed drain fails the task and
    lists the instances still on them.
options:
  hosts:
    description:
      - Compute hosts to drain, as nova names them.
      - Required unless O(instances) is given.
    type: list
    elements: str
    default: []
  instances:
    description:
      - Move only these instances (names or IDs), for example to refill a
        host after its maintenance. Their hosts are not disabled.
      - The sources are O(hosts) if given, else the hosts the instances
        run on. An instance already on one of O(targets) stays put.
    type: list
    elements: str
  ignore_missing:
    description:
      - With O(instances), pass over instances that no longer exist (and
        list them in RV(plan.missing)) instead of refusing to start.
    type: bool
    default: false
  targets:
    description:
      - Restrict the destinations to these hosts. By default nova's
        scheduler chooses.
    type: list
    elements: str
  target_aggregate:
    description: Restrict the destinations to the hosts of this aggregate.
    type: str
  exclude:
    description: Hosts that must never receive an instance.
    type: list
    elements: str
    default: []
  concurrency:
    description: Live migrations in flight at once, over all hosts.
    type: int
    default: 4
  per_host_concurrency:
    description:
      - Live migrations in flight at once from one source host.
      - Raise it together with nova's C(max_concurrent_live_migrations) on
        the computes; with nova's default of 1, more only queue.
    type: int
    default: 1
  timeout:
    description: Seconds one migration may run before O(timeout_action).
    type: float
    default: 600
  timeout_action:
    description:
      - What to do with a migration that outlives O(timeout).
      - V(abort) (compute API 2.24) leaves the instance running on its source;
        V(force_complete) (2.22) pauses it to finish the copy.
    type: str
    choices: [abort, force_complete]
    default: abort
  non_live_policy:
    description:
      - What to do with instances that cannot be live-migrated.
      - V(cold_migrate) cold-migrates and confirms shut-off instances,
        V(skip) moves everything else and reports them (the drain then
        fails, since they remain), V(fail) refuses to start.
    type: str
    choices: [cold_migrate, skip, fail]
    default: fail
  retries:
    description: Retries of a transient refusal, with exponential backoff.
    type: int
    default: 5
  retry_delay:
    description: First backoff delay, in seconds.
    type: float
    default: 5
  block_migration:
    description: Block migration (V(auto) lets nova decide).
    type: raw
    default: auto
  poll_interval:
    description: Seconds between looks at the running migrations.
    type: float
    default: 2
  capacity_check:
    description: Check the targets' free resources in placement before acting.
    type: bool
    default: true
  disabled_reason:
    description: Reason recorded on the drained hosts' compute services.
    type: str
    default: drained by stackroll.lifecycle.compute_evacuate
  enable_on_failure:
    description: Re-enable a host this drain disabled if it could not be emptied.
    type: bool
    default: false
notes:
  - How fast a drain goes depends on the release. Up to 2026.1
    (oslo.messaging 17 and before), an RPC call waits for its reply in
    steps of 0.5 s, and a live migration makes dozens of them. On the lab, a
    single migration takes about 28 s on 2026.1 and 9 s on 2026.2.
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackroll.lifecycle.cloud
attributes:
  check_mode:
    description: Returns the plan (what would move, in what order, what is blocked) and changes nothing.
    support: full
  diff_mode:
    description: Not supported.
    support: none
  idempotent:
    description: Draining an empty, disabled host changes nothing.
    support: full
'''

EXAMPLES = r'''
- name: Drain cmp3 for maintenance, eight migrations at once
  stackroll.lifecycle.compute_evacuate:
    hosts: [cmp3]
    concurrency: 8
    per_host_concurrency: 8
    timeout: 300
    timeout_action: abort
    non_live_policy: cold_migrate
    disabled_reason: "kernel upgrade, change 4711"
  register: drain

- name: Bring two instances back to cmp3 after its maintenance
  stackroll.lifecycle.compute_evacuate:
    instances: [web-1, web-2]
    targets: [cmp3]
    ignore_missing: true

- name: Show what would move, without moving anything
  stackroll.lifecycle.compute_evacuate:
    hosts: [cmp1, cmp2]
    targets: [cmp5, cmp6]
  check_mode: true
  register: plan
'''

RETURN = r'''
plan:
  description: What the drain does (or would do, in check mode).
  returned: always
  type: dict
  contains:
    moves:
      description: Instances to move, in order, with method and target (null when the scheduler picks).
      type: list
      elements: dict
    blocked:
      description: Instances that cannot be moved under O(non_live_policy), with the reason.
      type: list
      elements: dict
    skipped:
      description: Instances left on their host under O(non_live_policy=skip).
      type: list
      elements: dict
    in_place:
      description: With O(instances), those already on one of O(targets).
      type: list
      elements: dict
    missing:
      description: With O(instances) and O(ignore_missing), those nova does not know.
      type: list
      elements: str
    capacity:
      description: The placement capacity check and any shortfall per resource class.
      type: dict
    problems:
      description: Why the drain cannot start; empty when it can.
      type: list
      elements: str
instances:
  description: Per instance, source, target, method, duration, attempts, outcome and reason.
  returned: when not in check mode
  type: list
  elements: dict
totals:
  description: Counts of moved, cold-migrated, skipped and failed instances, and the instances still on the hosts.
  returned: when not in check mode
  type: dict
hosts:
  description: Each drained host, whether it is empty, and what was done with its service.
  returned: when not in check mode
  type: list
  elements: dict
timeout_action:
  description: The action applied to migrations that outlive O(timeout), and its microversion.
  returned: always
  type: dict
'''

import time

from ansible_collections.stackroll.lifecycle.plugins.module_utils._cloud import (
    CloudModule,
    describe_error,
    ksa_exceptions,
    sdk_exceptions,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_actions import (
    EvacuationActions,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_plan import (
    plan_evacuation,
    select_instances,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_report import (
    MOVED,
    summary_message,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_request import (
    DEFAULTS,
    normalize_request,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_run import (
    Evacuation,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova import (
    ABORT_MIGRATION,
    COMPUTE_BINARY,
    FORCE_COMPLETE,
    LIVE_MIGRATE,
    MIGRATION_RECORDS,
    ServiceNotFound,
    find_service,
    update_service,
)


def _server_dict(server):
    return {'id': server.id, 'name': server.name, 'host': server.compute_host,
            'status': server.status, 'task_state': server.task_state,
            'power_state': server.power_state,
            'flavor': {k: getattr(server.flavor, k, None) or 0
                       for k in ('vcpus', 'ram', 'disk', 'ephemeral', 'swap')}}


def read_providers(placement):
    """Inventories and usages of each resource provider, by name."""
    providers = {}
    for provider in placement.resource_providers():
        base = '/resource_providers/%s/' % provider.id
        providers[provider.name] = {key: _placement_read(placement, base + key, key)
                                    for key in ('inventories', 'usages')}
    return providers


def _placement_read(placement, path, key):
    """``key`` of placement's answer to GET ``path``."""
    response = placement.get(path)
    sdk_exceptions.raise_from_response(response)
    try:
        return response.json()[key]
    except (ValueError, KeyError, TypeError):
        raise sdk_exceptions.SDKException(
            "placement's answer to GET %s has no %r" % (path, key)) from None


def placement_error(exc):
    """The failure message when the capacity check cannot read placement."""
    return ('Nothing was done. The capacity check could not read placement: %s. '
            'Check that placement runs and that this user may read it, or set '
            'capacity_check=false to drain without the check.' % describe_error(exc).rstrip('.'))


class NovaActions(EvacuationActions):
    """The engine's requests, made through openstacksdk."""

    def __init__(self, conn):
        self.compute = conn.compute
        self.known_migrations = {}

    def _migrations(self, server_id):
        response = self.compute.get(
            '/os-migrations?instance_uuid=%s' % server_id,
            microversion=MIGRATION_RECORDS)
        sdk_exceptions.raise_from_response(response)
        return response.json()['migrations']

    def _remember(self, server_id):
        # get_migration must find the record of the latest request only.
        self.known_migrations[server_id] = {m['id'] for m in self._migrations(server_id)}

    def live_migrate(self, server_id, target, block_migration):
        self._remember(server_id)
        # At openstacksdk's 2.30 the request waits for nova's pre-checks, so
        # a drain would start its migrations one pre-check at a time.
        response = self.compute.post(
            '/servers/%s/action' % server_id, microversion=LIVE_MIGRATE,
            json={'os-migrateLive': {'host': target, 'block_migration': block_migration}})
        sdk_exceptions.raise_from_response(response)

    def cold_migrate(self, server_id, target):
        self._remember(server_id)
        self.compute.migrate_server(server_id, host=target)

    def confirm_migration(self, server_id):
        self.compute.confirm_server_resize(server_id)

    def get_migration(self, server_id):
        known = self.known_migrations.get(server_id, set())
        new = [m for m in self._migrations(server_id) if m['id'] not in known]
        if not new:
            return None
        record = max(new, key=lambda m: m['id'])
        return {'id': record['id'], 'status': record['status'],
                'source_compute': record['source_compute'],
                'dest_compute': record['dest_compute'], 'reason': None}

    def get_server(self, server_id):
        return _server_dict(self.compute.get_server(server_id))

    def find_server(self, name_or_id):
        server = self.compute.find_server(name_or_id, ignore_missing=True,
                                          all_projects=True)
        return server and _server_dict(server)

    def force_complete(self, server_id, migration_id):
        response = self.compute.post(
            '/servers/%s/migrations/%s/action' % (server_id, migration_id),
            json={'force_complete': None}, microversion=FORCE_COMPLETE)
        sdk_exceptions.raise_from_response(response)

    def abort(self, server_id, migration_id):
        response = self.compute.delete(
            '/servers/%s/migrations/%s' % (server_id, migration_id),
            microversion=ABORT_MIGRATION)
        sdk_exceptions.raise_from_response(response)

    def servers_on_host(self, host):
        return [_server_dict(s) for s in
                self.compute.servers(details=True, all_projects=True, compute_host=host)]


class ComputeEvacuateModule(CloudModule):
    # The defaults are the engine's (evacuation.DEFAULTS).
    argument_spec = dict(
        hosts=dict(type='list', elements='str', default=DEFAULTS['hosts']),
        instances=dict(type='list', elements='str'),
        ignore_missing=dict(type='bool', default=DEFAULTS['ignore_missing']),
        targets=dict(type='list', elements='str'),
        target_aggregate=dict(),
        exclude=dict(type='list', elements='str', default=DEFAULTS['exclude']),
        concurrency=dict(type='int', default=DEFAULTS['concurrency']),
        per_host_concurrency=dict(type='int', default=DEFAULTS['per_host_concurrency']),
        timeout=dict(type='float', default=DEFAULTS['timeout']),
        timeout_action=dict(choices=['abort', 'force_complete'], default=DEFAULTS['timeout_action']),
        non_live_policy=dict(choices=['cold_migrate', 'skip', 'fail'], default=DEFAULTS['non_live_policy']),
        retries=dict(type='int', default=DEFAULTS['retries']),
        retry_delay=dict(type='float', default=DEFAULTS['retry_delay']),
        block_migration=dict(type='raw', default=DEFAULTS['block_migration']),
        poll_interval=dict(type='float', default=DEFAULTS['poll_interval']),
        capacity_check=dict(type='bool', default=DEFAULTS['capacity_check']),
        disabled_reason=dict(default=DEFAULTS['disabled_reason']),
        enable_on_failure=dict(type='bool', default=DEFAULTS['enable_on_failure']),
    )

    def run(self):
        request = normalize_request(self.params)
        actions = NovaActions(self.conn)
        services = self.services()
        selection = servers = None
        if request['instances']:
            selection = select_instances(request, {
                ref: actions.find_server(ref) for ref in request['instances']})
        else:
            servers = self.servers(actions, request['hosts'], services)
        plan = plan_evacuation(request, services, self.aggregates(), servers,
                               self.providers() if request['capacity_check'] else {},
                               selection)
        self.results.update(plan=plan, timeout_action=plan['timeout_action'])
        if plan['problems']:
            self.fail_json(msg='Nothing was done. ' + ' '.join(plan['problems']),
                           **self.results)
        if self.check_mode:
            return dict(self.results, changed=bool(plan['disable'] or plan['moves']))

        for host in plan['disable']:
            self.set_service(host['host'], {'status': 'disabled', 'disabled_reason': host['disabled_reason']})
        result = Evacuation(plan, request, actions, time.monotonic, time.sleep,
                            describe_error).run()
        for host in result['hosts']:
            if host['action'] == 'enable':
                self.set_service(host['host'], {'status': 'enabled'})
            elif host['disabled_reason'] and not host['drained']:
                self.set_service(host['host'], {'status': 'disabled', 'disabled_reason': host['disabled_reason']})
        self.results.update(
            changed=bool(plan['disable']) or any(
                i['outcome'] in MOVED for i in result['instances']),
            instances=result['instances'], totals=result['totals'],
            hosts=result['hosts'], errors=result['errors'],
            elapsed=result['elapsed'], msg=summary_message(result))
        if result['failed']:
            self.fail_json(**self.results)
        return self.results

    # Facts, as the engine's plain dicts.

    def services(self):
        return [{'host': s.host, 'binary': s.binary, 'status': s.status,
                 'state': s.state, 'forced_down': s.is_forced_down,
                 'disabled_reason': s.disabled_reason, 'id': s.id}
                for s in self.conn.compute.services(binary=COMPUTE_BINARY)]

    def aggregates(self):
        return {a.name: list(a.hosts or []) for a in self.conn.compute.aggregates()}

    @staticmethod
    def servers(actions, hosts, services):
        known = {s['host'] for s in services}
        return [server for host in hosts if host in known
                for server in actions.servers_on_host(host)]

    def providers(self):
        try:
            return read_providers(self.conn.placement)
        except (sdk_exceptions.SDKException, ksa_exceptions.ClientException) as exc:
            self.fail_json(msg=placement_error(exc), **self.results_on_failure())

    def set_service(self, host, changes):
        try:
            service = find_service(self.conn.compute, host)
        except ServiceNotFound as exc:
            self.fail_json(msg=str(exc), **self.results_on_failure())
        update_service(self.conn.compute, service, changes)


def main():
    ComputeEvacuateModule()()


if __name__ == '__main__':
    main()
