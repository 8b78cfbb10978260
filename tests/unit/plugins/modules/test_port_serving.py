# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Waiting until a port serves, against real listening sockets and a real
HTTP server on 127.0.0.1."""
from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.stackroll.lifecycle.plugins.module_utils._listeners import (
    address_problem, count_listeners, parse_listeners, table_address)
from ansible_collections.stackroll.lifecycle.plugins.modules import port_serving
from ansible_collections.stackroll.lifecycle.plugins.modules.port_serving import answers_in_a_row, wait

# Port 8774 is 0x2246; 0A is LISTEN, 01 ESTABLISHED.
TCP = '''\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:2246 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0
   1: 00000000:2246 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0
   2: 0100007F:2246 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0 20 4 30 10 -1
   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1004 1 0 100 0 0 10 0
'''
TCP6 = '''\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:2246 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0
   1: 00000000000000000000000001000000:2247 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0
'''


@pytest.mark.parametrize('text, port, count', [
    (TCP, 8774, 2),  # the established connection does not count
    (TCP, 8080, 1),
    (TCP, 8775, 0),
    (TCP6, 8774, 1),
    (TCP6, 8775, 1),
    (TCP.splitlines()[0] + '\n', 8774, 0),
    ('', 8774, 0),
    ('header\n   0: garbage\n   1: 00000000:XYZ 00000000:0000 0A\n', 8774, 0),
])
def test_parse_listeners(text, port, count):
    assert parse_listeners(text, port) == count


def test_count_listeners_reads_both_tables(tmp_path):
    (tmp_path / 'tcp').write_text(TCP)
    (tmp_path / 'tcp6').write_text(TCP6)
    tables = (str(tmp_path / 'tcp'), str(tmp_path / 'tcp6'), str(tmp_path / 'absent'))
    assert count_listeners(8774, tables) == 3
    assert count_listeners(8774, tables, address='0.0.0.0') == 2
    assert count_listeners(8775, tables, address='::1') == 1


@pytest.mark.parametrize('address, written', [
    ('127.0.0.1', '0100007F' if sys.byteorder == 'little' else '7F000001'),
    ('0.0.0.0', '00000000'),
    (' 192.0.2.11 ', '0B0200C0' if sys.byteorder == 'little' else 'C000020B'),
    ('::1', '000000000000000000000000' + ('01000000' if sys.byteorder == 'little' else '00000001')),
])
def test_table_address_as_the_kernel_writes_it(address, written):
    assert table_address(address) == written


@pytest.mark.parametrize('address', ['', 'ctl1', '192.0.2.300', '192.0.2.11:5000'])
def test_table_address_refuses_what_is_no_address(address):
    with pytest.raises(ValueError, match='is not an IP address'):
        table_address(address)


@pytest.mark.parametrize('address, problem', [
    (None, None), ('', None), ('192.0.2.11', None),
    ('ctl1', "address: 'ctl1' is not an IP address; give the local IP address the service binds, such as 192.0.2.11."),
])
def test_address_problem_names_what_is_wrong_and_the_fix(address, problem):
    assert address_problem(address) == problem


# A service's two listeners on 192.0.2.11:5000 (0x1388) and a load
# balancer's on its virtual IP 192.0.2.10, of the same port.
TCP_BEHIND_VIP = TCP.splitlines()[0] + '\n' + '\n'.join(
    '   %d: %s:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 %d 1 0 100 0 0 10 0'
    % (number, table_address(address), 3000 + number)
    for number, address in enumerate(['192.0.2.11', '192.0.2.11', '192.0.2.10'])) + '\n'


@pytest.mark.parametrize('address, count', [
    (None, 3),
    ('', 3),
    ('192.0.2.11', 2),  # the service's own, not the load balancer's
    ('192.0.2.10', 1),
    ('192.0.2.12', 0),
    ('::1', 0),
])
def test_parse_listeners_of_one_address(address, count):
    assert parse_listeners(TCP_BEHIND_VIP, 5000, address) == count


def _listener(port=0, family=socket.AF_INET, address='127.0.0.1'):
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((address, port))
    sock.listen()
    return sock


@pytest.fixture
def listeners():
    opened = []

    def listen(*args, **kwargs):
        opened.append(_listener(*args, **kwargs))
        return opened[-1]
    yield listen
    for sock in opened:
        sock.close()


def _listen_ipv6(listeners, port):
    """Whether a listener on [::1]:port could be opened (not where IPv6 is off)."""
    try:
        listeners(port, socket.AF_INET6, '::1')
    except OSError:
        return False
    return True


def test_counts_each_reuse_port_listener(listeners):
    first = listeners()
    port = first.getsockname()[1]
    assert count_listeners(port) == 1
    second = listeners(port)
    client = socket.create_connection(('127.0.0.1', port))  # not a listener
    assert count_listeners(port) == 2
    ipv6 = _listen_ipv6(listeners, port)
    assert count_listeners(port) == 2 + ipv6
    client.close()
    second.close()
    first.close()
    assert count_listeners(port) == ipv6


def test_counts_only_the_listeners_of_an_address(listeners):
    port = listeners().getsockname()[1]
    listeners(port)
    listeners(port, address='127.0.0.2')  # as a load balancer's on its virtual IP, beside the service
    assert count_listeners(port) == 3
    assert count_listeners(port, address='127.0.0.1') == 2
    assert count_listeners(port, address='127.0.0.2') == 1


@pytest.mark.skipif(not shutil.which('ss'), reason='needs ss')
def test_counts_what_ss_counts(listeners):
    port = listeners().getsockname()[1]
    listeners(port)
    _listen_ipv6(listeners, port)
    lines = subprocess.run(['ss', '-Hltn', 'sport = :%d' % port], capture_output=True, text=True, check=True).stdout
    assert count_listeners(port) == len(lines.splitlines()) >= 2


class Handler(http.server.BaseHTTPRequestHandler):
    """/200, /404, /503 answer with that status; /flaky with 200 three times, then 503."""

    def do_GET(self):
        if self.path == '/flaky':
            self.server.flaky += 1
            status = 200 if self.server.flaky <= 3 else 503
        else:
            status = int(self.path.strip('/'))
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    flaky = 0

    def server_bind(self):
        # as gunicorn's reuse_port: other listeners may share the port
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


@pytest.fixture
def server():
    httpd = Server(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _url(httpd, path):
    return 'http://127.0.0.1:%d%s' % (httpd.server_address[1], path)


@pytest.mark.parametrize('path, count', [
    ('/200', 16),
    ('/404', 16),  # an answer, if not a welcome one
    ('/503', 0),
    ('/flaky', 3),
])
def test_answers_in_a_row(server, path, count):
    assert answers_in_a_row(_url(server, path), 16, 2) == count


def test_a_closed_port_does_not_answer(listeners):
    sock = listeners()
    port = sock.getsockname()[1]
    sock.close()
    assert answers_in_a_row('http://127.0.0.1:%d/' % port, 16, 2) == 0


def test_a_listener_that_does_not_accept_breaks_the_row(server, listeners):
    # A worker that still loads: its listener takes connections and never answers.
    listeners(server.server_address[1])
    assert answers_in_a_row(_url(server, '/200'), 32, 0.2) < 32


def test_wait_looks_every_delay_until_the_timeout():
    now = [0.0]
    looks = []

    def look():
        looks.append(now[0])
        return {'serving': False, 'unit_active': None}

    def sleep(seconds):
        now[0] += seconds
    seen = wait(look, 3, 1, clock=lambda: now[0], sleep=sleep)
    assert looks == [0, 1, 2, 3]
    assert seen['elapsed'] == 3


@pytest.mark.parametrize('seen', [{'serving': True, 'unit_active': None}, {'serving': False, 'unit_active': False}])
def test_wait_stops_at_once_when_serving_or_the_unit_is_gone(seen):
    assert wait(lambda: dict(seen), 30, 1, clock=lambda: 0.0, sleep=pytest.fail)['elapsed'] == 0


def run(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        port_serving.main()
    return json.loads(capsys.readouterr().out)


def test_serving(server, capsys):
    # A delay longer than any run here: it is done without one.
    result = run({'port': server.server_address[1], 'url': _url(server, '/200'), 'delay': 30}, capsys)
    assert not result.get('failed')
    assert result['changed'] is False
    assert (result['serving'], result['listeners'], result['answers'], result['unit_active']) == (True, 1, 16, None)
    assert result['elapsed'] < 30


def test_check_mode_waits_the_same(server, capsys):
    result = run({'port': server.server_address[1], 'url': _url(server, '/404'), '_ansible_check_mode': True}, capsys)
    assert result['serving'] is True and result['changed'] is False


def test_too_few_listeners_times_out(server, capsys):
    result = run({'port': server.server_address[1], 'url': _url(server, '/200'), 'listeners': 2,
                  'timeout': 0.5, 'delay': 0.1}, capsys)
    assert result['failed'] is True
    assert (result['serving'], result['listeners'], result['answers']) == (False, 1, None)
    assert 0.5 <= result['elapsed'] < 30  # it stops at its timeout, not at its callers'
    assert '1 of 2 listeners on port %d' % server.server_address[1] in result['msg']
    assert 'was not asked' in result['msg'] and 'journalctl -u' in result['msg']


def test_a_listener_of_another_address_does_not_count(server, listeners, capsys):
    port = server.server_address[1]
    listeners(port, address='127.0.0.2')  # a load balancer's, on its virtual IP
    args = {'port': port, 'url': _url(server, '/200'), 'listeners': 2, 'timeout': 0.5, 'delay': 0.1}
    assert run(args, capsys)['serving'] is True
    result = run(dict(args, address='127.0.0.1'), capsys)
    assert result['failed'] is True
    assert (result['serving'], result['listeners']) == (False, 1)
    assert '1 of 2 listeners on port %d of 127.0.0.1' % port in result['msg']


def test_an_address_that_is_none_says_so(server, capsys):
    result = run({'port': server.server_address[1], 'url': _url(server, '/200'), 'address': 'ctl1'}, capsys)
    assert result['failed'] is True
    assert "'ctl1' is not an IP address" in result['msg']


def test_server_errors_time_out(server, capsys):
    # Time for a second look even on a loaded machine: the first alone took
    # over 0.3 s beside a lab.
    result = run({'port': server.server_address[1], 'url': _url(server, '/flaky'), 'timeout': 2, 'delay': 0.1}, capsys)
    assert result['failed'] is True
    assert result['answers'] == 0  # three at the first look, none after
    assert '0 of 16 answers in a row from %s' % _url(server, '/flaky') in result['msg']


@pytest.fixture
def systemctl(tmp_path, monkeypatch):
    """A systemctl on PATH whose is-active says what the test writes to its state file."""
    state = tmp_path / 'state'
    state.write_text('0')
    program = tmp_path / 'bin' / 'systemctl'
    program.parent.mkdir()
    program.write_text('#!/bin/sh\nexit "$(cat %s)"\n' % state)
    program.chmod(0o755)
    monkeypatch.setenv('PATH', '%s:/usr/bin:/bin' % program.parent)
    return state


def test_an_active_unit_lets_it_wait(server, systemctl, capsys):
    result = run({'port': server.server_address[1], 'url': _url(server, '/200'), 'give_up_unless_active': 'nova-api-standin'}, capsys)
    assert (result['serving'], result['unit_active']) == (True, True)


def test_gives_up_at_once_when_the_unit_is_not_active(server, systemctl, capsys):
    systemctl.write_text('3')
    result = run({'port': server.server_address[1], 'url': _url(server, '/200'), 'timeout': 60, 'delay': 30,
                  'give_up_unless_active': 'nova-api-standin'}, capsys)
    assert result['failed'] is True
    assert (result['serving'], result['unit_active'], result['answers']) == (False, False, None)
    assert result['elapsed'] < 30  # no second look
    assert result['msg'].startswith('nova-api-standin is not active')
    assert 'journalctl -u nova-api-standin' in result['msg']


def test_a_bad_url_fails_at_once(capsys):
    result = run({'port': 1, 'listeners': 0, 'url': 'not a url', 'timeout': 30}, capsys)
    assert result['failed'] is True and result['msg'].startswith('Cannot ask not a url')
