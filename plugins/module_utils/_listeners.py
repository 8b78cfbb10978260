# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The TCP sockets that listen on a local port, counted from the kernel's
tables as ``ss -Hltn 'sport = :PORT'`` counts them, without needing ``ss``.
Each ``SO_REUSEPORT`` listener counts once."""

from __future__ import annotations

TCP_TABLES = ('/proc/net/tcp', '/proc/net/tcp6')
_LISTEN = '0A'  # the kernel's TCP_LISTEN state, in hex


def parse_listeners(text, port):
    """How many sockets of a /proc/net/tcp or /proc/net/tcp6 table listen on ``port``."""
    count = 0
    for line in text.splitlines()[1:]:  # a header first
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN:
            continue
        local_port = fields[1].rpartition(':')[2]
        try:
            count += int(local_port, 16) == port
        except ValueError:
            continue
    return count


def count_listeners(port, tables=TCP_TABLES):
    """How many sockets listen on ``port``, of any address, IPv4 or IPv6."""
    count = 0
    for path in tables:
        try:
            with open(path, encoding='ascii') as handle:
                count += parse_listeners(handle.read(), port)
        except FileNotFoundError:  # no IPv6
            continue
    return count
