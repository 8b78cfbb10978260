# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Fixtures: nova's real config and objects, hosts in tmp dirs.

Like nova's services, the tests pick nova's concurrency model before
anything else imports eventlet: native threads with
OS_NOVA_DISABLE_EVENTLET_PATCHING=true (as nova-compute 2026.2 runs by
default), eventlet otherwise (as nova-compute 2026.1 does)."""

from nova import monkey_patch
monkey_patch.patch()

import unittest  # noqa: E402

from oslo_config import fixture as config_fixture  # noqa: E402
import pytest  # noqa: E402

import nova.conf  # noqa: E402
from nova import objects  # noqa: E402
from stackroll_lab_driver import driver as lab  # noqa: E402

from helpers import FakeSwitch, Host  # noqa: E402

CONF = nova.conf.CONF
objects.register_all()


@pytest.fixture(autouse=True)
def fake_ovs_vsctl(request, monkeypatch):
    if not request.node.get_closest_marker('real_ovs'):
        monkeypatch.setattr(lab.processutils, 'execute', FakeSwitch.execute)


@pytest.fixture(autouse=True)
def flags(request):
    """Set nova options for one test: flags(group=None, name=value)."""
    if request.cls and issubclass(request.cls, unittest.TestCase):
        yield None      # nova's own test classes set up nova's config
        return
    conf = config_fixture.Config(CONF)
    conf.setUp()
    # As nova's own tests do: the fixture's clean-up also forgets the parse.
    CONF([], project='nova', default_config_files=[])
    yield conf.config
    conf.cleanUp()


@pytest.fixture
def host(tmp_path):
    """One compute host, active for the whole test."""
    host = Host(tmp_path, 'compute1')
    with host.active():
        yield host


@pytest.fixture
def hosts(tmp_path):
    """Two compute hosts; run each one's code inside its active()."""
    return Host(tmp_path, 'compute1'), Host(tmp_path, 'compute2')
