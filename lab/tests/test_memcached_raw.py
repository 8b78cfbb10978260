# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The raw read of memcached: its protocol parsed from hand-written
answers, and a whole read against a small memcached of this test's on the
loopback; what it prints never holds the token."""
import hashlib
import importlib
import io
import json
import pathlib
import socketserver
import sys
import threading
import urllib.parse

import pytest

# lab/ is no package: put it on the path and import the script by name.
LAB = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(LAB))
memcached_raw = importlib.import_module('memcached_raw')

TOKEN = 'gAAAAABnQ2x1' + 'Zk9xW3Rt' * 20          # shaped as a Fernet token
HASHED = hashlib.sha256(TOKEN.encode()).hexdigest()
# keystonemiddleware's entries under ENCRYPT: a derived name, sealed data.
SEALED_KEY = b'tokens/q0vXgq1cF3lHnBq9mW2TlQ=='
SEALED = b'a2V5c3RvbmVtaWRkbGV3YXJlIHNlYWxlZCB0aGlzIGRhdGE+/='


# --- the protocol ---------------------------------------------------------------

def test_the_keys_of_a_metadump_url_decoded():
    dump = (b'key=tokens%2Fq0vX%3D%3D exp=1700003600 la=1700000000 cas=7 fetch=no cls=1 size=120\n'
            b'key=d4c3b2a1 exp=-1 la=1700000001 cas=8 fetch=yes cls=2 size=900\r\n'
            b'END\r\n')
    assert memcached_raw.parse_metadump(dump) == [b'tokens/q0vX==', b'd4c3b2a1']
    assert memcached_raw.parse_metadump(b'END\r\n') == []


@pytest.mark.parametrize('answer', [b'BUSY currently processing crawler request\r\n', b'ERROR\r\n'])
def test_a_metadump_refused(answer):
    with pytest.raises(memcached_raw.ProtocolError, match='answered the metadump'):
        memcached_raw.parse_metadump(answer)


def test_values_of_a_get_even_holding_end():
    answer = io.BytesIO(b'VALUE a 0 5\r\nEND\r\n\r\nVALUE b 32 0\r\n\r\nVALUE c 1 3 99\r\n\x00\r\n\r\nEND\r\n')
    assert memcached_raw.read_values(answer) == {b'a': b'END\r\n', b'b': b'', b'c': b'\x00\r\n'}
    assert memcached_raw.get_command([b'a', b'b']) == b'get a b\r\n'


@pytest.mark.parametrize('answer, message', [
    (b'VALUE a 0 10\r\nshort\r\n', 'cut short'),
    (b'SERVER_ERROR out of memory\r\n', 'answered the get'),
    (b'VALUE a 0 1\r\nx\r\n', 'closed the connection'),
])
def test_a_broken_get_answer(answer, message):
    with pytest.raises(memcached_raw.ProtocolError, match=message):
        memcached_raw.read_values(io.BytesIO(answer))


def test_the_token_and_its_hash_found_where_they_are():
    items = {
        SEALED_KEY: SEALED,
        ('tokens/' + HASHED).encode(): b'{"token": {"user": {"id": "u1"}}}',
        b'7e0f1c2d3b4a59687766554433221100ffeeddcc': b'\x80\x04\x95...' + TOKEN.encode() + b'...',
        TOKEN.encode()[:100]: b'x',
    }
    findings, fernet = memcached_raw.scan(items, memcached_raw.needles(TOKEN))
    assert findings == [
        {'key': 'tokens/' + HASHED, 'found': "the token's SHA-256", 'where': 'key', 'writer': 'keystonemiddleware'},
        {'key': '7e0f1c2d3b4a59687766554433221100ffeeddcc', 'found': 'the token', 'where': 'value',
         'writer': "another client (keystone's oslo.cache, ...)"},
    ]
    assert fernet == ['7e0f1c2d3b4a59687766554433221100ffeeddcc']


def test_sealed_entries_hold_nothing():
    summary = memcached_raw.summary(3, {SEALED_KEY: SEALED, b'other': b'x' * 400}, memcached_raw.needles(TOKEN))
    assert summary == {'listed': 3, 'read': 2, 'findings': [], 'fernet_shaped': []}


# --- against a memcached of the test's own --------------------------------------

class FakeMemcached(socketserver.ThreadingTCPServer):
    """Answers lru_crawler metadump all (busy the first `busy` times) and get."""
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, items, busy=0, gone=()):
        self.items, self.busy, self.gone = items, busy, set(gone)
        self.gets = 0
        super().__init__(('127.0.0.1', 0), Handler)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        for line in self.rfile:
            words = line.split()
            if words[:3] == [b'lru_crawler', b'metadump', b'all']:
                if server.busy:
                    server.busy -= 1
                    self.wfile.write(b'BUSY currently processing crawler request\r\n')
                    continue
                for key, value in server.items.items():
                    self.wfile.write(b'key=%s exp=-1 la=1 cas=1 fetch=no cls=1 size=%d\n'
                                     % (urllib.parse.quote_from_bytes(key).encode(), len(value)))
                self.wfile.write(b'END\r\n')
            elif words[:1] == [b'get']:
                server.gets += 1
                for key in words[1:]:
                    if key in server.items and key not in server.gone:
                        value = server.items[key]
                        self.wfile.write(b'VALUE %s 0 %d\r\n%s\r\n' % (key, len(value), value))
                self.wfile.write(b'END\r\n')
            else:
                self.wfile.write(b'ERROR\r\n')


@pytest.fixture(name='memcached')
def _memcached():
    servers = []

    def start(items, **kwargs):
        server = FakeMemcached(items, **kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_every_key_read_in_batches_a_busy_crawler_asked_again(memcached, monkeypatch):
    monkeypatch.setattr(memcached_raw.time, 'sleep', lambda seconds: None)
    items = {b'k%03d' % number: b'v' * number for number in range(120)}
    server = memcached(items, busy=2, gone=[b'k007'])
    listed, read = memcached_raw.read_all('127.0.0.1', server.server_address[1], batch=50)
    assert listed == 120 and len(read) == 119 and read[b'k119'] == b'v' * 119
    assert server.gets == 3


def test_main_prints_names_and_keys_never_the_token(memcached, capsys):
    server = memcached({SEALED_KEY: SEALED, b'keystone-cache': b'pickled ' + TOKEN.encode()})
    code = memcached_raw.main(['--address', '127.0.0.1', '--port', str(server.server_address[1])],
                              stdin=io.StringIO(json.dumps({'token': TOKEN})))
    out, err = capsys.readouterr()
    assert code == 1
    assert TOKEN not in out + err and HASHED not in out + err
    printed = json.loads(out)
    assert (printed['listed'], printed['read']) == (2, 2)
    assert printed['findings'] == [{'key': 'keystone-cache', 'found': 'the token', 'where': 'value',
                                    'writer': "another client (keystone's oslo.cache, ...)"}]
    assert printed['fernet_shaped'] == ['keystone-cache']
    server.items.pop(b'keystone-cache')
    assert memcached_raw.main(['--address', '127.0.0.1', '--port', str(server.server_address[1])],
                              stdin=io.StringIO(json.dumps({'token': TOKEN}))) == 0


def test_no_token_given():
    with pytest.raises(SystemExit, match='give {"token": TOKEN}'):
        memcached_raw.main(['--address', '127.0.0.1'], stdin=io.StringIO('{"token": 1}'))
