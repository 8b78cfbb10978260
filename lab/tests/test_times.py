"""lab/times.py and the lab_times callback's pure parts."""

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.dirname(HERE)


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


times = _load("lab_times_summary", os.path.join(LAB, "times.py"))
callback = _load("lab_times_callback", os.path.join(LAB, "callback_plugins", "lab_times.py"))


def _run(step, seconds, scenario="default", parent=None, sections=(), tasks=(), rc=0):
    return {"kind": "run", "scenario": scenario, "step": step, "parent": parent, "seconds": seconds,
            "rc": rc, "sections": list(sections), "tasks": list(tasks)}


def test_run_notes_time_and_exit_code(tmp_path):
    path = str(tmp_path / "times.jsonl")
    assert times.run(path, "units", [sys.executable, "-c", "raise SystemExit(3)"]) == 3
    assert times.run(path, "lint", [sys.executable, "-c", "pass"]) == 0
    rows = times.read(path)
    assert [(r["name"], r["rc"]) for r in rows] == [("units", 3), ("lint", 0)]
    assert all(r["kind"] == "part" and r["seconds"] >= 0 for r in rows)


def test_run_of_a_missing_command_fails_with_127(tmp_path):
    path = str(tmp_path / "times.jsonl")
    assert times.run(path, "x", ["/nonexistent/command"]) == 127
    assert times.read(path)[0]["rc"] == 127


def test_main_run_needs_a_command(tmp_path, capsys):
    try:
        times.main(["run", str(tmp_path / "t"), "name", "--"])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("run without a command must fail")
    assert "needs a command" in capsys.readouterr().err


def test_report_nests_steps_and_sections_under_their_scenario():
    rows = [
        {"kind": "part", "name": "sanity", "seconds": 100.0, "rc": 0},
        {"kind": "part", "name": "scenario default", "seconds": 900.0, "rc": 2},
        _run("converge", 300.0, sections=[{"file": "playbooks/site.yml", "seconds": 300.0}]),
        _run("verify", 500.0, rc=2, sections=[{"file": "tests/integration/deployed.yml", "seconds": 100.0},
                                              {"file": "lab/upgrade.yml", "seconds": 400.0}]),
        _run("upgrade", 200.0, parent="verify"),
        _run("converge", 50.0, scenario="fresh"),
    ]
    lines = times.report(rows)
    text = "\n".join(lines)
    assert lines[1].split() == ["sanity", "100.0"]
    assert lines[2].split() == ["scenario", "default", "900.0", "FAILED"]
    assert lines[3].split() == ["converge", "300.0"]  # one section: not repeated
    assert lines[4].split() == ["verify", "500.0", "FAILED"]
    assert lines[5].split() == ["tests/integration/deployed.yml", "100.0"]
    assert lines[6].split() == ["lab/upgrade.yml", "400.0"]
    assert lines[7].split() == ["total", "1000.0"]
    # A nested run and another scenario's steps are not listed as steps here.
    assert "upgrade" not in text.split("total")[0].replace("lab/upgrade.yml", "")
    assert "fresh" not in text


def test_report_lists_the_slowest_tasks_over_all_runs():
    tasks_a = [{"name": f"a{i}", "path": "x.yml:1", "seconds": float(i)} for i in range(8)]
    tasks_b = [{"name": f"b{i}", "path": "y.yml:2", "seconds": float(i) + 0.5} for i in range(8)]
    rows = [_run("converge", 10.0, tasks=tasks_a), _run("upgrade", 10.0, parent="verify", tasks=tasks_b)]
    lines = times.report(rows, top=3)
    index = lines.index("The 3 slowest tasks of the scenarios:")
    slowest = lines[index + 1:]
    assert [line.split()[1] for line in slowest] == ["default/upgrade", "default/converge", "default/upgrade"]
    assert [line.split()[0] for line in slowest] == ["7.5", "7.0", "6.5"]
    assert "(in verify)" in slowest[0] and "[y.yml:2]" in slowest[0]


def test_step_names_follow_molecule():
    assert callback.step_name("/x/converge.yml", False, set()) == "converge"
    assert callback.step_name("/x/converge.yml", False, {"create", "converge"}) == "idempotence"
    assert callback.step_name("/x/converge.yml", True, {"converge"}) == "check"
    assert callback.step_name("/x/lab/upgrade.yml", False, {"converge"}) == "upgrade"


