# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The argv sampler: distinct command lines and counts from a fake /proc,
the check on hand-built samples (it names secrets, never their values),
and a real run on this machine's /proc stopped by SIGTERM."""
import importlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

# lab/ is no package: put it on the path and import the script by name.
LAB = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(LAB))
argv_sampler = importlib.import_module('argv_sampler')

T0 = 1_700_000_000.0
DB = 'Hq7rK2pXw9mZ4vB1nC6dL3sF8gJ0tY5u'       # as the password lookup makes them
RABBIT = 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE'
SECRETS = {'nova_db': DB, 'nova_rabbitmq': RABBIT, 'short': 'abc'}


def fake_proc(tmp_path, processes):
    """A /proc with {pid: cmdline bytes}."""
    for pid, raw in processes.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / 'cmdline').write_bytes(raw)
    (tmp_path / 'self').mkdir()
    (tmp_path / 'meminfo').write_text('MemTotal: 1 kB\n')
    return tmp_path


def argv_record(host, argv, ts=T0, pid=100, run='r1'):
    return {'kind': 'argv', 'host': host, 'run': run, 'ts': ts, 'pid': pid, 'argv': argv}


def count_record(host, samples, run='r1', ts=T0):
    return {'kind': 'samples', 'host': host, 'run': run, 'ts': ts, 'samples': samples}


# --- run ---------------------------------------------------------------------------

@pytest.mark.parametrize('raw, argv', [
    (b'', []),
    (b'/usr/sbin/mariadbd\0', ['/usr/sbin/mariadbd']),
    (b'mysql\0-u\0nova\0-pSECRET\0', ['mysql', '-u', 'nova', '-pSECRET']),
    (b'gunicorn: master [nova]\0\0\0\0', ['gunicorn: master [nova]']),
    (b'a\0\xff\0', ['a', '\\xff']),
])
def test_a_cmdline_into_arguments(raw, argv):
    assert argv_sampler.parse_cmdline(raw) == argv


def test_every_process_but_kernel_threads_and_those_skipped(tmp_path):
    proc = fake_proc(tmp_path, {1: b'/sbin/init\0', 2: b'', 40: b'sshd\0-D\0', 41: b'me\0'})
    assert argv_sampler.read_cmdlines(str(proc), skip={41}) == {1: ['/sbin/init'], 40: ['sshd', '-D']}
    assert argv_sampler.read_cmdlines(str(tmp_path / 'none')) == {}


def test_only_command_lines_not_seen_before_and_every_sample_counted():
    sampler = argv_sampler.Sampler('ctl1', 'run-1')
    first = sampler.take({1: ['init'], 7: ['rabbitmqctl', 'add_user', 'nova', RABBIT]}, T0)
    assert [(r['pid'], r['argv']) for r in first] == [(1, ['init']), (7, ['rabbitmqctl', 'add_user', 'nova', RABBIT])]
    assert first[0] == {'kind': 'argv', 'host': 'ctl1', 'run': 'run-1', 'ts': T0, 'pid': 1, 'argv': ['init']}
    # The same command lines again, one under another pid: nothing new.
    assert sampler.take({1: ['init'], 8: ['rabbitmqctl', 'add_user', 'nova', RABBIT]}, T0 + 0.1) == []
    assert [r['argv'] for r in sampler.take({1: ['init'], 9: ['sleep', '1']}, T0 + 0.2)] == [['sleep', '1']]
    assert sampler.count(T0 + 0.3) == {'kind': 'samples', 'host': 'ctl1', 'run': 'run-1', 'ts': T0 + 0.3,
                                       'samples': 3}


class ListOut:
    """A file that keeps its lines."""

    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(json.loads(text))

    def flush(self):
        return None


def test_sample_writes_new_command_lines_and_counts_until_its_duration(tmp_path):
    proc = fake_proc(tmp_path, {1: b'init\0', 2: b'memcached\0-l\0192.0.2.11\0'})
    out, sampler = ListOut(), argv_sampler.Sampler('ctl1', 'run-1')
    argv_sampler.sample(sampler, out, threading.Event(), rate=50, duration=0.3, count_every=0.1, proc=str(proc))
    kinds = [line['kind'] for line in out.lines]
    assert kinds[:2] == ['argv', 'argv'] and kinds[-1] == 'samples'
    assert 'argv' not in kinds[2:]
    # At most what the rate allows; a stalled machine takes fewer.
    assert 1 <= kinds.count('samples') <= 5
    assert 1 <= out.lines[-1]['samples'] <= 16
    assert [line['samples'] for line in out.lines if line['kind'] == 'samples'] == sorted(
        line['samples'] for line in out.lines if line['kind'] == 'samples')


