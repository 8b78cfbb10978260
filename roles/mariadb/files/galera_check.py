# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The Galera check of one node, for haproxy: an HTTP server that answers
200 to any GET while the local MariaDB is Synced (wsrep_local_state 4) in a
Primary component, ready and writable, and 503 otherwise (a donor, a joiner,
a node that lost its quorum, read-only, or down), with the reason as text.

Installed by the role stackroll.lifecycle.mariadb where MariaDB runs
Galera, and run by systemd with /usr/bin/python3 as a user of its own,
which logs in to MariaDB through its unix socket by unix_socket
authentication: no password anywhere. It reads only status and variables,
which need no privilege.

    python3 galera_check.py --address 192.0.2.11 --port 9200 --socket /run/mysqld/mysqld.sock
"""

from __future__ import annotations

import argparse
import http.server
import os
import pwd

# What is read, in one round trip each.
STATUS = ("SHOW GLOBAL STATUS WHERE Variable_name IN"
          " ('wsrep_local_state', 'wsrep_local_state_comment', 'wsrep_cluster_status', 'wsrep_ready')")
VARIABLES = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'read_only')"
# wsrep_local_state of a Synced node.
SYNCED = '4'
# Seconds allowed to connect to MariaDB and to read an answer, and to a
# client to send its request: below haproxy's check timeout (5 s).
TIMEOUT = 2


def judge(values):
    """(HTTP status, reason) for the node's values, by name."""
    if values.get('wsrep_on') != 'ON':
        return 503, 'Galera is off (wsrep_on %s)' % values.get('wsrep_on', 'unknown')
    if values.get('wsrep_cluster_status') != 'Primary':
        return 503, 'not in a Primary component (wsrep_cluster_status %s)' % values.get('wsrep_cluster_status', 'unknown')
    if values.get('wsrep_local_state') != SYNCED:
        return 503, 'not Synced (wsrep_local_state %s, %s)' % (values.get('wsrep_local_state', 'unknown'),
                                                               values.get('wsrep_local_state_comment', 'unknown'))
    if values.get('wsrep_ready') != 'ON':
        return 503, 'not ready (wsrep_ready %s)' % values.get('wsrep_ready', 'unknown')
    if values.get('read_only') != 'OFF':
        return 503, 'read-only (read_only %s)' % values.get('read_only', 'unknown')
    return 200, 'Synced'


def read_mariadb(socket):
    """The node's values, read through its unix socket as this process's user."""
    import pymysql  # python3-pymysql; imported here so that judge() is testable without it

    connection = pymysql.connect(unix_socket=socket, user=pwd.getpwuid(os.getuid()).pw_name,
                                 connect_timeout=TIMEOUT, read_timeout=TIMEOUT, write_timeout=TIMEOUT)
    try:
        with connection.cursor() as cursor:
            values = {}
            for query in (STATUS, VARIABLES):
                cursor.execute(query)
                values.update((name, '%s' % (value,)) for name, value in cursor.fetchall())
            return values
    finally:
        connection.close()


def answer(read):
    """(HTTP status, reason) for the node as read() reads it; 503 where it does not answer."""
    try:
        values = read()
    # Any failure to read is a node not to send connections to.
    except Exception as e:  # pylint: disable=broad-except
        return 503, 'MariaDB does not answer: %s' % (e,)
    return judge(values)


def handler(read):
    """A request handler class that answers each GET and HEAD with answer(read)."""

    class GaleraCheck(http.server.BaseHTTPRequestHandler):
        timeout = TIMEOUT
        server_version = 'galera-check'
        sys_version = ''

        def _reply(self, body):
            status, reason = answer(read)
            text = ('%s\n' % (reason,)).encode('utf-8')
            self.send_response(status)
            self.send_header('Content-Type', 'text/plain; charset=utf-8')
            self.send_header('Content-Length', str(len(text)))
            self.send_header('Connection', 'close')
            self.end_headers()
            if body:
                self.wfile.write(text)

        def do_GET(self):  # noqa: N802  # http.server's name
            self._reply(body=True)

        def do_HEAD(self):  # noqa: N802
            self._reply(body=False)

        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            """No line a check: haproxy logs the state changes."""

    return GaleraCheck


def server(address, port, read):
    """The HTTP server of the check, bound and ready to serve_forever()."""
    return http.server.ThreadingHTTPServer((address, port), handler(read))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--address', required=True, help='address to listen on, the host\'s own')
    parser.add_argument('--port', type=int, default=9200)
    parser.add_argument('--socket', default='/run/mysqld/mysqld.sock', help="MariaDB's unix socket")
    args = parser.parse_args(argv)
    server(args.address, args.port, lambda: read_mariadb(args.socket)).serve_forever()


if __name__ == '__main__':
    main()
