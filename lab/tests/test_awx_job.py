# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""lab/awx_job.py: the AWX-like data directory, the job events' summary,
and (when ansible-runner is installed) a whole job on this machine."""
import importlib
import json
import os
import pathlib
import stat
import subprocess
import sys

import pytest
import yaml

LAB = pathlib.Path(__file__).resolve().parents[1]
# lab/ is no package: put it on the path and import the script by name.
sys.path.insert(0, str(LAB))
awx_job = importlib.import_module('awx_job')

LAB_CLOUDS = {'clouds': {'stackroll-lab': {
    'auth': {'auth_url': 'http://10.88.0.10:5000', 'username': 'admin', 'password': 'secret',
             'project_name': 'admin', 'user_domain_name': 'Default', 'project_domain_name': 'Default'},
    'region_name': 'RegionOne',
    'identity_api_version': 3,
}}}


def _event(kind, counter, stdout='', **data):
    """A job event as ansible-runner writes it to artifacts/<ident>/job_events."""
    return {'uuid': 'u%d' % counter, 'counter': counter, 'stdout': stdout, 'runner_ident': 'job',
            'event': kind, 'event_data': data}


def _stats_event(counter, artifact_data, **counts):
    fields = {key: counts.get(key, {}) for key in awx_job.STATS_KEYS}
    return _event('playbook_on_stats', counter, '\r\nPLAY RECAP ***', playbook='probe.yml',
                  artifact_data=artifact_data, **fields)


# --- the credential --------------------------------------------------------

def test_the_lab_cloud_becomes_the_devstack_cloud_awx_writes():
    assert awx_job.awx_clouds(LAB_CLOUDS) == {'clouds': {'devstack': {
        'auth': {'auth_url': 'http://10.88.0.10:5000', 'username': 'admin', 'password': 'secret',
                 'project_name': 'admin', 'project_domain_name': 'Default', 'domain_name': 'Default'},
        'verify': True,
        'region_name': 'RegionOne',
    }}}


def test_a_cloud_without_domains_or_region_keeps_only_what_awx_holds():
    clouds = {'clouds': {'a': {'auth': {'auth_url': 'https://k:5000/v3', 'username': 'u', 'password': 'p',
                                        'project_name': 'p1'}, 'verify': False},
                         'b': {'auth': {}}}}
    assert awx_job.awx_clouds(clouds, 'a') == {'clouds': {'devstack': {
        'auth': {'auth_url': 'https://k:5000/v3', 'username': 'u', 'password': 'p', 'project_name': 'p1'},
        'verify': False}}}


@pytest.mark.parametrize('clouds, cloud, expected', [
    ({'clouds': {'a': {}, 'b': {}}}, None, 'Name the cloud to use: the clouds.yaml holds a, b.'),
    ({'clouds': {}}, None, 'Name the cloud to use: the clouds.yaml holds no cloud.'),
    (None, None, 'Name the cloud to use: the clouds.yaml holds no cloud.'),
    ({'clouds': {'a': {}}}, 'prod', "Cloud 'prod' is not in the clouds.yaml (it holds a)."),
])
def test_a_cloud_that_cannot_be_chosen_is_named(clouds, cloud, expected):
    with pytest.raises(ValueError) as raised:
        awx_job.awx_clouds(clouds, cloud)
    assert str(raised.value) == expected


def test_openstacksdk_uses_the_devstack_cloud_when_os_cloud_is_unset(tmp_path, monkeypatch):
    config = pytest.importorskip('openstack.config.loader')
    path = tmp_path / 'clouds.yaml'
    path.write_text(yaml.safe_dump(awx_job.awx_clouds(LAB_CLOUDS)))
    for name in [name for name in os.environ if name.startswith('OS_')]:
        monkeypatch.delenv(name)
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(path))
    cloud = config.OpenStackConfig().get_one()
    assert cloud.name == 'devstack'
    assert cloud.config['auth']['user_domain_name'] == 'Default'
    assert cloud.config['auth']['project_domain_name'] == 'Default'
    assert cloud.config['region_name'] == 'RegionOne'


# --- the job's environment and layout ---------------------------------------

def test_the_job_inherits_no_os_variable_and_runs_the_ansible_beside_python():
    environ = {'OS_CLOUD': 'lab', 'OS_CLIENT_CONFIG_FILE': '/x', 'OS_PASSWORD': 's', 'HOME': '/root',
               'PATH': '/usr/bin:/bin', 'STACKROLL_LAB_STATE': '/lab'}
    assert awx_job.job_environment(environ, '/venv/bin') == {
        'HOME': '/root', 'PATH': '/venv/bin' + os.pathsep + '/usr/bin:/bin', 'STACKROLL_LAB_STATE': '/lab'}
    assert awx_job.job_environment({}, '/venv/bin') == {'PATH': '/venv/bin'}


def test_callback_plugins_of_an_ansible_cfg_are_made_absolute(tmp_path):
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text('[defaults]\ncallback_plugins = callback_plugins:/opt/cb\n')
    assert awx_job.callback_plugins(str(cfg)) == [str(tmp_path / 'callback_plugins'), '/opt/cb']
    cfg.write_text('[defaults]\nforks = 8\n')
    assert awx_job.callback_plugins(str(cfg)) == []


def test_the_lab_ansible_cfg_names_the_lab_callbacks():
    assert awx_job.callback_plugins(str(LAB / 'ansible.cfg')) == [str(LAB / 'callback_plugins')]


def test_extra_vars_merge_json_and_yaml_mappings():
    assert awx_job.parse_extra_vars(['{"evacuate_hosts": "cmp1", "n": 1}', 'n: 2\nflag: true']) == {
        'evacuate_hosts': 'cmp1', 'n': 2, 'flag': True}
    assert awx_job.parse_extra_vars([]) == {}
    with pytest.raises(ValueError, match='must be a mapping'):
        awx_job.parse_extra_vars(['[1, 2]'])


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_data_dir_is_laid_out_as_awx_lays_it_out(tmp_path):
    hosts = tmp_path / 'hosts.yml'
    hosts.write_text('lab:\n  hosts: {ctl1: {}}\n')
    (tmp_path / 'inv' / 'group_vars').mkdir(parents=True)
    (tmp_path / 'inv' / 'group_vars' / 'all.yml').write_text('x: 1\n')
    data_dir = tmp_path / 'job'
    clouds = awx_job.awx_clouds(LAB_CLOUDS)

    clouds_file = awx_job.lay_out(str(data_dir), clouds, {'upgrade_release': '2026.2'},
                                  [str(hosts), str(tmp_path / 'inv')], str(tmp_path),
                                  {'ANSIBLE_CONFIG': '/lab/ansible.cfg'}, ['--check', '--limit', 'cmp1 cmp2'])

    assert clouds_file == str(data_dir / 'clouds.yaml')
    assert yaml.safe_load((data_dir / 'clouds.yaml').read_text()) == clouds
    assert json.loads((data_dir / 'env' / 'envvars').read_text()) == {
        'ANSIBLE_CONFIG': '/lab/ansible.cfg', 'OS_CLIENT_CONFIG_FILE': clouds_file}
    assert json.loads((data_dir / 'env' / 'extravars').read_text()) == {'upgrade_release': '2026.2'}
    assert (data_dir / 'env' / 'cmdline').read_text() == "--check --limit 'cmp1 cmp2'\n"
    assert (data_dir / 'inventory' / 'hosts.yml').read_text() == hosts.read_text()
    assert (data_dir / 'inventory' / 'group_vars' / 'all.yml').read_text() == 'x: 1\n'
    assert os.readlink(data_dir / 'project') == str(tmp_path)
    # The credential and the job's settings are its owner's only.
    assert _mode(data_dir) == 0o700
    for private in ('clouds.yaml', 'env/envvars', 'env/extravars', 'env/cmdline'):
        assert _mode(data_dir / private) == 0o600, private


def test_a_job_without_cmdline_has_no_cmdline_file(tmp_path):
    awx_job.lay_out(str(tmp_path / 'job'), {'clouds': {}}, {}, [], str(tmp_path))
    assert not (tmp_path / 'job' / 'env' / 'cmdline').exists()
    assert os.listdir(tmp_path / 'job' / 'inventory') == []


# --- the summary of the job events -------------------------------------------

def test_a_successful_job_shows_its_artifacts_stats_and_messages():
    table = ['host | nova', 'cmp1 | 2026.1', 'mixed releases (*): none']
    events = [
        _event('playbook_on_start', 1),
        _event('runner_on_ok', 7, 'ok: [localhost] => ...', task='Show the skew table',
               task_action='ansible.builtin.debug', host='localhost', res={'msg': table, 'changed': False}),
        _event('runner_on_ok', 8, 'ok: [localhost]', task='Publish the report for AWX',
               task_action='ansible.builtin.set_stats', host='localhost',
               res={'ansible_stats': {'data': {'probe': {'served': {}}}}}),
        _event('runner_on_failed', 9, 'fatal: ... ...ignoring', task='Try', task_action='ansible.builtin.command',
               host='cmp1', ignore_errors=True, res={'msg': 'non-zero return code', 'rc': 1}),
        _stats_event(10, {'probe': {'served': {}}}, ok={'localhost': 4, 'cmp1': 1}, processed={'localhost': 1, 'cmp1': 1},
                     ignored={'cmp1': 1}),
    ]
    summary = awx_job.summarize('successful', 0, events)
    assert summary == {
        'status': 'successful', 'rc': 0,
        'artifact_data': {'probe': {'served': {}}},
        'stats': {'ok': {'localhost': 4, 'cmp1': 1}, 'changed': {}, 'failures': {}, 'dark': {}, 'skipped': {},
                  'rescued': {}, 'ignored': {'cmp1': 1}, 'processed': {'localhost': 1, 'cmp1': 1}},
        'failures': [],
        'messages': [{'task': 'Show the skew table', 'host': 'localhost', 'msg': table}],
    }


def test_a_failed_job_names_each_failure_with_its_reason():
    events = [
        _event('runner_item_on_failed', 5, task='Fail in a loop', task_action='ansible.builtin.assert',
               host='localhost', res={'msg': 'item b is bad', 'item': 'b', 'failed': True}),
        _event('runner_on_failed', 6, task='Fail in a loop', task_action='ansible.builtin.assert', host='localhost',
               res={'msg': 'One or more items failed',
                    'results': [{'msg': 'All assertions passed', 'failed': False, 'item': 'a'},
                                {'msg': 'item b is bad', 'failed': True, 'item': 'b'}]}),
        _event('runner_on_unreachable', 7, task='Read the venvs, units and infrastructure versions',
               task_action='stackroll.lifecycle.host_versions_facts', host='cmp3',
               res={'msg': 'Failed to connect to the host via ssh: timed out', 'unreachable': True}),
        _event('runner_on_failed', 8, task='Run a check', task_action='ansible.builtin.command', host='ctl1',
               res={'rc': 3, 'stderr': 'nova-status: error'}),
        _stats_event(9, {'started': True}, failures={'localhost': 1, 'ctl1': 1}, dark={'cmp3': 1}),
    ]
    summary = awx_job.summarize('failed', 2, events)
    assert (summary['status'], summary['rc'], summary['artifact_data']) == ('failed', 2, {'started': True})
    assert summary['failures'] == [
        {'task': 'Fail in a loop', 'host': 'localhost', 'msg': 'One or more items failed: item b is bad'},
        {'task': 'Read the venvs, units and infrastructure versions', 'host': 'cmp3',
         'msg': 'Failed to connect to the host via ssh: timed out'},
        {'task': 'Run a check', 'host': 'ctl1', 'msg': 'nova-status: error'},
    ]
    assert summary['stats']['dark'] == {'cmp3': 1}


def test_a_job_failing_before_any_task_gives_the_end_of_its_output():
    events = [
        _event('verbose', 1, '\x1b[1;35m[WARNING]: something\x1b[0m\r\n\r\n'),
        _event('verbose', 2, "\x1b[0;31m[ERROR]: couldn't resolve module/action 'no.such.module'.\x1b[0m\r\n"
                             '\x1b[0;31mOrigin: /runner/project/broken.yml:4:7\x1b[0m'),
    ]
    summary = awx_job.summarize('failed', 4, events)
    assert summary['artifact_data'] == {} and summary['stats'] == {}
    assert summary['failures'] == [{'task': None, 'host': None, 'msg': (
        "[WARNING]: something\n[ERROR]: couldn't resolve module/action 'no.such.module'.\n"
        'Origin: /runner/project/broken.yml:4:7')}]


# --- a whole job, with ansible-runner ---------------------------------------

JOB_PLAYBOOK = """\
- name: Publish what the job sees
  hosts: all
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: hello {{ who }}
    - name: Fail, ignored
      ansible.builtin.fail:
        msg: ignored
      ignore_errors: true
    - name: Publish
      ansible.builtin.set_stats:
        data:
          os_cloud: "{{ lookup('ansible.builtin.env', 'OS_CLOUD') }}"
          clouds: "{{ (lookup('ansible.builtin.file', lookup('ansible.builtin.env', 'OS_CLIENT_CONFIG_FILE'))
                       | from_yaml).clouds | list }}"
          check: "{{ ansible_check_mode }}"
    - name: Fail when asked
      when: fail | default(false)
      ansible.builtin.fail:
        msg: failed on purpose
