"""Note the wall time of each playbook run, play and task for lab/times.py.

Enabled by the lab's ansible.cfg; writes nothing unless STACKROLL_TIMES names
a file. Each ansible-playbook run appends one JSON line when it ends:

    {"kind": "run", "scenario": "default", "step": "verify", "parent": null,
     "seconds": 1500.2, "rc": 0,
     "sections": [{"file": "tests/integration/deployed.yml", "seconds": 120.1}, ...],
     "tasks": [{"name": "nova : Start nova-api", "path": "roles/...:12", "seconds": 9.5}, ...],
     "failures": [{"host": "ctl1", "task": "...", "path": "...", "message": "..."}]}

The step is the playbook's name (converge, verify, ...), `check` under
--check, and `idempotence` for a converge that the same scenario already ran.
A section is a run of consecutive plays from one file, so the parts that a
verify playbook imports show apart. A playbook started by another one (the
upgrade's canary drill runs ansible-playbook) names its parent's step.
A failed run keeps its last failures (the cause is among them; the rescued
ones come earlier), so that a CI log's tail says what failed.
"""

from __future__ import annotations

import json
import os
import time

from ansible import context
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: lab_times
type: aggregate
short_description: wall times of the lab's playbook runs, plays and tasks
description:
  - Appends one JSON line per playbook run to the file named by STACKROLL_TIMES.
requirements:
  - enabled in callbacks_enabled
"""

_PARENT = "STACKROLL_TIMES_PARENT"
# Tasks kept per run: the summary shows the slowest over all runs.
KEEP_TASKS = 40
# Failures kept per failed run, and the characters kept of each message.
KEEP_FAILURES = 3
MESSAGE_CHARS = 700


def _relative(path, root):
    """A play's or task's file, from the project's root when under it."""
    if root and path.startswith(root + os.sep):
        return path[len(root) + 1:]
    return path


def step_name(playbook_file, check, earlier_steps):
    """The Molecule step a playbook run stands for."""
    name = os.path.splitext(os.path.basename(playbook_file))[0]
    if check:
        return "check"
    if name == "converge" and "converge" in earlier_steps:
        return "idempotence"
    return name


def earlier_steps(times_file, scenario):
    """The steps already noted for this scenario (none when the file is new)."""
    try:
        with open(times_file, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        return set()
    return {row["step"] for row in rows if row.get("kind") == "run" and row.get("scenario") == scenario
            and not row.get("parent")}


def failure_message(result):
    """What a failed task said, on one line and short; nothing of a no_log task."""
    if result.get("_ansible_no_log"):
        return "(hidden: the task is no_log)"
    parts = []
    for key in ("msg", "stderr"):
        value = result.get(key)
        if value and not isinstance(value, str):
            value = json.dumps(value, default=str)
        if value:
            parts.append(" ".join(value.split()))
    text = " | ".join(parts) or "(no message)"
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "..."


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "lab_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._file = os.environ.get("STACKROLL_TIMES")
        self._root = os.environ.get("STACKROLL_TIMES_ROOT", "")
        self._scenario = os.environ.get("MOLECULE_SCENARIO_NAME", "")
        self._parent = os.environ.get(_PARENT) or None
        self._start = time.monotonic()
        self._step = None
        self._sections = []  # [file, start, end]
        self._tasks = []  # [name, path, start, end]
        self._failures = []

    def _close_task(self, now):
        if self._tasks and self._tasks[-1][3] is None:
            self._tasks[-1][3] = now

    def v2_playbook_on_start(self, playbook):
        if not self._file:
            return
        self._step = step_name(playbook._file_name, context.CLIARGS.get("check"),
                               earlier_steps(self._file, self._scenario))
        # Playbooks that this one starts (through a command task) name it.
        os.environ.setdefault(_PARENT, self._step)

    def v2_playbook_on_play_start(self, play):
        if not self._file:
            return
        now = time.monotonic()
        self._close_task(now)
        source = _relative(play.get_path().rsplit(":", 1)[0], self._root)
        if self._sections and self._sections[-1][0] == source:
            return
        if self._sections:
            self._sections[-1][2] = now
        self._sections.append([source, now, None])

    def _task_start(self, task):
        if not self._file:
            return
        now = time.monotonic()
        self._close_task(now)
        name = task.get_name().strip()
        self._tasks.append([name, _relative(task.get_path(), self._root), now, None])

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start(task)

    def _failed(self, result, prefix=""):
        if not self._file:
            return
        self._failures.append({
            "host": result._host.get_name(), "task": result._task.get_name().strip(),
            "path": _relative(result._task.get_path() or "", self._root),
            "message": prefix + failure_message(result._result),
        })
        del self._failures[:-KEEP_FAILURES]

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._failed(result)

    def v2_runner_on_unreachable(self, result):
        self._failed(result, "unreachable: ")

    def v2_playbook_on_stats(self, stats):
        if not self._file:
            return
        now = time.monotonic()
        self._close_task(now)
        if self._sections:
            self._sections[-1][2] = now
        failed = any(stats.failures.values()) or any(stats.dark.values())
        # Each run of a task is a row of its own (an included file runs its tasks once per include).
        tasks = sorted(({"name": n, "path": p, "seconds": round(e - s, 1)} for n, p, s, e in self._tasks),
                       key=lambda t: -t["seconds"])[:KEEP_TASKS]
        row = {
            "kind": "run", "scenario": self._scenario, "step": self._step, "parent": self._parent,
            "seconds": round(now - self._start, 1), "rc": 2 if failed else 0,
            "sections": [{"file": f, "seconds": round(e - s, 1)} for f, s, e in self._sections],
            "tasks": tasks,
            "failures": self._failures if failed else [],
        }
        with open(self._file, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
