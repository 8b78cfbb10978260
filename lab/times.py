#!/usr/bin/env python3
"""Where the test gate's time goes.

    times.py run FILE NAME -- COMMAND...   run COMMAND, note NAME's wall time and exit code in FILE
    times.py show FILE                     the parts, each scenario's steps and sections, the slowest tasks

FILE holds JSON lines: `part` rows written here (sanity, units, a scenario,
...) and `run` rows that the lab_times callback writes for each
ansible-playbook run of a scenario (lab/callback_plugins/lab_times.py).
`make test` and `make test-all` fill it; .ci/run shows it at the end, also
after a failure, so that a slow part is visible in every CI log.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

TOP_TASKS = 10


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        return []


def append(path, row):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")


def run(path, name, command):
    """Run command, note its wall time and exit code as part `name`, return the code."""
    start = time.monotonic()
    try:
        rc = subprocess.call(command)
    except OSError as exc:
        print(f"times.py: cannot run {command[0]}: {exc}", file=sys.stderr)
        rc = 127
    append(path, {"kind": "part", "name": name, "seconds": round(time.monotonic() - start, 1), "rc": rc})
    return rc


def _status(rc):
    return "" if rc == 0 else "  FAILED"


def report(rows, top=TOP_TASKS):
    """The summary as lines of text."""
    lines = ["Where the time went (wall seconds):"]
    runs = [r for r in rows if r.get("kind") == "run"]
    total = 0.0
    for part in (r for r in rows if r.get("kind") == "part"):
        total += part["seconds"]
        lines.append(f"  {part['name']:<44}{part['seconds']:>9.1f}{_status(part['rc'])}")
        scenario = part["name"].split(" ", 1)[1] if part["name"].startswith("scenario ") else None
        for step in (r for r in runs if scenario is not None and r["scenario"] == scenario and not r["parent"]):
            lines.append(f"    {step['step']:<42}{step['seconds']:>9.1f}{_status(step['rc'])}")
            if len(step["sections"]) > 1:
                for section in step["sections"]:
                    lines.append(f"      {section['file']:<40}{section['seconds']:>9.1f}")
    lines.append(f"  {'total':<44}{total:>9.1f}")
    tasks = sorted(((task, r) for r in runs for task in r["tasks"]), key=lambda pair: -pair[0]["seconds"])
    if tasks:
        lines.append(f"The {min(top, len(tasks))} slowest tasks of the scenarios:")
        for task, r in tasks[:top]:
            where = f"{r['scenario']}/{r['step']}" + (f" (in {r['parent']})" if r["parent"] else "")
            lines.append(f"  {task['seconds']:>7.1f}  {where:<22} {task['name']}  [{task['path']}]")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("file")
    run_parser.add_argument("name")
    run_parser.add_argument("argv", nargs=argparse.REMAINDER)
    show_parser = sub.add_parser("show")
    show_parser.add_argument("file")
    args = parser.parse_args(argv)
    if args.command == "run":
        command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        if not command:
            parser.error("run needs a command after --")
        return run(args.file, args.name, command)
    print("\n".join(report(read(args.file))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
