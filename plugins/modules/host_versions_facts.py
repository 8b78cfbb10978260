#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: host_versions_facts
short_description: Read which OpenStack and infrastructure versions a host runs
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Runs on the OpenStack hosts themselves (no cloud connection).
  - Lists the release-pinned venvs under O(venv_root), named
    C(<service>-<series>) (for example C(nova-2026.2)), with the version of
    the service's package each holds (read from its C(*.dist-info/METADATA))
    and the release that version belongs to.
  - Tells which venv each service runs from, by the C(ExecStart) of the
    systemd units in O(unit_dir) (drop-ins included) that start a program of
    a venv. A service whose units start different venvs is C(mixed).
  - Reads the versions of MariaDB, RabbitMQ, Erlang, libvirt and QEMU from
    their programs when they are installed; an absent one is null, never an
    error.
  - Returns everything as the C(stackroll_versions) fact and as
    RV(stackroll_versions).
  - nova's compute service version is that of the release of the nova a
    host runs (RV(stackroll_versions.services)); nova's API does
    not expose it, which is why M(stackroll.lifecycle.api_versions_info)
    takes these releases.
options:
  venv_root:
    description: Where the release-pinned venvs live.
    type: path
    default: /openstack/venvs
  unit_dir:
    description: Where the services' systemd units live.
    type: path
    default: /etc/systemd/system
  infrastructure:
    description: Whether to read the versions of MariaDB, RabbitMQ, Erlang, libvirt and QEMU.
    type: bool
    default: true
extends_documentation_fragment:
  - stackroll.lifecycle.read_only
attributes:
  facts:
    description: Sets the C(stackroll_versions) fact.
    support: full
'''

EXAMPLES = r'''
- name: Read what every host runs
  stackroll.lifecycle.host_versions_facts:

- name: Show the release nova runs from
  ansible.builtin.debug:
    msg: "{{ ansible_facts.stackroll_versions.services.nova.release }}"
'''

RETURN = r'''
stackroll_versions:
  description: What the host runs; also set as the C(stackroll_versions) fact.
  returned: always
  type: dict
  contains:
    hostname:
      description: The host's name (nova's default service host name).
      type: str
    venvs:
      description:
        - By venv name, C(path), C(service), C(series) (from the name),
          C(package) and C(version) of the service's package, C(release) (the
          series that version belongs to, null when the release map does not
          know it), C(active) (a unit runs from it) and C(error) (why the
          version could not be read).
      type: dict
    units:
      description: By unit name, the C(venv) its C(ExecStart) runs from and the C(exec_start) program.
      type: dict
    services:
      description:
        - By service (C(nova), C(placement), ...), C(venvs) (installed),
          C(units), C(active_venvs), C(active_venv) (null when none or
          several), C(mixed), and C(version) and C(release) of the active venv.
      type: dict
    infrastructure:
      description: Versions of C(mariadb), C(rabbitmq), C(erlang), C(libvirt) and C(qemu); null when absent.
      type: dict
  sample:
    services:
      nova: {active_venv: nova-2026.2, active_venvs: [nova-2026.2], mixed: false,
             release: '2026.2', version: 34.0.0, units: [nova-compute],
             venvs: [nova-2026.1, nova-2026.2]}
    infrastructure: {mariadb: 10.11.14, rabbitmq: 3.10.8, erlang: 25.2.3, libvirt: null, qemu: null}