def test_earlier_steps_are_this_scenarios_own(tmp_path):
    path = tmp_path / "times.jsonl"
    assert callback.earlier_steps(str(path), "default") == set()
    path.write_text("\n".join(json.dumps(r) for r in [
        _run("converge", 1.0, scenario="fresh"),
        _run("create", 1.0),
        _run("converge", 1.0, parent="verify"),
        {"kind": "part", "name": "units", "seconds": 1.0, "rc": 0},
    ]) + "\n")
    assert callback.earlier_steps(str(path), "default") == {"create"}
    assert callback.earlier_steps(str(path), "fresh") == {"converge"}


def test_paths_are_shown_from_the_project_root():
    assert callback._relative("/w/p/lab/upgrade.yml", "/w/p") == "lab/upgrade.yml"
    assert callback._relative("/elsewhere/x.yml", "/w/p") == "/elsewhere/x.yml"
    assert callback._relative("/w/p/x.yml", "") == "/w/p/x.yml"


def test_parts_beside_are_shown_but_not_added_to_the_total(tmp_path):
    path = str(tmp_path / "times.jsonl")
    assert times.main(["run", "--beside", path, "lint", "--", sys.executable, "-c", "pass"]) == 0
    rows = times.read(path)
    assert rows[0]["beside"] is True
    rows[0]["seconds"] = 80.0
    rows.append({"kind": "part", "name": "scenario default", "seconds": 900.0, "rc": 0})
    lines = times.report(rows)
    assert lines[1].split() == ["lint", "(beside)", "80.0"]
    assert lines[3].split()[-1] == "900.0" and lines[3].startswith("  total, without the parts beside")


def test_report_says_what_failed_only_under_a_failed_step():
    failure = {"host": "localhost", "task": "Check the canary", "path": "lab/upgrade.yml:96", "message": "rc 2"}
    rows = [
        {"kind": "part", "name": "scenario default", "seconds": 9.0, "rc": 2},
        _run("verify", 9.0, rc=2),
        _run("upgrade", 5.0, parent="verify", rc=2),
    ]
    rows[1]["failures"] = [failure]
    rows[2]["failures"] = [dict(failure, task="Stop the upgrade", host="cmp1")]
    lines = times.report(rows)
    index = lines.index("What failed, the last failures of each failed playbook run:")
    assert lines[index + 1].split()[:3] == ["default/verify", "localhost:", "Check"]
    assert lines[index + 2].strip() == "rc 2"
    assert "default/upgrade (in verify)  cmp1: Stop the upgrade" in lines[index + 3]
    # The same nested failure under a step that passed (a drill) is not shown.
    rows[1]["rc"] = 0
    assert not any(line.startswith("What failed") for line in times.report(rows))


def test_failure_messages_are_short_and_never_of_a_no_log_task():
    assert callback.failure_message({"msg": "non-zero return code", "stderr": "a\n  b"}) == \
        "non-zero return code | a b"
    assert callback.failure_message({"msg": "secret", "_ansible_no_log": True}) == "(hidden: the task is no_log)"
    assert callback.failure_message({}) == "(no message)"
    assert callback.failure_message({"msg": ["a", "b"]}) == '["a", "b"]'
    long = callback.failure_message({"msg": "x" * 5000})
    assert len(long) == callback.MESSAGE_CHARS + 3 and long.endswith("...")


def test_failed_parts_are_those_with_a_nonzero_or_no_row():
    rows = [
        {"kind": "part", "name": "sanity", "seconds": 1.0, "rc": 0},
        {"kind": "part", "name": "units", "seconds": 1.0, "rc": 1, "beside": True},
        {"kind": "part", "name": "scenario default", "seconds": 9.0, "rc": 2},
        _run("converge", 9.0, rc=2),  # a step: not a part
    ]
    assert times.failed_parts(rows, ["sanity", "units", "scenario default"]) == ["units", "scenario default"]
    # A part that did not finish has no row.
    assert times.failed_parts(rows, ["sanity", "lint"]) == ["lint"]
    assert times.failed_parts(rows, ["sanity"]) == []
    assert times.failed_parts([], ["converge"]) == ["converge"]


def test_main_failed_prints_the_failed_parts_and_exits_1(tmp_path, capsys):
    path = str(tmp_path / "times.jsonl")
    times.run(path, "units", [sys.executable, "-c", "pass"])
    times.run(path, "scenario default", [sys.executable, "-c", "raise SystemExit(2)"])
    capsys.readouterr()
    assert times.main(["failed", path, "units"]) == 0
    assert capsys.readouterr().out == ""
    assert times.main(["failed", path, "units", "lint", "scenario default"]) == 1
    assert capsys.readouterr().out.splitlines() == ["lint", "scenario default"]
