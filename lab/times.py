#!/usr/bin/env python3
"""Where the test gate's time goes.

    times.py run [--beside] FILE NAME -- COMMAND...
                       run COMMAND, note NAME's wall time and exit code in FILE
                       (--beside: it runs beside the other parts, not in the total)
    times.py show FILE the parts, each scenario's steps and sections, the slowest
                       tasks, and what failed
    times.py failed FILE PART...
                       print the PARTs that failed or have no row in FILE (one
                       a line); exit 1 when there is one

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


def run(path, name, command, beside=False):
    """Run command, note its wall time and exit code as part `name`, return the code."""
    start = time.monotonic()
    try:
        rc = subprocess.call(command)
    except OSError as exc:
        print(f"times.py: cannot run {command[0]}: {exc}", file=sys.stderr)
        rc = 127
    row = {"kind": "part", "name": name, "seconds": round(time.monotonic() - start, 1), "rc": rc}
    if beside:
        row["beside"] = True
    append(path, row)
    return rc


def failed_parts(rows, names):
    """Which of the parts ``names`` failed: the last row of each says so, and
    a part without a row (it did not finish) failed too."""
    rc = {row["name"]: row["rc"] for row in rows if row.get("kind") == "part"}
    return [name for name in names if rc.get(name, 1) != 0]


def _status(rc):
    return "" if rc == 0 else "  FAILED"


def _where(run_row):
    return f"{run_row['scenario']}/{run_row['step']}" + (f" (in {run_row['parent']})" if run_row["parent"] else "")


def report(rows, top=TOP_TASKS):
    """The summary as lines of text."""
    lines = ["Where the time went (wall seconds):"]
    runs = [r for r in rows if r.get("kind") == "run"]
    parts = [r for r in rows if r.get("kind") == "part"]
    total = 0.0
    for part in parts:
        name = part["name"] + (" (beside)" if part.get("beside") else "")
        total += 0.0 if part.get("beside") else part["seconds"]
        lines.append(f"  {name:<44}{part['seconds']:>9.1f}{_status(part['rc'])}")
        scenario = part["name"].split(" ", 1)[1] if part["name"].startswith("scenario ") else None
        for step in (r for r in runs if scenario is not None and r["scenario"] == scenario and not r["parent"]):
            lines.append(f"    {step['step']:<42}{step['seconds']:>9.1f}{_status(step['rc'])}")
            if len(step["sections"]) > 1:
                for section in step["sections"]:
                    lines.append(f"      {section['file']:<40}{section['seconds']:>9.1f}")
    label = "total, without the parts beside" if any(part.get("beside") for part in parts) else "total"
    lines.append(f"  {label:<44}{total:>9.1f}")
    tasks = sorted(((task, r) for r in runs for task in r["tasks"]), key=lambda pair: -pair[0]["seconds"])
    if tasks:
        lines.append(f"The {min(top, len(tasks))} slowest tasks of the scenarios:")
        for task, r in tasks[:top]:
            lines.append(f"  {task['seconds']:>7.1f}  {_where(r):<22} {task['name']}  [{task['path']}]")
    # A failed step's own failures, and those of the playbooks it ran (a
    # drill's run fails on purpose: it shows only when its step failed too).
    failed_steps = {(r["scenario"], r["step"]) for r in runs if not r["parent"] and r["rc"] != 0}
    failed = [r for r in runs if r.get("failures") and (r["scenario"], r["parent"] or r["step"]) in failed_steps]
    if failed:
        lines.append("What failed, the last failures of each failed playbook run:")
        for r in failed:
            for failure in r["failures"]:
                lines.append(f"  {_where(r)}  {failure['host']}: {failure['task']}  [{failure['path']}]")
                lines.append(f"      {failure['message']}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("--beside", action="store_true")
    run_parser.add_argument("file")
    run_parser.add_argument("name")
    run_parser.add_argument("argv", nargs=argparse.REMAINDER)
    show_parser = sub.add_parser("show")
    show_parser.add_argument("file")
    failed_parser = sub.add_parser("failed")
    failed_parser.add_argument("file")
    failed_parser.add_argument("parts", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "run":
        command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        if not command:
            parser.error("run needs a command after --")
        return run(args.file, args.name, command, beside=args.beside)
    if args.command == "failed":
        failed = failed_parts(read(args.file), args.parts)
        for name in failed:
            print(name)
        return 1 if failed else 0
    print("\n".join(report(read(args.file))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
