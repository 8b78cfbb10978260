#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Run one of the collection's playbooks the way AWX runs a job template.

AWX drives ansible-runner with a private data directory; this lays one out
the same way and runs one playbook in it:

    env/envvars     OS_CLIENT_CONFIG_FILE (and no OS_CLOUD), as AWX's
                    OpenStack credential injects it; the collections path and
                    the ansible.cfg to use
    env/extravars   the job's extra variables, as a survey gives them
    env/cmdline     --check for a job template of type check, --limit
    clouds.yaml     one cloud named `devstack`, mode 0600, written from the
                    lab's clouds.yaml as AWX's credential writes it
    inventory/      copies of the inventory sources (files and folders)
    project/        the project: a link to this repository

The job's environment is this process's, less every OS_* variable: the
credential's clouds.yaml alone selects the cloud, as in AWX's execution
environment. The ansible-playbook run is the one beside this Python, so
the job runs the ansible-core installed with it.

It prints one JSON summary: the runner's status and rc, the set_stats data
(`artifact_data` of the playbook_on_stats event, which AWX shows as the job's
artifacts), the per-host stats, the failures (task, host, msg of the
runner_on_failed and runner_on_unreachable events not ignored), the messages
of debug tasks, and the ansible-runner and ansible-core versions. Exit
status: 0 when the job succeeded, 1 when it did not, 2 when it could not
start. The data directory holds the credential and the job's environment:
without --data-dir a temporary one is used and removed; a given one is kept
for its owner to remove.

    lab/awx_job.py playbooks/probe.yml -e '{"probe_report_file": "/tmp/p.json"}'
    lab/awx_job.py --check playbooks/upgrade.yml -e '{"upgrade_release": "2026.2"}'

