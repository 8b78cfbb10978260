# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What a drain asks of nova, and how it reads nova's answers.

:class:`EvacuationActions` is the interface the module implements with
openstacksdk; :func:`classify_error` and :func:`error_kind` tell a refusal
worth retrying from one that is not; :func:`verify_move` proves a move.
"""

from __future__ import annotations

_POWER_STATES = {0: 'pending', 1: 'running', 3: 'paused', 4: 'shutdown',
                 6: 'crashed', 7: 'suspended'}

# Migration record statuses.
WAITING = ('accepted', 'queued')          # nova has not begun the work
SUCCEEDED = {'live': 'completed', 'cold': 'confirmed'}
FAILED = ('error', 'failed', 'cancelled', 'reverted')
NOT_RETRIED = ('cancelled', 'reverted')   # someone chose to stop it

# Error classes that mean the request may never have reached nova.
_CONNECTION_ERRORS = frozenset((
    'ConnectionError', 'ConnectFailure', 'ConnectTimeout',
    'RetriableConnectionFailure', 'UnknownConnectionError', 'TimeoutError'))
# 400s that say this target refused this instance (nova's NoValidHost,
# ComputeServiceUnavailable, MigrationPreCheckError, InvalidCPUInfo...).
_TARGET_REFUSALS = ('no valid host', 'is unavailable', 'pre-check error',
                    'cpu info', 'hypervisor')


def classify_error(status_code, message, connection=False):
    """'transient', 'target' or 'permanent' for a refused request.

    - transient: connection errors, 409 (the instance is busy: a task, or
      ``power_state pending`` right after a compute restart, or not ready),
      429, 502, 503, 504. Retried with exponential backoff.
    - target: a 400 saying the target refused this instance (no valid host,
      compute unavailable, pre-check failed). Nova's view changes (a host
      comes back, resources free up, another target fits), so it is retried
      a few times (``target_retries``), on the next alternate target when
      targets are named.
    - permanent: anything else, including a 409 about the vm_state (it will
      not change by itself) and a 500, whose effect is unknown.
    """
    text = (message or '').lower()
    if connection:
        return 'transient'
    if status_code == 409:
        return 'permanent' if 'vm_state' in text else 'transient'
    if status_code in (429, 502, 503, 504):
        return 'transient'
    if status_code == 400 and any(p in text for p in _TARGET_REFUSALS):
        return 'target'
    return 'permanent'


def error_kind(exc):
    """:func:`classify_error` for an exception from openstacksdk or
    keystoneauth, read by duck typing so that no SDK import is needed."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    status = getattr(exc, 'status_code', None) or getattr(exc, 'http_status', None)
    message = ' '.join(str(p) for p in (exc, getattr(exc, 'details', None)) if p)
    return classify_error(status, message, connection=bool(names & _CONNECTION_ERRORS))


def backoff_delay(retry_number, base, cap):
    """Seconds before retry ``retry_number`` (1, 2, ...): base, 2 base,
    4 base... at most cap."""
    return min(base * 2 ** (retry_number - 1), cap)


def verify_move(move, migration, server, sources):
    """(proven, reason): did the instance really leave its source?

    Proof needs all three: the migration record says it finished, the
    server is on a host that is not being drained (and is the one the
    record names), and its state is the one it had before. A server's
    status alone proves nothing.
    """
    if not migration:
        return False, 'no migration record was found for this move'
    wanted = SUCCEEDED[move['method']]
    if migration.get('status') != wanted:
        return False, 'migration %s is %r, not %r' % (
            migration.get('id'), migration.get('status'), wanted)
    if not server:
        return False, 'the server could not be read'
    host = server.get('host')
    if not host or host == move['source']:
        return False, 'the server is still on %s' % move['source']
    if host in sources:
        return False, 'the server is on %s, another host being drained' % host
    dest = migration.get('dest_compute')
    if dest and dest != host:
        return False, 'migration %s went to %s but the server is on %s' % (
            migration.get('id'), dest, host)
    if server.get('task_state'):
        return False, 'the server is still busy with task %s' % server['task_state']
    expected = move['expected']
    if server.get('status') != expected['status']:
        return False, 'the server is %s on %s, expected %s' % (
            server.get('status'), host, expected['status'])
    if server.get('power_state') != expected['power_state']:
        return False, 'the guest is %s on %s, expected %s' % (
            _POWER_STATES.get(server.get('power_state'), server.get('power_state')),
            host, _POWER_STATES[expected['power_state']])
    return True, '%s on %s' % (expected['status'], host)


class EvacuationActions:
    """What ``_evacuation_run.Evacuation`` asks of nova; the module implements it with
    openstacksdk. A refused call raises; :func:`error_kind` classifies it.
    """

    def live_migrate(self, server_id, target, block_migration):
        """Request a live migration; ``target`` None lets the scheduler choose."""
        raise NotImplementedError

    def cold_migrate(self, server_id, target):
        """Request a cold migration (``target`` needs API 2.56)."""
        raise NotImplementedError

    def confirm_migration(self, server_id):
        """Confirm a finished cold migration (the server is VERIFY_RESIZE)."""
        raise NotImplementedError

    def get_migration(self, server_id):
        """The newest migration record of this server created since the
        latest migrate call on it, or None: ``{'id', 'status',
        'source_compute', 'dest_compute', 'reason'}`` (``reason``: the
        fault, if known)."""
        raise NotImplementedError

    def get_server(self, server_id):
        """``{'id', 'name', 'host', 'status', 'power_state', 'task_state'}``."""
        raise NotImplementedError

    def force_complete(self, server_id, migration_id):
        """Force a running live migration to complete (API 2.22)."""
        raise NotImplementedError

    def abort(self, server_id, migration_id):
        """Abort a live migration (API 2.24)."""
        raise NotImplementedError

    def servers_on_host(self, host):
        """Every instance nova places on ``host`` now, as server dicts."""
        raise NotImplementedError
