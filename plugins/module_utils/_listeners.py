# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The TCP sockets that listen on a local port, counted from the kernel's
tables as ``ss -Hltn 'sport = :PORT'`` counts them, without needing ``ss``.
Each ``SO_REUSEPORT`` listener counts once. Given an address, only the
sockets bound to that address count: a load balancer's listener on the
same port of the virtual IP is not the service's."""

from __future__ import annotations

import socket
import struct

TCP_TABLES = ('/proc/net/tcp', '/proc/net/tcp6')
_LISTEN = '0A'  # the kernel's TCP_LISTEN state, in hex


def table_address(address):
    """The address as /proc/net/tcp or tcp6 writes it: each 32-bit word in
    hexadecimal, in the host's byte order (0100007F is 127.0.0.1 on x86).
    Raises ValueError for text that is no IP address."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            packed = socket.inet_pton(family, address.strip())
        except OSError:
            continue
        words = struct.unpack('=%dI' % (len(packed) // 4), packed)
        return ''.join('%08X' % word for word in words)
    raise ValueError('%r is not an IP address' % (address,))


def address_problem(address):
    """What is wrong with a module's ``address`` option, None if nothing."""
    if not address:
        return None
    try:
        table_address(address)
    except ValueError as error:
        return 'address: %s; give the local IP address the service binds, such as 192.0.2.11.' % error
    return None


def parse_listeners(text, port, address=None):
    """How many sockets of a /proc/net/tcp or /proc/net/tcp6 table listen on
    ``port``; with ``address``, only those bound to it."""
    wanted = table_address(address) if address else None
    count = 0
    for line in text.splitlines()[1:]:  # a header first
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN:
            continue
        local_address, local_port = fields[1].rpartition(':')[::2]
        if wanted is not None and local_address.upper() != wanted:
            continue
        try:
            count += int(local_port, 16) == port
        except ValueError:
            continue
    return count


def count_listeners(port, tables=TCP_TABLES, address=None):
    """How many sockets listen on ``port``, of any address, IPv4 or IPv6;
    with ``address``, only those bound to it."""
    count = 0
    for path in tables:
        try:
            with open(path, encoding='ascii') as handle:
                count += parse_listeners(handle.read(), port, address)
        except FileNotFoundError:  # no IPv6
            continue
    return count
