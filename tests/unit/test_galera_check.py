# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The mariadb role's Galera check (files/galera_check.py), which haproxy asks on each node: 200 only for a Synced,
Primary, ready and writable node; over HTTP as haproxy's httpchk asks it; MariaDB read through its socket as the
process's own user, with no password."""
from __future__ import annotations

import http.client
import importlib.util
import os
import pwd
import sys
import threading
import types

import pytest

PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    'roles', 'mariadb', 'files', 'galera_check.py')
SPEC = importlib.util.spec_from_file_location('galera_check', PATH)
CHECK = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(CHECK)

SYNCED = {'wsrep_on': 'ON', 'wsrep_cluster_status': 'Primary', 'wsrep_local_state': '4',
          'wsrep_local_state_comment': 'Synced', 'wsrep_ready': 'ON', 'read_only': 'OFF'}


def test_a_synced_writable_node_is_used():
    assert CHECK.judge(SYNCED) == (200, 'Synced')


@pytest.mark.parametrize('change, reason', [
    ({'wsrep_on': 'OFF'}, 'Galera is off (wsrep_on OFF)'),
    ({'wsrep_cluster_status': 'non-Primary'}, 'not in a Primary component (wsrep_cluster_status non-Primary)'),
    # A donor of a state transfer, a joiner, a node that joined but is not synced yet.
    ({'wsrep_local_state': '2', 'wsrep_local_state_comment': 'Donor/Desynced'}, 'not Synced (wsrep_local_state 2, Donor/Desynced)'),
    ({'wsrep_local_state': '1', 'wsrep_local_state_comment': 'Joining'}, 'not Synced (wsrep_local_state 1, Joining)'),
    ({'wsrep_local_state': '3', 'wsrep_local_state_comment': 'Joined'}, 'not Synced (wsrep_local_state 3, Joined)'),
    ({'wsrep_ready': 'OFF'}, 'not ready (wsrep_ready OFF)'),
    ({'read_only': 'ON'}, 'read-only (read_only ON)'),
    ({'read_only': None}, 'read-only (read_only unknown)'),
    ({'wsrep_on': None}, 'Galera is off (wsrep_on unknown)'),
])
def test_any_other_node_is_not(change, reason):
    values = {key: value for key, value in dict(SYNCED, **change).items() if value is not None}
    assert CHECK.judge(values) == (503, reason)


def test_a_node_that_does_not_answer_is_not_used():
    def down():
        raise OSError(2002, "Can't connect to local server through socket '/run/mysqld/mysqld.sock'")
    assert CHECK.answer(down) == (503, "MariaDB does not answer: [Errno 2002] Can't connect to local server through"
                                       " socket '/run/mysqld/mysqld.sock'")


class FakeCursor:
    def __init__(self, rows):
        self.rows, self.queries = rows, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, query):
        self.queries.append(query)

    def fetchall(self):
        return self.rows[len(self.queries) - 1]


def test_mariadb_is_read_through_its_socket_as_the_process_user_without_a_password(monkeypatch):
    cursor = FakeCursor([(('wsrep_cluster_status', 'Primary'), ('wsrep_local_state', 4)), (('wsrep_on', 'ON'),)])
    connections = []

    class FakeConnection:
        closed = False

        def cursor(self):
            return cursor

        def close(self):
            self.closed = True

    def connect(**arguments):
        connections.append((arguments, FakeConnection()))
        return connections[-1][1]

    monkeypatch.setitem(sys.modules, 'pymysql', types.SimpleNamespace(connect=connect))
    assert CHECK.read_mariadb('/run/mysqld/mysqld.sock') == {
        'wsrep_cluster_status': 'Primary', 'wsrep_local_state': '4', 'wsrep_on': 'ON'}
    (arguments, connection), = connections
    assert arguments == {'unix_socket': '/run/mysqld/mysqld.sock', 'user': pwd.getpwuid(os.getuid()).pw_name,
                         'connect_timeout': 2, 'read_timeout': 2, 'write_timeout': 2}
    assert connection.closed
    assert cursor.queries == [CHECK.STATUS, CHECK.VARIABLES]


@pytest.fixture(name='serve')
def _serve():
    servers = []

    def serve(read):
        server = CHECK.server('127.0.0.1', 0, read)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def ask(port, method='GET'):
    """What haproxy's option httpchk with http-check send meth GET uri / gets."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
    try:
        connection.request(method, '/')
        response = connection.getresponse()
        return response.status, response.read().decode(), response.getheader('Content-Type')
    finally:
        connection.close()


def test_haproxy_gets_200_from_a_synced_node_and_503_otherwise(serve):
    states = [SYNCED, dict(SYNCED, wsrep_local_state='2', wsrep_local_state_comment='Donor/Desynced')]
    port = serve(lambda: states[0])
    assert ask(port) == (200, 'Synced\n', 'text/plain; charset=utf-8')
    states.pop(0)
    assert ask(port) == (503, 'not Synced (wsrep_local_state 2, Donor/Desynced)\n', 'text/plain; charset=utf-8')
    assert ask(port, 'HEAD')[:2] == (503, '')


def test_the_command_line(monkeypatch):
    calls = []

    class FakeServer:
        def serve_forever(self):
            calls.append('serving')

    monkeypatch.setattr(CHECK, 'server', lambda address, port, read: calls.append((address, port)) or FakeServer())
    CHECK.main(['--address', '192.0.2.11', '--port', '9201'])
    assert calls == [('192.0.2.11', 9201), 'serving']
