# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Whether a service runs and how many sockets listen on its port, with a
fake systemctl and real listening sockets on 127.0.0.1."""
from __future__ import annotations

import json
import socket

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.stackroll.lifecycle.plugins.modules import service_listeners


@pytest.fixture
def systemctl(tmp_path, monkeypatch):
    """A systemctl on PATH that logs its arguments; is-active prints what
    the test writes to the state file, stop of a unit not loaded fails."""
    state = tmp_path / 'state'
    state.write_text('active')
    calls = tmp_path / 'calls'
    program = tmp_path / 'bin' / 'systemctl'
    program.parent.mkdir()
    program.write_text(
        '#!/bin/sh\necho "$*" >> %s\n'
        'case "$1" in\n'
        '  stop) echo "Failed to stop $2.service: Unit $2.service not loaded." >&2; exit 5;;\n'
        '  is-active) cat %s; [ "$(cat %s)" = active ];;\n'
        'esac\n' % (calls, state, state))
    program.chmod(0o755)
    monkeypatch.setenv('PATH', '%s:/usr/bin:/bin' % program.parent)
    return state, calls


@pytest.fixture
def port():
    """A port with two SO_REUSEPORT listeners and one connection."""
    opened = []
    while len(opened) < 2:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(('127.0.0.1', opened[0].getsockname()[1] if opened else 0))
        sock.listen()
        opened.append(sock)
    number = opened[0].getsockname()[1]
    opened.append(socket.create_connection(('127.0.0.1', number)))
    yield number
    for sock in opened:
        sock.close()


def run(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        service_listeners.main()
    return json.loads(capsys.readouterr().out)


def test_an_active_service_and_its_listeners(systemctl, port, capsys):
    result = run({'name': 'nova-api', 'port': port, 'stop_first': 'nova-api-standin'}, capsys)
    assert not result.get('failed')
    assert (result['changed'], result['active'], result['state'], result['listeners']) == (False, True, 'active', 2)
    # The stand-in is stopped (a unit not loaded is no error) before the service is read.
    assert systemctl[1].read_text().splitlines() == ['stop nova-api-standin', 'is-active nova-api']


@pytest.mark.parametrize('state', ['inactive', 'failed', 'activating'])
def test_a_service_not_active(systemctl, port, capsys, state):
    systemctl[0].write_text(state)
    result = run({'name': 'nova-api', 'port': port}, capsys)
    assert (result['active'], result['state'], result['listeners']) == (False, state, 2)
    assert systemctl[1].read_text().splitlines() == ['is-active nova-api']


def test_no_listener(systemctl, capsys):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        free = sock.getsockname()[1]  # bound, not listening
        result = run({'name': 'nova-api', 'port': free}, capsys)
    assert (result['active'], result['listeners']) == (True, 0)


def test_check_mode_stops_nothing(systemctl, port, capsys):
    result = run({'name': 'nova-api', 'port': port, 'stop_first': 'nova-api-standin', '_ansible_check_mode': True}, capsys)
    assert (result['changed'], result['active'], result['listeners']) == (False, True, 2)
    assert systemctl[1].read_text().splitlines() == ['is-active nova-api']


def test_only_the_listeners_of_its_address(systemctl, port, capsys):
    with socket.socket() as balancer:  # a load balancer's listener, on its virtual IP
        balancer.bind(('127.0.0.2', port))
        balancer.listen()
        assert run({'name': 'nova-api', 'port': port}, capsys)['listeners'] == 3
        assert run({'name': 'nova-api', 'port': port, 'address': '127.0.0.1'}, capsys)['listeners'] == 2
        assert run({'name': 'nova-api', 'port': port, 'address': '127.0.0.2'}, capsys)['listeners'] == 1


def test_an_address_that_is_none_says_so(systemctl, port, capsys):
    result = run({'name': 'nova-api', 'port': port, 'address': 'nova-api.example.org'}, capsys)
    assert result['failed'] is True
    assert "'nova-api.example.org' is not an IP address" in result['msg']
    assert not systemctl[1].exists()  # systemctl never ran
