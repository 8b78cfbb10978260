# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Fixtures: nova's real config and objects, one "host" per tmp dir."""

import pytest

import nova.conf
from nova import objects
from stackroll_lab_driver import driver as lab

from helpers import FakeSwitch

CONF = nova.conf.CONF
CONF([], project='nova', default_config_files=[])
objects.register_all()


@pytest.fixture
def switch(monkeypatch):
    switch = FakeSwitch()
    monkeypatch.setattr(lab.processutils, 'execute', switch.execute)
    return switch


@pytest.fixture
def flags():
    set_options = []

    def set_flags(group=None, **kwargs):
        for name, value in kwargs.items():
            CONF.set_override(name, value, group)
            set_options.append((name, group))
    yield set_flags
    for name, group in set_options:
        CONF.clear_override(name, group)


@pytest.fixture
def host(tmp_path, flags):
    """A compute host: its state_path (kept across reboots) and its /run."""
    flags(state_path=str(tmp_path / 'var-lib-nova'))
    flags(group='lab_driver', run_dir=str(tmp_path / 'run'))
    (tmp_path / 'var-lib-nova').mkdir()
    return tmp_path