Defaults suit the lab (make lab): its inventory, its clouds.yaml and its
ansible.cfg, found through STACKROLL_LAB_STATE.
"""
from __future__ import annotations

import argparse
import configparser
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import sys
import tempfile

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# AWX's OpenStack credential names its only cloud so.
AWX_CLOUD = 'devstack'
FAILURE_EVENTS = ('runner_on_failed', 'runner_on_unreachable')
STATS_KEYS = ('ok', 'changed', 'failures', 'dark', 'skipped', 'rescued', 'ignored', 'processed')
# Lines of the job's output that stand for the reason of a failure no task
# event holds (an error before any task, such as a syntax error).
OUTPUT_TAIL_LINES = 20
# The job's output is coloured, as AWX shows it.
ANSI_COLOUR = re.compile(r'\x1b\[[0-9;]*m')


def awx_clouds(clouds, cloud=None):
    """The clouds.yaml AWX's OpenStack credential writes for ``cloud`` of ``clouds``.

    ``clouds`` is a parsed clouds.yaml; ``cloud`` names one of its clouds,
    or None for its only one. AWX's credential holds the host (auth_url),
    user, password, project, project domain, domain (the user's) and region
    and SSL verification; everything else of the cloud is left out, as AWX
    would have no field for it. Raises ValueError when the cloud cannot be
    chosen.
    """
    known = sorted((clouds or {}).get('clouds') or {})
    if cloud is None:
        if len(known) != 1:
            raise ValueError('Name the cloud to use: the clouds.yaml holds %s.'
                             % (', '.join(known) or 'no cloud'))
        cloud = known[0]
    if cloud not in known:
        raise ValueError('Cloud %r is not in the clouds.yaml (it holds %s).'
                         % (cloud, ', '.join(known) or 'no cloud'))
    source = clouds['clouds'][cloud]
    auth = source.get('auth') or {}
    credential = {name: auth.get(name, '') for name in ('auth_url', 'username', 'password', 'project_name')}
    if auth.get('project_domain_name'):
        credential['project_domain_name'] = auth['project_domain_name']
    # AWX's one "domain" field becomes domain_name, which openstacksdk
    # applies to the user (and to the project when no project domain is set).
    domain = auth.get('user_domain_name') or auth.get('domain_name')
    if domain:
        credential['domain_name'] = domain
    written = {'auth': credential, 'verify': bool(source.get('verify', True))}
    if source.get('region_name'):
        written['region_name'] = source['region_name']
    return {'clouds': {AWX_CLOUD: written}}


def job_environment(environ, python_bin):
    """The environment a job inherits: ``environ`` without OS_* variables,
    ``python_bin`` first on PATH (its ansible-playbook runs the job)."""
    kept = {name: value for name, value in environ.items() if not name.startswith('OS_')}
    kept['PATH'] = os.pathsep.join(filter(None, (python_bin, environ.get('PATH'))))
    return kept


def callback_plugins(ansible_cfg):
    """The callback_plugins folders an ansible.cfg names, made absolute.

    ansible-runner sets ANSIBLE_CALLBACK_PLUGINS to its own folder, and the
    variable hides the file's setting: the job must name them again.
    """
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ansible_cfg)
    value = parser.get('defaults', 'callback_plugins', fallback='')
    base = os.path.dirname(os.path.abspath(ansible_cfg))
    return [os.path.join(base, os.path.expanduser(path.strip()))
            for path in value.split(os.pathsep) if path.strip()]


def parse_extra_vars(texts):
    """One mapping from JSON or YAML mappings, later ones winning."""
    merged = {}
    for text in texts:
        value = yaml.safe_load(text)
        if not isinstance(value, dict):
            raise ValueError('Extra variables must be a mapping, got: %s' % text)
        merged.update(value)
    return merged


def _write_private(path, text):
    """Write ``text`` to a new file only its owner can read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
        handle.write(text)


def lay_out(data_dir, clouds, extravars, inventory_sources, project, envvars=None, cmdline=()):
    """Lay out an AWX-like private data directory in ``data_dir``.

    ``clouds`` is the credential's clouds.yaml mapping; ``envvars`` the job's
    other environment variables; ``cmdline`` the extra ansible-playbook
    arguments. Returns the path of the clouds.yaml written.
    """
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    os.makedirs(os.path.join(data_dir, 'env'), mode=0o700, exist_ok=True)
    clouds_file = os.path.join(data_dir, 'clouds.yaml')
    _write_private(clouds_file, yaml.safe_dump(clouds, default_flow_style=False))
    env = dict(envvars or {}, OS_CLIENT_CONFIG_FILE=clouds_file)
    _write_private(os.path.join(data_dir, 'env', 'envvars'), json.dumps(env, indent=2, sort_keys=True) + '\n')
    _write_private(os.path.join(data_dir, 'env', 'extravars'), json.dumps(extravars, indent=2, sort_keys=True) + '\n')
    if cmdline:
        _write_private(os.path.join(data_dir, 'env', 'cmdline'), shlex.join(cmdline) + '\n')
    inventory = os.path.join(data_dir, 'inventory')
    os.makedirs(inventory, exist_ok=True)
    for source in inventory_sources:
        if os.path.isdir(source):
            shutil.copytree(source, inventory, dirs_exist_ok=True)
        else:
            shutil.copy(source, inventory)
    os.symlink(os.path.abspath(project), os.path.join(data_dir, 'project'))
    return clouds_file


def _failure_message(result):
    """The reason a failed task gives, with its failed loop items' reasons."""
    parts = [str(result.get('msg') or '')]
    items = [str(item['msg']) for item in result.get('results') or ()
             if isinstance(item, dict) and item.get('failed') and item.get('msg')]
    if items:
        parts.append('; '.join(items))
    message = ': '.join(part for part in parts if part)
    return message or str(result.get('stderr') or '')


def summarize(status, rc, events):
    """The job's summary from the runner's status, rc and job events (dicts)."""
    artifact_data, stats, failures, messages, output = {}, {}, [], [], []
    for event in events:
        data = event.get('event_data') or {}
        if event.get('stdout'):
            output.extend(ANSI_COLOUR.sub('', event['stdout']).splitlines())
        kind = event.get('event')
        if kind == 'playbook_on_stats':
            artifact_data = data.get('artifact_data') or {}
            stats = {key: data.get(key) or {} for key in STATS_KEYS}
        elif kind in FAILURE_EVENTS and not data.get('ignore_errors'):
            failures.append({'task': data.get('task'), 'host': data.get('host'),
                             'msg': _failure_message(data.get('res') or {})})
        elif kind == 'runner_on_ok' and (data.get('task_action') or '').split('.')[-1] == 'debug':
            result = data.get('res') or {}
            if 'msg' in result:
                messages.append({'task': data.get('task'), 'host': data.get('host'), 'msg': result['msg']})
    if status != 'successful' and not failures:
        # The job failed outside any task: its output says why.
        tail = [line for line in output if line.strip()][-OUTPUT_TAIL_LINES:]
        failures.append({'task': None, 'host': None, 'msg': '\n'.join(tail)})
    return {'status': status, 'rc': rc, 'artifact_data': artifact_data, 'stats': stats,
            'failures': failures, 'messages': messages}


def run_job(data_dir, playbook):
    """Run ``playbook`` (relative to the project) in ``data_dir`` with
    ansible-runner; returns the summary."""
    import ansible_runner  # only the job needs it; the functions above do not

    runner = ansible_runner.run(private_data_dir=data_dir, playbook=playbook, ident='job', quiet=True)
    summary = summarize(runner.status, runner.rc, runner.events)
    summary['versions'] = {name: importlib.metadata.version(name) for name in ('ansible-runner', 'ansible-core')}
    return summary


def _lab_state():
    """The lab's state folder (make lab)."""
    return os.environ.get('STACKROLL_LAB_STATE') or os.path.join(REPO, 'lab', '.state')


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('playbook', help='the playbook, relative to the project (e.g. playbooks/probe.yml)')
    parser.add_argument('-e', '--extra-vars', action='append', default=[],
                        help='extra variables, a JSON or YAML mapping (repeatable)')
    parser.add_argument('--check', action='store_true', help='run as a job template of type check')
    parser.add_argument('--limit', help='the job template\'s limit')
    parser.add_argument('-i', '--inventory', action='append', dest='inventories',
                        help='an inventory file or folder to copy in (repeatable; default: the lab\'s)')
    parser.add_argument('--clouds', default=os.path.join(_lab_state(), 'clouds.yaml'),
                        help='the clouds.yaml the credential is made from (default: the lab\'s)')
    parser.add_argument('--cloud', help='its cloud to use (default: OS_CLOUD, else its only one)')
    parser.add_argument('--ansible-config', default=os.path.join(REPO, 'lab', 'ansible.cfg'),
                        help='the ansible.cfg of the job (default: the lab\'s)')
    parser.add_argument('--collections-path', default=os.environ.get('ANSIBLE_COLLECTIONS_PATH', ''),
                        help='where the job finds collections (default: ANSIBLE_COLLECTIONS_PATH)')
    parser.add_argument('--project', default=REPO, help='the project folder (default: this repository)')
    parser.add_argument('--data-dir', help='lay the job out here and keep it (default: a temporary folder, removed)')
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    inventory = args.inventories or [os.path.join(_lab_state(), 'hosts.yml'), os.path.join(REPO, 'lab', 'inventory')]
    try:
        extravars = parse_extra_vars(args.extra_vars)
        with open(args.clouds, encoding='utf-8') as handle:
            clouds = awx_clouds(yaml.safe_load(handle), args.cloud or os.environ.get('OS_CLOUD') or None)
        for path in inventory + [args.ansible_config]:
            if not os.path.exists(path):
                raise ValueError('%s does not exist.' % path)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print('awx_job: %s' % exc, file=sys.stderr)
        return 2

    envvars = {'ANSIBLE_CONFIG': os.path.abspath(args.ansible_config)}
    if args.collections_path:
        envvars['ANSIBLE_COLLECTIONS_PATH'] = args.collections_path
    plugins = callback_plugins(args.ansible_config)
    if plugins:
        envvars['ANSIBLE_CALLBACK_PLUGINS'] = os.pathsep.join(plugins)
    cmdline = (['--check'] if args.check else []) + (['--limit', args.limit] if args.limit else [])

    # This process is the job's parent: what it inherits is set here.
    environment = job_environment(os.environ, os.path.dirname(sys.executable))
    os.environ.clear()
    os.environ.update(environment)

    data_dir = args.data_dir or tempfile.mkdtemp(prefix='awx-job-')
    try:
        lay_out(data_dir, clouds, extravars, inventory, args.project, envvars, cmdline)
        summary = run_job(data_dir, args.playbook)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0 if summary['status'] == 'successful' else 1


if __name__ == '__main__':
    sys.exit(main())
