#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Read a memcached raw, as anyone who reaches its port can, and say where
a token shows.

It lists every key (``lru_crawler metadump all``), reads every value
(``get``, a batch of keys at a time) over TCP, and looks in each key and
value for what it reads on its standard input, as JSON: ``{"token":
TOKEN}``, a keystone token, never on a command line. It looks for the
token itself, and for the token's SHA-256 in the keys, which is how
keystonemiddleware names the entry of a token it caches without a
``memcache_security_strategy`` (``tokens/<sha256>``). It also counts the
values holding text shaped as a Fernet token or ciphertext (``gAAAAA...``,
keystone's tokens and credential blobs): any token stored in the clear.

It prints JSON: the keys listed and read, and each finding as the key, what
was found (by its name, never its value), and whether in the key or the
value, with who wrote such keys (keystonemiddleware's ``tokens/`` or
another client's, such as keystone's own cache, oslo.cache). It exits 1
when it found the token, 0 otherwise.

Stdlib only and one file: it is copied alone onto a controller. The
protocol's parsers are pure (bytes in, data out) so that tests need no
memcached.
"""
import argparse
import hashlib
import io
import json
import re
import socket
import sys
import time
import urllib.parse

# keystone's Fernet tokens and credential blobs: base64url of a 0x80
# version byte and a timestamp.
FERNET = re.compile(rb'gAAAAA[A-Za-z0-9_-]{80,}')
BATCH = 50
BUSY_RETRIES = 10


class ProtocolError(Exception):
    """memcached answered what this script does not understand."""


# --- the protocol (pure) ------------------------------------------------------------

def parse_metadump(text):
    """``lru_crawler metadump`` lines -> the keys (bytes), URL-decoded."""
    keys = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line == b'END':
            continue
        if line.startswith((b'BUSY', b'ERROR', b'CLIENT_ERROR', b'SERVER_ERROR')):
            raise ProtocolError('memcached answered the metadump with %r' % line)
        for field in line.split(b' '):
            if field.startswith(b'key='):
                keys.append(urllib.parse.unquote_to_bytes(field[4:]))
                break
    return keys


def get_command(keys):
    """One multi-get for keys (bytes)."""
    return b'get ' + b' '.join(keys) + b'\r\n'


def read_values(stream):
    """A ``get``'s answer from a binary stream -> {key: value}, up to END.
    Keys gone meanwhile (expired, evicted) are just not in it."""
    values = {}
    while True:
        line = stream.readline()
        if not line:
            raise ProtocolError('memcached closed the connection in the middle of an answer')
        if line == b'END\r\n':
            return values
        fields = line.split()
        if len(fields) < 4 or fields[0] != b'VALUE':
            raise ProtocolError('memcached answered the get with %r' % line[:80])
        size = int(fields[3])
        data = stream.read(size + 2)
        if len(data) != size + 2 or data[-2:] != b'\r\n':
            raise ProtocolError('the value of %r is cut short' % fields[1])
        values[fields[1]] = data[:-2]


def needles(token):
    """What is looked for, by name: the token, and its SHA-256 hex (the key
    keystonemiddleware gives an unprotected entry)."""
    return {
        'the token': token.encode(),
        "the token's SHA-256": hashlib.sha256(token.encode()).hexdigest().encode(),
    }


def writer(key):
    """Who writes keys such as this: keystonemiddleware names its entries tokens/..."""
    return 'keystonemiddleware' if key.startswith(b'tokens/') else 'another client (keystone\'s oslo.cache, ...)'


def scan(items, looked_for):
    """Findings of the needles ({name: bytes}) in the keys and values of
    items ({key: value}), as [{key, found, where, writer}]; and the keys of
    the values holding a Fernet-shaped text."""
    findings, fernet = [], []
    for key, value in items.items():
        shown = key.decode('utf-8', 'backslashreplace')
        for name, needle in looked_for.items():
            for where, data in (('key', key), ('value', value)):
                if needle in data:
                    findings.append({'key': shown, 'found': name, 'where': where, 'writer': writer(key)})
        if FERNET.search(value):
            fernet.append(shown)
    return findings, fernet


def summary(listed, items, looked_for):
    """What the script prints (never a needle)."""
    findings, fernet = scan(items, looked_for)
    return {'listed': listed, 'read': len(items), 'findings': findings, 'fernet_shaped': fernet}


# --- the connection -------------------------------------------------------------------

class Memcached:
    """A text-protocol connection to one memcached."""

    def __init__(self, address, port, timeout=10.0):
        self.sock = socket.create_connection((address, port), timeout=timeout)
        self.stream = self.sock.makefile('rb')

    def command(self, line):
        self.sock.sendall(line)

    def metadump(self):
        """Every key; a crawler busy with another request is asked again."""
        for attempt in range(BUSY_RETRIES):
            self.command(b'lru_crawler metadump all\r\n')
            lines = io.BytesIO()
            while True:
                line = self.stream.readline()
                if not line:
                    raise ProtocolError('memcached closed the connection in the middle of the metadump')
                if line.startswith(b'BUSY') and attempt < BUSY_RETRIES - 1:
                    break
                lines.write(line)
                if line.strip() == b'END' or line.startswith((b'BUSY', b'ERROR', b'CLIENT_ERROR', b'SERVER_ERROR')):
                    return parse_metadump(lines.getvalue())
            time.sleep(0.5)
        raise ProtocolError('the LRU crawler stayed busy')

    def get(self, keys):
        self.command(get_command(keys))
        return read_values(self.stream)

    def close(self):
        self.stream.close()
        self.sock.close()


def read_all(address, port, batch=BATCH):
    """(keys listed, {key: value} read) of the memcached at address:port."""
    client = Memcached(address, port)
    try:
        keys = client.metadump()
        items = {}
        for start in range(0, len(keys), batch):
            items.update(client.get(keys[start:start + batch]))
        return len(keys), items
    finally:
        client.close()


def main(argv=None, stdin=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--address', required=True, help="the memcached's address")
    parser.add_argument('--port', type=int, default=11211)
    parser.add_argument('--batch', type=int, default=BATCH, help='keys a get asks for (default %(default)s)')
    args = parser.parse_args(argv)
    given = json.load(stdin or sys.stdin)
    if not isinstance(given, dict) or not isinstance(given.get('token'), str) or len(given['token']) < 16:
        sys.exit('memcached_raw: give {"token": TOKEN} on the standard input')
    listed, items = read_all(args.address, args.port, args.batch)
    result = summary(listed, items, needles(given['token']))
    print(json.dumps(result, indent=2, sort_keys=True))
    return 1 if result['findings'] else 0


if __name__ == '__main__':
    sys.exit(main())
