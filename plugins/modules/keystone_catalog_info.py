#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: keystone_catalog_info
short_description: Read keystone's role assignments, users, services and endpoints at once
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Reads, over one connection, what a service's registration in keystone
    is made of. The role C(openstack) compares it with what it would write
    (filter P(stackroll.lifecycle.keystone_catalog_drift#filter)) and writes
    only what differs.
  - The role assignments come with the names of their users, roles and
    projects.
  - Needs a user allowed to list them, usually an admin.
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackroll.lifecycle.cloud
  - stackroll.lifecycle.read_only
'''

EXAMPLES = r'''
- name: Read keystone
  stackroll.lifecycle.keystone_catalog_info:
  register: keystone

- name: What keystone lacks of glance's registration
  ansible.builtin.debug:
    msg: >-
      {{ keystone.keystone | stackroll.lifecycle.keystone_catalog_drift(
         {'name': 'glance', 'type': 'image', 'description': 'OpenStack Image'},
         'http://10.89.42.10:9292', 'glance', 'RegionOne', ['admin', 'service'],
         ['public', 'internal', 'admin']) }}
'''

RETURN = r'''
keystone:
  description: The resources as openstacksdk returns them (C(to_dict(computed=False))).
  returned: success
  type: dict
  contains:
    role_assignments:
      description: Every role assignment, with names.
      type: list
      elements: dict
    users:
      description: Every user.
      type: list
      elements: dict
    services:
      description: Every catalog entry.
      type: list
      elements: dict
    endpoints:
      description: Every endpoint.
      type: list
      elements: dict
'''

from ansible_collections.stackroll.lifecycle.plugins.module_utils._cloud import CloudModule


class KeystoneCatalogInfoModule(CloudModule):
    argument_spec = {}

    def run(self):
        identity = self.conn.identity
        lists = {'role_assignments': identity.role_assignments(include_names=True),
                 'users': identity.users(),
                 'services': identity.services(),
                 'endpoints': identity.endpoints()}
        return {'changed': False,
                'keystone': {key: [resource.to_dict(computed=False) for resource in resources]
                             for key, resources in lists.items()}}


def main():
    KeystoneCatalogInfoModule()()


if __name__ == '__main__':
    main()