def test_a_run_appends_to_a_root_only_file_and_stops_on_sigterm(tmp_path):
    samples = tmp_path / 'samples.jsonl'
    samples.write_text('{"kind": "run", "host": "old", "run": "old-1", "ts": 1, "rate": 10}\n')
    samples.chmod(0o600)
    marker = 'argv-sampler-test-%d' % os.getpid()
    with subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)', marker]) as other:
        with subprocess.Popen([sys.executable, str(LAB / 'argv_sampler.py'), 'run', '--samples', str(samples),
                               '--rate', '20', '--count-every', '0.2', '--host', 'here'],
                              stderr=subprocess.PIPE, text=True) as sampler:
            # Until it has sampled (its handler is set before its first
            # record), however slowly this machine starts it.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and '"kind": "samples", "run": "here-' not in samples.read_text():
                time.sleep(0.1)
            sampler.send_signal(signal.SIGTERM)
            _out, err = sampler.communicate(timeout=10)
        other.kill()
    assert sampler.returncode == 0, err
    records = argv_sampler.load_records([str(samples)])
    assert records[0]['host'] == 'old' and records[1]['kind'] == 'run' and records[1]['host'] == 'here'
    assert any(marker in record.get('argv', []) for record in records)
    # Its own command line is not sampled.
    assert not any('argv_sampler.py' in ' '.join(record.get('argv', [])) and 'run' in record.get('argv', [])
                   and '--host' in record.get('argv', []) for record in records)
    assert records[-1]['kind'] == 'samples' and records[-1]['samples'] >= 1
    assert oct(samples.stat().st_mode & 0o777) == '0o600'
    assert 'distinct command lines' in err


# --- check ---------------------------------------------------------------------------

def test_counts_are_each_runs_last_summed_by_host():
    records = [{'kind': 'run', 'host': 'ctl1', 'run': 'a'}, count_record('ctl1', 10, 'a'), count_record('ctl1', 25, 'a'),
               count_record('ctl1', 5, 'b'), {'kind': 'run', 'host': 'cmp1', 'run': 'c'}]
    assert argv_sampler.sample_counts(records) == {'cmp1': 0, 'ctl1': 30}


@pytest.mark.parametrize('text, value', [
    ('Hq7rK2pXw9mZ\n', 'Hq7rK2pXw9mZ'),
    ('Hq7rK2pXw9mZ salt=abcdefgh\n', 'Hq7rK2pXw9mZ'),
    ('Hq7rK2pXw9mZ salt=abcdefgh ident=2b\n', 'Hq7rK2pXw9mZ'),
    ('-----BEGIN KEY-----\nAAAA salt=x\n-----END KEY-----\n', '-----BEGIN KEY-----\nAAAA salt=x\n-----END KEY-----'),
])
def test_a_password_lookup_file(text, value):
    assert argv_sampler.password_file_value(text) == value


def test_secrets_from_a_folder_json_yaml_and_flat_lines(tmp_path, monkeypatch):
    folder = tmp_path / 'secrets'
    folder.mkdir()
    (folder / 'nova_db').write_text(DB + ' salt=qwertyuiop\n')
    key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'
    (folder / 'nova_ssh_ed25519').write_text(key + '\n')
    (folder / 'nova_ssh_ed25519.pub').write_text('ssh-ed25519 AAAAC3Nza nova-migration\n')
    (folder / '.hidden').write_text('x\n')
    assert argv_sampler.load_secrets(str(folder)) == {'nova_db': DB, 'nova_ssh_ed25519': key}
    as_json = tmp_path / 'secrets.json'
    as_json.write_text(json.dumps({'nova_db_password': DB, 'port': 5672}))
    assert argv_sampler.load_secrets(str(as_json)) == {'nova_db_password': DB}
    vault = tmp_path / 'vault.yml'
    vault.write_text("---\n# the lab's\nnova_db_password: '%s'\nrabbitmq_erlang_cookie: \"%s\"\nit''s: x\n" % (DB, RABBIT))
    assert argv_sampler.load_secrets(str(vault))['rabbitmq_erlang_cookie'] == RABBIT
    assert argv_sampler.parse_flat_yaml(vault.read_text()) == {
        'nova_db_password': DB, 'rabbitmq_erlang_cookie': RABBIT, "it''s": 'x'}
    monkeypatch.setitem(sys.modules, 'yaml', None)   # a host without PyYAML
    assert argv_sampler.load_secrets(str(vault))['nova_db_password'] == DB
    listed = tmp_path / 'list.json'
    listed.write_text('[1, 2]')
    with pytest.raises(ValueError, match='no mapping'):
        argv_sampler.load_secrets(str(listed))


def test_what_is_looked_for_and_what_is_too_short():
    assert argv_sampler.needles(DB) == [DB]
    assert argv_sampler.needles('pa/ss w@rd:1') == ['pa/ss w@rd:1', 'pa%2Fss%20w%40rd%3A1']
    assert argv_sampler.needles('-----BEGIN K-----\nAAAABBBB\nCCCC\n-----END K-----') == ['AAAABBBB', 'CCCC']
    checked, short = argv_sampler.split_secrets(dict(SECRETS, key='-----BEGIN K-----\nAAAABBBB\nCCCC\n-----END K-----'))
    assert checked == {'key': ['AAAABBBB'], 'nova_db': [DB], 'nova_rabbitmq': [RABBIT]}
    assert short == ['short']


