# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Drive a drain's plan through nova: start migrations within the limits,
watch them, retry what may be retried, and prove each move.

Deterministic: nova is reached through an ``EvacuationActions`` object and
time through an injected clock.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_actions import (
    FAILED,
    NOT_RETRIED,
    SUCCEEDED,
    WAITING,
    backoff_delay,
    error_kind,
    verify_move,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_report import (
    drain_result,
    instance_result,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_request import (
    TIMEOUT_ACTIONS,
    normalize_request,
)


class _Task:
    """One instance's way through the drain."""

    def __init__(self, move, candidates):
        self.move = move
        self.candidates = candidates      # targets to try, in order
        self.candidate = 0
        self.tried = {0}
        self.state = 'pending'            # pending -> active -> done
        self.not_before = 0.0
        self.transient_retries = 0
        self.target_retries = 0
        self.attempts = []
        self.first_start = None
        self.finished = None
        self.outcome = None
        self.reason = None
        self.final_host = None
        self.timeout_action = None
        self.begin_attempt(None)

    def begin_attempt(self, now):
        """Forget what the previous attempt saw."""
        self.attempt_start = now
        self.running_since = None
        self.migration = None
        self.grace_until = None
        self.settle_until = None
        self.confirm_sent = False
        self.poll_error = None
        self.timed_out_after = None

    @property
    def attempt(self):
        return self.attempts[-1]


class Evacuation:
    """Run a plan: start migrations within the limits, watch them, prove
    each move, and report.

    ``clock()`` returns seconds (monotonic) and ``sleep(seconds)`` waits;
    tests pass a fake pair that only moves when slept. ``describe_error``
    turns an exception into a message (the module passes
    ``cloud.describe_error``).
    """

    def __init__(self, plan, request, actions, clock, sleep, describe_error=None):
        if plan['problems']:
            raise ValueError('The plan has problems; fix them before running it: %s'
                             % ' '.join(plan['problems']))
        self.plan = plan
        self.request = normalize_request(request)
        self.actions = actions
        self.clock = clock
        self.sleep = sleep
        self.describe = describe_error or (lambda exc: str(exc) or type(exc).__name__)
        self.sources = plan['sources']
        self.tasks = [_Task(m, [m['target']] + list(m.get('alternates') or []))
                      for m in plan['moves']]
        self.started = None

    # The loop ---------------------------------------------------------

    def run(self):
        """Drain; return the result (see :meth:`result`)."""
        self.started = self.clock()
        while True:
            now = self.clock()
            for task in [t for t in self.tasks if t.state == 'active']:
                self._poll(task, now)
            self._start_ready(now)
            if all(t.state == 'done' for t in self.tasks):
                break
            self.sleep(self._next_wait(now))
        return self.result(self.clock())

    def _start_ready(self, now):
        active = [t for t in self.tasks if t.state == 'active']
        per_source = {}
        for task in active:
            per_source[task.move['source']] = per_source.get(task.move['source'], 0) + 1
        for task in self.tasks:
            if len(active) >= self.request['concurrency']:
                break
            source = task.move['source']
            if (task.state != 'pending' or task.not_before > now
                    or per_source.get(source, 0) >= self.request['per_host_concurrency']):
                continue
            self._start(task, now)
            if task.state == 'active':
                active.append(task)
                per_source[source] = per_source.get(source, 0) + 1

    def _next_wait(self, now):
        if any(t.state == 'active' for t in self.tasks):
            return self.request['poll_interval']
        waits = [t.not_before - now for t in self.tasks if t.state == 'pending']
        return max(0.0, min(waits))

    def _rel(self, now):
        return round(now - self.started, 1)

    # One instance -----------------------------------------------------

    def _start(self, task, now):
        move = task.move
        target = task.candidates[task.candidate]
        task.attempts.append({
            'attempt': len(task.attempts) + 1, 'at': self._rel(now),
            'target': target, 'result': 'started', 'error': None, 'kind': None,
            'retry_in': None, 'migration_id': None, 'migration_status': None,
            'duration': None})
        if task.first_start is None:
            task.first_start = now
        task.begin_attempt(now)
        try:
            if move['method'] == 'live':
                self.actions.live_migrate(move['id'], target,
                                          self.request['block_migration'])
            else:
                self.actions.cold_migrate(move['id'], target)
        except Exception as exc:
            kind, message = error_kind(exc), self.describe(exc)
            task.attempt.update(error=message, kind=kind)
            # A lost answer may hide an accepted request: look before retrying.
            if kind == 'transient' and self._adopt(task):
                task.attempt['result'] = 'started'
                task.state = 'active'
                return
            task.attempt['result'] = 'refused'
            self._retry_or_fail(task, kind, now, 'refused: %s' % message)
            return
        task.state = 'active'

    def _adopt(self, task):
        try:
            migration = self.actions.get_migration(task.move['id'])
        except Exception:
            return False
        if migration and self._belongs(task, migration) \
                and migration.get('status') not in FAILED:
            task.migration = migration
            return True
        return False

    def _belongs(self, task, migration):
        # An older record (an earlier move to this host) names another source.
        return migration.get('source_compute') in (None, task.move['source'])

    def _retry_or_fail(self, task, kind, now, reason):
        request = self.request
        delay = None
        if kind == 'transient' and task.transient_retries < request['retries']:
            task.transient_retries += 1
            delay = backoff_delay(task.transient_retries, request['retry_delay'],
                                  request['retry_delay_max'])
        elif kind == 'target' and task.target_retries < request['target_retries']:
            task.target_retries += 1
            task.candidate = (task.candidate + 1) % len(task.candidates)
            # A fresh target can be tried at once; the same one needs time.
            delay = 0.0 if task.candidate not in task.tried else backoff_delay(
                task.target_retries, request['retry_delay'], request['retry_delay_max'])
            task.tried.add(task.candidate)
        self._end_attempt(task, now)
        if delay is None:
            attempts = len(task.attempts)
            self._finish(task, 'failed', now, '%s (after %d attempt%s)' % (
                reason, attempts, '' if attempts == 1 else 's'))
            return
        task.attempt['retry_in'] = delay
        task.state = 'pending'
        task.not_before = now + delay

    def _poll(self, task, now):
        move = task.move
        try:
            migration = self.actions.get_migration(move['id'])
        except Exception as exc:
            task.poll_error = self.describe(exc)
        else:
            task.poll_error = None
            if migration and self._belongs(task, migration):
                task.migration = migration
        status = (task.migration or {}).get('status')
        task.attempt.update(migration_id=(task.migration or {}).get('id'),
                            migration_status=status)
        if status and status not in WAITING and task.running_since is None:
            task.running_since = now

        if status == SUCCEEDED[move['method']]:
            self._verify(task, now)
            return
        if status in FAILED:
            self._migration_failed(task, now)
            return
        if move['method'] == 'cold' and status == 'finished' and not task.confirm_sent:
            try:
                self.actions.confirm_migration(move['id'])
                task.confirm_sent = True
            except Exception as exc:
                task.poll_error = 'confirming failed: %s' % self.describe(exc)
        self._check_timeout(task, now)

    def _server(self, task):
        try:
            return self.actions.get_server(task.move['id'])
        except Exception as exc:
            task.poll_error = self.describe(exc)
            return None

    def _verify(self, task, now):
        server = self._server(task)
        proven, reason = verify_move(task.move, task.migration, server, self.sources)
        if proven:
            task.final_host = server['host']
            task.attempt['result'] = 'completed'
            outcome = 'moved' if task.move['method'] == 'live' else 'cold_migrated'
            note = self._timeout_note(task)
            self._finish(task, outcome, now,
                         '%s; %s' % (reason, note) if note else reason)
            return
        # nova updates the record and the server in separate steps.
        if task.settle_until is None:
            task.settle_until = now + self.request['settle_timeout']
        if now >= task.settle_until:
            task.attempt['result'] = 'unproven'
            if server and server.get('host') not in (None, task.move['source']):
                task.final_host = server['host']
            self._finish(task, 'failed', now, 'the move is not proven: %s' % reason)

    def _migration_failed(self, task, now):
        move, migration = task.move, task.migration
        status = migration.get('status')
        what = 'migration %s ended %r%s' % (
            migration.get('id'), status,
            ': %s' % migration['reason'] if migration.get('reason') else '')
        task.attempt['error'] = what
        if task.timed_out_after is None:
            task.attempt['result'] = 'migration_failed'
        server = self._server(task)
        if server is None or server.get('task_state'):
            # nova is still rolling back (or cannot be asked): judge later.
            if task.settle_until is None:
                task.settle_until = now + self.request['settle_timeout']
            if now < task.settle_until:
                return
        intact = (server is not None and server.get('host') == move['source']
                  and not server.get('task_state')
                  and server.get('status') == move['expected']['status'])
        where = self._where(server, move)
        if task.timed_out_after is not None:
            self._finish(task, 'failed', now,
                         '%s; %s' % (self._timeout_note(task), where))
        elif intact and status not in NOT_RETRIED:
            self._retry_or_fail(task, 'target', now, '%s; %s' % (what, where))
        else:
            if server and server.get('host') not in (None, move['source']):
                task.final_host = server['host']
            self._finish(task, 'failed', now, '%s; %s' % (what, where))

    @staticmethod
    def _where(server, move):
        if server is None:
            return 'the server could not be read'
        host, task_state = server.get('host'), server.get('task_state')
        where = ('it stays on %s' % host if host == move['source']
                 else 'it is now on %s' % host)
        return '%s, %s%s' % (where, server.get('status'),
                             ' (task %s)' % task_state if task_state else '')

    def _check_timeout(self, task, now):
        request = self.request
        # Time queued in nova (behind its max_concurrent_live_migrations)
        # does not count against the migration, but is bounded the same.
        since = (task.running_since if task.running_since is not None
                 else task.attempt_start)
        if task.grace_until is None:
            if now - since < request['timeout']:
                return
            task.attempt['result'] = 'timed_out'
            task.grace_until = now + request['action_grace']
            task.timed_out_after = now - since
            if task.move['method'] == 'live':
                self._apply_timeout_action(task, now)
        elif task.timeout_action and not task.timeout_action['applied'] \
                and now < task.grace_until:
            self._apply_timeout_action(task, now)   # refused before: try again
        if now >= task.grace_until:
            status = (task.migration or {}).get('status') or 'not started'
            last_error = ' (last error: %s)' % task.poll_error if task.poll_error else ''
            self._finish(task, 'failed', now,
                         '%s; the migration is still %r %d s later%s' % (
                             self._timeout_note(task), status,
                             request['action_grace'], last_error))

    def _apply_timeout_action(self, task, now):
        action = self.request['timeout_action']
        if task.timeout_action is None:
            task.timeout_action = {'action': action,
                                   'microversion': TIMEOUT_ACTIONS[action],
                                   'at': self._rel(now), 'applied': False,
                                   'error': None}
        record = task.timeout_action
        migration_id = (task.migration or {}).get('id')
        if migration_id is None:
            record['error'] = 'no migration record to act on'
            return
        try:
            getattr(self.actions, action)(task.move['id'], migration_id)
        except Exception as exc:
            record['error'] = self.describe(exc)
            return
        record.update(applied=True, error=None, at=self._rel(now))

    def _timeout_note(self, task):
        if task.timed_out_after is None:
            return ''
        note = 'timed out after %d s' % task.timed_out_after
        record = task.timeout_action
        if record is None:
            return note + ' (a cold migration cannot be forced or aborted)'
        if record['applied']:
            return '%s; %s applied (compute API %s)' % (
                note, record['action'], record['microversion'])
        return '%s; %s (compute API %s) failed: %s' % (
            note, record['action'], record['microversion'], record['error'])

    def _finish(self, task, outcome, now, reason):
        task.state = 'done'
        task.outcome = outcome
        task.reason = reason
        task.finished = now
        self._end_attempt(task, now)

    @staticmethod
    def _end_attempt(task, now):
        if task.attempt['duration'] is None:
            task.attempt['duration'] = round(now - task.attempt_start, 1)

    # The report -------------------------------------------------------

    def result(self, now):
        """The drain's report (see ``_evacuation_report.drain_result``)."""
        instances = [instance_result(t) for t in self.tasks]
        return drain_result(self.plan, self.request, instances,
                            self.actions.servers_on_host, self.describe, self._rel(now))
