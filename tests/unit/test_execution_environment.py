# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The execution environment carries the versions the tests run."""
from __future__ import annotations

import json
import pathlib
import re

import ansible_collections.openstack.cloud as openstack_cloud
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
PIN = re.compile(r'^([A-Za-z0-9_.\[\]-]+)==(\S+)')


def _pins(path):
    """{package: version} of the name==version lines of a requirements file (the first pin of a name)."""
    pins = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.split('#')[0].strip())
        if match:
            pins.setdefault(match.group(1).lower(), match.group(2))
    return pins


def test_ee_python_libraries_are_the_tested_versions():
    tested = _pins(ROOT / 'requirements-dev.txt')
    ee = _pins(ROOT / 'meta' / 'ee-requirements.txt')
    assert ee, 'meta/ee-requirements.txt pins nothing'
    assert {name: tested.get(name) for name in ee} == ee


def test_ee_every_line_is_a_pin():
    lines = [line.split('#')[0].strip() for line in (ROOT / 'meta' / 'ee-requirements.txt').read_text().splitlines()]
    assert [line for line in lines if line and not PIN.match(line)] == []


def test_ee_definition_runs_the_tested_ansible_core_runner_and_openstack_cloud():
    definition = yaml.safe_load((ROOT / 'ee' / 'execution-environment.yml').read_text())
    tested = _pins(ROOT / 'requirements-dev.txt')
    assert definition['dependencies']['ansible_core']['package_pip'] == 'ansible-core==' + tested['ansible-core']
    # The AWX-like jobs of the lab tests (lab/awx_job.py) run this ansible-runner.
    assert definition['dependencies']['ansible_runner']['package_pip'] == 'ansible-runner==' + tested['ansible-runner']
    assert definition['dependencies']['python'] == '../meta/ee-requirements.txt'
    collections = yaml.safe_load((ROOT / 'ee' / definition['dependencies']['galaxy']).read_text())['collections']
    manifest = json.loads((pathlib.Path(openstack_cloud.__path__[0]) / 'MANIFEST.json').read_text())
    assert {'name': 'openstack.cloud', 'version': manifest['collection_info']['version']} in collections
    assert {'name': 'stackroll.lifecycle'} in collections