'''

import glob
import os
import re
import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackroll.lifecycle.plugins.module_utils._package_releases import (
    release_of,
    service_of,
)

_VENV_NAME = re.compile(r'^(?P<service>[a-z][a-z0-9_-]*?)-(?P<series>\d{4}\.\d+)$')
_DIST_INFO = re.compile(r'^(?P<name>.+?)-(?P<version>[^-]+)\.dist-info$')
_VERSION = r'(\d+(?:\.\d+)+)'

# What to run for each infrastructure version, and where the version is in
# its output.  Several programs per tool: the first one installed answers.
# Erlang prints its full OTP version (25.2.3) where the file exists, else
# the major release (25).
_ERLANG_EVAL = (
    'R = erlang:system_info(otp_release), '
    'F = filename:join([code:root_dir(), "releases", R, "OTP_VERSION"]), '
    'case file:read_file(F) of {ok, V} -> io:fwrite("~s", [V]); '
    '_ -> io:fwrite("~s", [R]) end, halt().')
INFRASTRUCTURE = {
    'mariadb': [(['mariadbd', '--version'], r'Ver\s+' + _VERSION),
                (['mysqld', '--version'], r'Ver\s+' + _VERSION)],
    'rabbitmq': [(['rabbitmqctl', 'version'], r'^\s*' + _VERSION),
                 (['dpkg-query', '-W', '-f', '${Version}', 'rabbitmq-server'],
                  r'^(?:\d+:)?' + _VERSION),
                 (['rpm', '-q', '--qf', '%{VERSION}', 'rabbitmq-server'],
                  r'^' + _VERSION)],
    'erlang': [(['erl', '-noshell', '-eval', _ERLANG_EVAL],
                r'^\s*(\d+(?:\.\d+)*)')],
    'libvirt': [(['libvirtd', '--version'], r'libvirt\)?\s+' + _VERSION)],
    'qemu': [(['qemu-system-x86_64', '--version'], r'version\s+' + _VERSION),
             (['qemu-kvm', '--version'], r'version\s+' + _VERSION)],
}
# Where daemons live, beyond PATH.
_SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/libexec', '/sbin']


def parse_venv_name(name):
    """'nova-2026.2' -> ('nova', '2026.2'); None for other names."""
    match = _VENV_NAME.match(name)
    return (match.group('service'), match.group('series')) if match else None


def parse_metadata(text):
    """(Name, Version) from a dist-info METADATA's header block."""
    found = {}
    for line in text.splitlines():
        if not line.strip():
            break  # the body (the long description) follows
        key, sep, value = line.partition(':')
        if sep and key in ('Name', 'Version') and key not in found:
            found[key] = value.strip()
    return found.get('Name'), found.get('Version')


def _same_service(distribution, service):
    try:
        return service_of(distribution) == service_of(service)
    except ValueError:  # not an OpenStack service the release map knows
        return False


def read_service_package(venv_path, service):
    """(package, version) of ``service``'s package in the venv, read from its
    dist-info METADATA; (None, None) when it is not installed."""
    pattern = os.path.join(venv_path, 'lib', 'python3*', 'site-packages',
                           '*.dist-info')
    for dist_info in sorted(glob.glob(pattern)):
        match = _DIST_INFO.match(os.path.basename(dist_info))
        if not match or not _same_service(match.group('name'), service):
            continue
        with open(os.path.join(dist_info, 'METADATA'), encoding='utf-8',
                  errors='replace') as handle:
            name, version = parse_metadata(handle.read())
        if name and version:
            return name, version
    return None, None


def exec_start(unit_texts):
    """The program the last ``ExecStart=`` of a unit and its drop-ins (in
    order) starts, as systemd reads them: an empty ``ExecStart=`` resets."""
    program = None
    for text in unit_texts:
        section = None
        for line in text.splitlines():
            line = line.strip()
            if line.startswith('['):
                section = line
            elif section == '[Service]' and line.startswith('ExecStart='):
                command = line[len('ExecStart='):].strip()
                # systemd's prefixes: ignore failure, full privileges, ...
                command = command.lstrip('-@:+!')
                program = command.split()[0] if command else None
    return program


def venv_of(program, venv_root):
    """The venv name a program path lies in, or None."""
    if not program:
        return None
    root = os.path.normpath(venv_root) + os.sep
    path = os.path.normpath(program)
    if not path.startswith(root):
        return None
    return path[len(root):].split(os.sep, 1)[0]


def infrastructure_version(output, pattern):
    """The version ``pattern`` (one group) finds in a program's output."""
    match = re.search(pattern, output or '', re.MULTILINE)
    return match.group(1) if match else None


def summarise(venvs, units):
    """Per service: installed and active venvs, and the active version."""
    services = {}

    def entry(service):
        return services.setdefault(service, {
            'venvs': [], 'units': [], 'active_venvs': [], 'active_venv': None,
            'mixed': False, 'version': None, 'release': None})

    for name, venv in sorted(venvs.items()):
        if venv['service']:
            entry(venv['service'])['venvs'].append(name)
    for unit, info in sorted(units.items()):
        venv = venvs.get(info['venv'])
        service = venv['service'] if venv else (parse_venv_name(
            info['venv']) or (None,))[0]
        if not service:
            continue
        found = entry(service)
        found['units'].append(unit)
        if info['venv'] not in found['active_venvs']:
            found['active_venvs'].append(info['venv'])
    for service, found in services.items():
        found['active_venvs'].sort()
        found['mixed'] = len(found['active_venvs']) > 1
        if len(found['active_venvs']) == 1:
            active = found['active_venv'] = found['active_venvs'][0]
            venv = venvs.get(active) or {}
            found['version'] = venv.get('version')
            found['release'] = venv.get('release')
    return services


def read_venvs(venv_root):
    venvs = {}
    for path in sorted(glob.glob(os.path.join(venv_root, '*'))):
        if not os.path.isdir(path):
            continue
        name = os.path.basename(path)
        parsed = parse_venv_name(name)
        venv = {'path': path, 'service': None, 'series': None,
                'package': None, 'version': None, 'release': None,
                'active': False, 'error': None}
        venvs[name] = venv
        if parsed is None:
            venv['error'] = ('not named <service>-<series> like '
                             'nova-2026.2')
            continue
        venv['service'], venv['series'] = parsed
        try:
            venv['package'], venv['version'] = read_service_package(
                path, venv['service'])
        except OSError as exc:
            venv['error'] = 'cannot read its packages: %s' % exc
            continue
        if venv['version'] is None:
            venv['error'] = 'no %s package installed' % venv['service']
            continue
        try:
            venv['release'] = release_of(venv['package'], venv['version'])
        except ValueError as exc:
            venv['error'] = str(exc)
    return venvs


def read_units(unit_dir, venv_root):
    units = {}
    for path in sorted(glob.glob(os.path.join(unit_dir, '*.service'))):
        texts = []
        for part in [path] + sorted(glob.glob(path + '.d/*.conf')):
            try:
                with open(part, encoding='utf-8', errors='replace') as handle:
                    texts.append(handle.read())
            except OSError:
                continue  # a dangling link (a masked unit)
        program = exec_start(texts)
        venv = venv_of(program, venv_root)
        if venv:
            units[os.path.basename(path)[:-len('.service')]] = {
                'venv': venv, 'exec_start': program}
    return units


def read_infrastructure(module):
    timeout = module.get_bin_path('timeout')
    found = {}
    for tool, candidates in INFRASTRUCTURE.items():
        found[tool] = None
        for argv, pattern in candidates:
            program = module.get_bin_path(argv[0], opt_dirs=_SBIN_DIRS)
            if not program:
                continue
            # A daemon that cannot start (no cookie, no node) must not hang us.
            command = ([timeout, '30'] if timeout else []) + [program] + argv[1:]
            rc, out, err = module.run_command(command,
                                              environ_update={'LC_ALL': 'C'})
            version = infrastructure_version(out if rc == 0 else '', pattern)
            if version:
                found[tool] = version
                break
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            venv_root=dict(type='path', default='/openstack/venvs'),
            unit_dir=dict(type='path', default='/etc/systemd/system'),
            infrastructure=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    venv_root = module.params['venv_root']
    venvs = read_venvs(venv_root)
    units = read_units(module.params['unit_dir'], venv_root)
    for info in units.values():
        if info['venv'] in venvs:
            venvs[info['venv']]['active'] = True
    versions = {
        # nova's default service host name; the roles set the short one.
        'hostname': socket.gethostname(),
        'venvs': venvs,
        'units': units,
        'services': summarise(venvs, units),
        'infrastructure': (read_infrastructure(module)
                           if module.params['infrastructure'] else {}),
    }
    module.exit_json(changed=False, stackroll_versions=versions,
                     ansible_facts={'stackroll_versions': versions})


if __name__ == '__main__':
    main()
