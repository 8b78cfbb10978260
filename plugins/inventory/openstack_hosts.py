# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r'''
name: openstack_hosts
short_description: The hosts of an OpenStack cloud, as nova sees them
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Reads the cloud's own view of its hosts from nova's API (services,
    hypervisors, aggregates), once per run or from the inventory cache.
    Each compute host, and with O(controllers) each host of
    nova's other services, becomes an inventory host named by nova's host
    name (C(cmp1)), the name nova's services report and
    M(stackroll.lifecycle.compute_service) takes.
  - "Groups: C(computes) (hosts of C(nova-compute)); C(computes_disabled)
    (its service disabled); C(computes_down) (its service down or forced
    down); with O(controllers), C(controllers) (hosts of C(nova-scheduler),
    C(nova-conductor) and nova's other services); one group per
    availability zone of the computes (C(az_nova), see
    O(zone_group_prefix)); one per aggregate (C(aggregate_gpu), see
    O(aggregate_group_prefix)). The C(computes*) groups exist even when
    empty."
  - Group names are sanitized, each character other than an ASCII letter,
    digit or C(_) becoming C(_), so C(zone-1) gives C(az_zone_1).
  - Each host gets the C(stackroll_host) variable, with C(host) (nova's
    host name); C(state) (V(up) or V(down)), C(status) (V(enabled) or
    V(disabled)), C(disabled_reason) and C(forced_down), of its
    C(nova-compute) service, or for a host without one, down or disabled
    when any of its services is; C(services) (by binary, each service's
    C(state), C(status), C(disabled_reason), C(forced_down),
    C(availability_zone) and C(updated_at)); C(availability_zone) (of its
    compute service); C(aggregates); C(hypervisors) (their names);
    C(hypervisor_type); C(host_ip); C(running_vms) (instances on the host,
    from the hypervisors' C(running_vms) where the compute API's
    microversion still has it (up to 2.87), else counted from their
    servers; null for a host without hypervisor).
  - nova's API does not give a service's version, so the release a host
    runs is not among its variables; M(stackroll.lifecycle.host_versions_facts)
    reads it on the host.
  - Needs the credentials of a cloud admin, as nova lists services,
    hypervisors and aggregates to admins only.
  - The configuration file's name must end in C(openstack_hosts.yml) or
    C(openstack_hosts.yaml).
  - Errors fail the source with a message that says what would fix them,
    for an unknown cloud (with the known ones and the files searched), a
    C(clouds.yaml) that is missing or invalid, an unreachable cloud or
    missing rights. By default C(ansible-inventory) and C(ansible-playbook)
    only warn when a source fails; set E(ANSIBLE_INVENTORY_UNPARSED_FAILED)
    to make that fatal.
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    required: true
    type: str
    choices: [stackroll.lifecycle.openstack_hosts]
  cloud:
    description:
      - The cloud of C(clouds.yaml) to read.
      - When neither this option nor E(OS_CLOUD) is set, the only cloud of
        C(clouds.yaml), or the cloud the E(OS_AUTH_URL) and other C(OS_*)
        variables describe.
    type: str
    env:
      - name: OS_CLOUD
  clouds_yaml_path:
    description:
      - C(clouds.yaml) files searched before the standard paths
        (C(./clouds.yaml), C(~/.config/openstack/clouds.yaml),
        C(/etc/openstack/clouds.yaml)); the first one that exists is read.
      - AWX's OpenStack credential sets E(OS_CLIENT_CONFIG_FILE).
      - A file named here that does not exist is an error.
    type: list
    elements: path
    env:
      - name: OS_CLIENT_CONFIG_FILE
  controllers:
    description:
      - Whether to add the hosts of nova's services other than
        C(nova-compute) (C(nova-scheduler), C(nova-conductor)), in the
        C(controllers) group.
    type: bool
    default: false
  host_address:
    description:
      - What becomes a host's C(ansible_host), V(host_ip) (its
        hypervisor's address) or V(hypervisor_hostname) (its hypervisor's
        name, often the host's FQDN), for hosts with a hypervisor.
      - When unset, C(ansible_host) is not set and Ansible reaches a host
        by nova's host name, or by what O(compose) sets.
    type: str
    choices: [host_ip, hypervisor_hostname]
  zone_group_prefix:
    description: Prefix of the availability zones' group names.
    type: str
    default: az_
  aggregate_group_prefix:
    description: Prefix of the aggregates' group names.
    type: str
    default: aggregate_
requirements:
  - python >= 3.9
  - openstacksdk >= 1.0.0
extends_documentation_fragment:
  - inventory_cache
  - constructed
seealso:
  - module: stackroll.lifecycle.compute_service
  - plugin: openstack.cloud.openstack
    plugin_type: inventory
'''

EXAMPLES = r'''
# cloud.openstack_hosts.yml: the computes of the cloud OS_CLOUD names, from
# the clouds.yaml at OS_CLIENT_CONFIG_FILE or the standard paths.
#   ansible-inventory -i cloud.openstack_hosts.yml --graph
---
plugin: stackroll.lifecycle.openstack_hosts

# prod.openstack_hosts.yml: the controllers too, reached at the
# hypervisors' addresses, with groups and variables of your own, cached.
---
plugin: stackroll.lifecycle.openstack_hosts
cloud: production
controllers: true
host_address: host_ip
groups:
  controllers_down: "'controllers' in group_names and stackroll_host.state == 'down'"
  computes_empty: "stackroll_host.running_vms == 0"
keyed_groups:
  - key: stackroll_host.hypervisor_type
    prefix: hypervisor
compose:
  ansible_user: "'ubuntu'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible/openstack_hosts
'''

import os

import yaml

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.stackroll.lifecycle.plugins.module_utils._cloud import (
    cloud_selection_error,
    describe_error,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._host_inventory import (
    aggregate_record,
    build_inventory,
    hypervisor_record,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova import (
    compute_service_records,
)

try:
    import openstack.connection
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions
    from openstack.config import loader as sdk_loader
    HAS_SDK = True
except ImportError:
    HAS_SDK = False

CONFIG_SUFFIXES = ('openstack_hosts.yml', 'openstack_hosts.yaml')


def is_config_path(path):
    """Whether a file name marks a configuration of this plugin."""
    return path.endswith(CONFIG_SUFFIXES)


def clouds_yaml_problem(path, text):
    """Why a clouds.yaml's text cannot be used, or None.

    openstacksdk skips a file it cannot parse and reads the next one it
    finds, so the cloud would come from a file nobody meant.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        where = ' at line %d, column %d' % (mark.line + 1, mark.column + 1) if mark else ''
        reason = ' '.join(filter(None, (getattr(exc, 'context', None),
                                        getattr(exc, 'problem', None)))) or str(exc)
        return '%s is not valid YAML%s: %s. Fix the file.' % (path, where, reason)
    if not isinstance(data, dict) or not isinstance(data.get('clouds'), dict):
        return ('%s has no mapping of clouds at its top: expected '
                '"clouds: {<name>: {auth: ...}}". Fix the file.' % path)
    return None


def missing_files_problem(paths, origin):
    """The clouds.yaml files named explicitly that do not exist, or None."""
    missing = [p for p in paths if not os.path.exists(p)]
    if not missing:
        return None
    source = ('OS_CLIENT_CONFIG_FILE' if origin and 'OS_CLIENT_CONFIG_FILE' in origin
              else 'clouds_yaml_path')
    return ('No such clouds.yaml: %s (from %s). Point %s at an existing '
            'clouds.yaml, or unset it to use the standard paths.'
            % (', '.join(missing), source, source))


def requested_cloud(value, origin):
    """The cloud the plugin's file names, or None when the value came from
    OS_CLOUD: openstacksdk reads that itself, and errors then name it."""
    return None if str(origin or '').startswith('env:') else value


def cloud_config(requested, paths, option, environ=None):
    """openstacksdk's configuration and the name of the cloud to read.

    ``requested`` is the cloud named by the plugin's file (None for
    openstacksdk's own choice, OS_CLOUD first), ``paths`` the clouds.yaml
    files searched before the standard ones. Raises AnsibleParserError
    saying what is wrong and what would fix it.
    """
    environ = os.environ if environ is None else environ
    # openstacksdk puts OS_CLIENT_CONFIG_FILE first by itself.
    override = environ.get('OS_CLIENT_CONFIG_FILE')
    files = []
    for path in list(paths) + list(sdk_loader.CONFIG_FILES):
        if path not in files and path != override:
            files.append(path)
    searched = ([override] if override else []) + files
    first = next((p for p in searched if os.path.isfile(p)), None)
    if first:
        try:
            with open(first, encoding='utf-8') as handle:
                problem = clouds_yaml_problem(first, handle.read())
        except OSError as exc:
            problem = 'Cannot read %s: %s.' % (first, exc)
        if problem:
            raise AnsibleParserError(problem)
    try:
        config = sdk_loader.OpenStackConfig(config_files=files)
    except sdk_exceptions.ConfigException as exc:
        raise AnsibleParserError('Invalid clouds.yaml: %s' % exc) from None
    problem = cloud_selection_error(requested, config, environ=environ, option=option)
    if problem:
        raise AnsibleParserError(problem)
    return config, requested or config.default_cloud


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'stackroll.lifecycle.openstack_hosts'

    def verify_file(self, path):
        return super().verify_file(path) and is_config_path(path)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        if not HAS_SDK:
            raise AnsibleParserError(
                'The openstack_hosts inventory needs openstacksdk on the controller: '
                'pip install openstacksdk (in the venv or execution environment '
                'Ansible runs from).')

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if data is None:
            data = self._read_cloud(path)
        if update_cache:
            self._cache[cache_key] = data
        self._populate(data)

    def _read_cloud(self, path):
        """nova's services, hypervisors and aggregates, as plain records."""
        cloud, origin = self.get_option_and_origin('cloud')
        paths, paths_origin = self.get_option_and_origin('clouds_yaml_path')
        # An empty OS_CLIENT_CONFIG_FILE names no file.
        paths = [os.path.expanduser(p) for p in paths or [] if p]
        problem = missing_files_problem(paths, paths_origin)
        if problem:
            raise AnsibleParserError(problem)
        config, name = cloud_config(requested_cloud(cloud, origin), paths,
                                    option='the cloud option of %s' % path)
        try:
            region = config.get_one(cloud=name)
        except sdk_exceptions.ConfigException as exc:
            raise AnsibleParserError('Cloud %r of %s cannot be used: %s' % (
                name, config.config_filename, exc)) from None
        connection = openstack.connection.Connection(config=region)
        try:
            compute = connection.compute
            return {
                'services': compute_service_records(connection),
                'hypervisors': [hypervisor_record(h) for h in compute.hypervisors(
                    details=True, with_servers=True)],
                'aggregates': [aggregate_record(a) for a in compute.aggregates()],
            }
        except (sdk_exceptions.SDKException, ksa_exceptions.ClientException) as exc:
            raise AnsibleParserError('Cannot read the hosts of cloud %r (%s): %s' % (
                name, config.config_filename or 'from OS_* variables',
                describe_error(exc))) from None
        finally:
            connection.close()

    def _populate(self, data):
        built = build_inventory(
            data['services'], data['hypervisors'], data['aggregates'],
            controllers=self.get_option('controllers'),
            zone_group_prefix=self.get_option('zone_group_prefix'),
            aggregate_group_prefix=self.get_option('aggregate_group_prefix'),
            host_address=self.get_option('host_address'))
        for warning in built['warnings']:
            self.display.warning(warning)
        for group in built['groups']:
            self.inventory.add_group(group)
        for host, hostvars in built['hosts'].items():
            self.inventory.add_host(host)
            for key, value in hostvars.items():
                self.inventory.set_variable(host, key, value)
        for group, members in built['groups'].items():
            for host in members:
                self.inventory.add_child(group, host)

        strict = self.get_option('strict')
        for host in built['hosts']:
            hostvars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option('compose'), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, host, strict=strict)