"""


@pytest.fixture
def job_files(tmp_path):
    """A project, inventory, clouds.yaml and ansible.cfg for a job on this machine."""
    pytest.importorskip('ansible_runner')
    if not os.path.exists(os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')):
        pytest.skip('no ansible-playbook beside this Python')
    (tmp_path / 'project').mkdir()
    (tmp_path / 'project' / 'job.yml').write_text(JOB_PLAYBOOK)
    (tmp_path / 'hosts').write_text('local ansible_connection=local ansible_python_interpreter=%s\n'
                                    % sys.executable)
    (tmp_path / 'clouds.yaml').write_text(yaml.safe_dump(LAB_CLOUDS))
    (tmp_path / 'ansible.cfg').write_text('[defaults]\nhost_key_checking = false\n')
    (tmp_path / 'tmp').mkdir()
    return tmp_path


def _run_driver(files, *args):
    env = dict(os.environ, OS_CLOUD='stackroll-lab', TMPDIR=str(files / 'tmp'))
    command = [sys.executable, str(LAB / 'awx_job.py'), '--project', str(files / 'project'),
               '-i', str(files / 'hosts'), '--clouds', str(files / 'clouds.yaml'),
               '--ansible-config', str(files / 'ansible.cfg'), *args, 'job.yml']
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, json.loads(done.stdout) if done.stdout else done.stderr


def test_a_job_publishes_its_set_stats_without_os_cloud(job_files):
    code, summary = _run_driver(job_files, '--check', '-e', '{"who": "awx"}')
    assert code == 0, summary
    assert (summary['status'], summary['rc'], summary['failures']) == ('successful', 0, [])
    # The job saw the credential's file alone, with its one cloud.
    assert summary['artifact_data'] == {'os_cloud': '', 'clouds': ['devstack'], 'check': True}
    assert summary['messages'] == [{'task': 'Say hello', 'host': 'local', 'msg': 'hello awx'}]
    assert summary['stats']['ignored'] == {'local': 1}
    assert set(summary['versions']) == {'ansible-runner', 'ansible-core'}
    # The temporary data dir, with the credential, is gone.
    assert os.listdir(job_files / 'tmp') == []


def test_a_failed_job_gives_its_status_and_reason(job_files):
    data_dir = job_files / 'job'
    code, summary = _run_driver(job_files, '--data-dir', str(data_dir), '-e', '{"who": "awx", "fail": true}')
    assert code == 1, summary
    assert summary['status'] == 'failed' and summary['rc'] != 0
    assert summary['failures'] == [{'task': 'Fail when asked', 'host': 'local', 'msg': 'failed on purpose'}]
    assert summary['artifact_data']['clouds'] == ['devstack']
    # A data dir given is kept, its artifacts with it.
    assert (data_dir / 'artifacts' / 'job' / 'status').read_text() == 'failed'
    assert _mode(data_dir / 'clouds.yaml') == 0o600