def test_findings_name_the_secret_host_and_command_once_each():
    records = [
        argv_record('ctl1', ['/usr/bin/mysql', '-u', 'nova', '-p' + DB], T0 + 5, 10),
        argv_record('ctl1', ['/usr/bin/mysql', '-u', 'nova', '--password=' + DB, 'nova'], T0 + 1, 11),
        argv_record('ctl1', ['rabbitmqctl', 'add_user', 'nova', RABBIT], T0 + 2, 12),
        argv_record('cmp1', ['nova-compute', '--transport-url',
                             'rabbit://nova:%s@192.0.2.11:5672/' % RABBIT.replace('a', '%61')], T0 + 3, 13),
        argv_record('ctl1', ['/usr/bin/mysql', '-u', 'nova'], T0 + 4, 14),
    ]
    checked, _short = argv_sampler.split_secrets(SECRETS)
    assert argv_sampler.find_secrets(records, checked) == [
        {'name': 'nova_db', 'host': 'ctl1', 'command': '/usr/bin/mysql', 'pid': 11, 'ts': T0 + 1},
        {'name': 'nova_rabbitmq', 'host': 'ctl1', 'command': 'rabbitmqctl', 'pid': 12, 'ts': T0 + 2},
    ]


def test_a_url_quoted_secret_is_found():
    secret = 'p@ss/word+12'
    records = [argv_record('ctl1', ['curl', 'http://admin:p%40ss%2Fword%2B12@192.0.2.11/'])]
    checked, _short = argv_sampler.split_secrets({'admin': secret})
    assert [f['name'] for f in argv_sampler.find_secrets(records, checked)] == ['admin']


def test_the_report_never_holds_a_value():
    records = [
        {'kind': 'run', 'host': 'ctl1', 'run': 'a', 'ts': T0, 'rate': 10},
        argv_record('ctl1', ['/opt/%s/bin/tool' % DB, 'x'], run='a'),
        argv_record('ctl1', ['mysql', '-p' + DB], run='a'),
        argv_record('ctl1', ['/usr/bin/abc', '-p' + RABBIT], run='a'),
        count_record('ctl1', 1234, 'a'),
        count_record('cmp1', 1000, 'b'),
    ]
    code, lines = argv_sampler.report(records, SECRETS)
    text = '\n'.join(lines)
    assert code == 1
    for value in (DB, RABBIT, 'abc'):
        assert value not in text
    assert lines == [
        'note: short under 8 characters, not looked for (they would match by chance)',
        'ctl1: secret nova_db in the command line of /opt/<nova_db>/bin/tool (pid 100, from 2023-11-14T22:13:20+00:00;'
        ' 1234 samples taken there)',
        'ctl1: secret nova_db in the command line of mysql (pid 100, from 2023-11-14T22:13:20+00:00; 1234 samples'
        ' taken there)',
        'ctl1: secret nova_rabbitmq in the command line of /usr/bin/<short> (pid 100, from 2023-11-14T22:13:20+00:00;'
        ' 1234 samples taken there)',
        'argv sampler: 2234 samples on 2 hosts (cmp1 1000, ctl1 1234), 3 distinct command lines, 2 secrets looked'
        ' for: 3 found',
    ]


def test_clean_samples_pass_and_empty_or_missing_hosts_do_not():
    records = [argv_record('ctl1', ['sleep', '1']), count_record('ctl1', 50)]
    assert argv_sampler.report(records, SECRETS) == (0, [
        'note: short under 8 characters, not looked for (they would match by chance)',
        'argv sampler: 50 samples on 1 hosts (ctl1 50), 1 distinct command lines, 2 secrets looked for: none found'])
    code, lines = argv_sampler.report(records, SECRETS, hosts=['ctl1', 'cmp1'])
    assert code == 1 and 'cmp1: no samples' in lines
    assert argv_sampler.report([], SECRETS)[0] == 2


def test_check_from_the_command_line_prints_names_only(tmp_path, capsys):
    folder = tmp_path / 'secrets'
    folder.mkdir()
    (folder / 'nova_db').write_text(DB + '\n')
    samples = tmp_path / 'ctl1.jsonl'
    samples.write_text('\n'.join(json.dumps(record) for record in [
        argv_record('ctl1', ['mysql', '--password', DB]), count_record('ctl1', 7)]) + '\n{"kind": "argv", "ho')
    assert argv_sampler.main(['check', '--secrets', str(folder), '--expect-host', 'ctl1', str(samples)]) == 1
    out, err = capsys.readouterr()
    assert DB not in out + err
    assert 'ctl1: secret nova_db in the command line of mysql' in out
    assert argv_sampler.main(['check', '--secrets', str(folder), str(tmp_path / 'ctl1.jsonl'),
                              '--min-length', '64']) == 0
