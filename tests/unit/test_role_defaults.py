"""The roles' defaults have one home each.

A role's meta/argument_specs.yml documents its defaults; defaults/main.yml
sets them. Ansible applies only the latter, so the two must agree. The
evacuation role's tuning is compute_evacuate's: the role passes it through
when set and otherwise leaves the module's default (the engine's DEFAULTS).
"""

import os

import pytest
import yaml

from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_request import DEFAULTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = os.path.join(ROOT, "roles")
# The role's variables that are the module's options, by option.
EVACUATION_TUNING = ("concurrency", "per_host_concurrency", "timeout", "timeout_action",
                     "non_live_policy", "disabled_reason", "enable_on_failure")


def _yaml(*parts):
    path = os.path.join(ROLES, *parts)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _roles():
    return sorted(r for r in os.listdir(ROLES) if _yaml(r, "meta", "argument_specs.yml") is not None)


@pytest.mark.parametrize("role", _roles())
def test_documented_defaults_are_the_defaults_set(role):
    defaults = _yaml(role, "defaults", "main.yml") or {}
    specs = _yaml(role, "meta", "argument_specs.yml")["argument_specs"]
    wrong = []
    for entry, spec in specs.items():
        for name, option in (spec.get("options") or {}).items():
            if "default" not in option:
                continue
            value = defaults.get(name)
            if isinstance(value, str) and "{{" in value:
                continue  # computed: the spec can only describe it
            if name not in defaults or value != option["default"]:
                wrong.append(f"{entry}.{name}: documented {option['default']!r}, set {value!r}")
    assert not wrong, f"{role}: " + "; ".join(wrong)


def test_evacuation_leaves_its_tuning_to_the_module():
    defaults = _yaml("evacuation", "defaults", "main.yml")
    specs = _yaml("evacuation", "meta", "argument_specs.yml")["argument_specs"]
    for option in EVACUATION_TUNING:
        name = "evacuation_" + option
        assert option in DEFAULTS
        assert name not in defaults
        for entry in ("main", "drain"):
            assert "default" not in specs[entry]["options"][name], (entry, name)
    # The plan and the drain itself (one YAML anchor) pass each one through.
    tasks = _yaml("evacuation", "tasks", "drain.yml")[0]["block"]
    calls = [task["stackroll.lifecycle.compute_evacuate"] for task in tasks if "stackroll.lifecycle.compute_evacuate" in task]
    assert len(calls) == 2
    for args in calls:
        for option in EVACUATION_TUNING:
            assert args[option] == f"{{{{ evacuation_{option} | default(omit) }}}}", option
