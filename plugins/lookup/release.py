# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r'''
name: release
short_description: An OpenStack release from the collection's release map
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Returns the release map entry of each release named, by series
    (V(2026.2)) or codename (V(hibiscus), in any case).
  - The deploy roles take their package pins and constraints from it, so
    an unknown release fails before anything changes, naming the releases
    that exist.
  - Each call returns a copy, so changing it changes nothing for later calls.
options:
  _terms:
    description: Release series or codenames.
    required: true
    type: list
    elements: str
seealso:
  - plugin: stackroll.lifecycle.upgrade_check
    plugin_type: filter
  - plugin: stackroll.lifecycle.version_of
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Show what 2026.2 installs
  ansible.builtin.debug:
    msg: "{{ lookup('stackroll.lifecycle.release', '2026.2').packages }}"

- name: The highest compute microversion each release serves
  ansible.builtin.debug:
    msg: "{{ query('stackroll.lifecycle.release', '2026.1', 'hibiscus')
             | map(attribute='apis.compute.max_version') }}"
'''

RETURN = r'''
_raw:
  description: One release map entry per term.
  type: list
  elements: dict
  contains:
    series:
      description: The release series, for example V(2026.2).
      type: str
    codename:
      description: The release's name, for example V(hibiscus).
      type: str
    slurp:
      description: Whether the release is a SLURP release (skip-level upgrades).
      type: bool
    packages:
      description: The pinned PyPI requirement of each service, for example V(nova==34.0.0).
      type: dict
    constraints_url:
      description: Upstream upper-constraints of the release.
      type: str
    constraints_overrides:
      description: Constraints replaced in the upstream upper-constraints for the install to work.
      type: list
      elements: str
    apis:
      description:
        - What the release's APIs serve, per service type (V(identity),
          V(compute), V(placement), V(image), V(network)).
        - C(versions) lists the API versions, C(min_version) and
          C(max_version) the microversion range (absent without
          microversions), C(deprecated) the deprecated API versions.
      type: dict
    nova_service_version:
      description: The service version of the release's nova services.
      type: int
    nova_oldest_compute:
      description: The oldest nova-compute service version the release's controllers accept.
      type: int
    oslo_messaging:
      description:
        - The oslo.messaging the release's upper-constraints pin (C(version)),
          and the options of C([oslo_messaging_rabbit]) it has that choose
          its queues' type, replication and names (C(rabbit_queue_options)),
          which the filter P(stackroll.lifecycle.oslo_messaging_rabbit#filter)
          checks a cluster's options against.
      type: dict
'''

import copy

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    UnknownRelease,
    release,
)


def release_entry(term):
    """The map entry of one term, as a copy the caller may change."""
    if term is None or isinstance(term, (bool, dict, list)):
        raise UnknownRelease('A release must be a series such as 2026.2 or a '
                             'codename such as hibiscus, got %r.' % (term,))
    name = str(term).strip()
    if not name:
        raise UnknownRelease('No release given: name a series such as 2026.2 '
                             'or a codename such as hibiscus.')
    return copy.deepcopy(release(name if name[0].isdigit() else name.lower()))


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not terms:
            raise AnsibleLookupError('No release given: name a series such as '
                                     '2026.2 or a codename such as hibiscus.')
        try:
            return [release_entry(term) for term in terms]
        except UnknownRelease as exc:
            raise AnsibleLookupError(str(exc)) from None
