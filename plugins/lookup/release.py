# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
name: release
short_description: An OpenStack release from the collection's release map
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Returns the release map entry of each release named, by series
    (V(2026.2)) or codename (V(hibiscus)).
  - The deploy roles take their package pins and constraints from it, so
    an unknown release fails before anything changes.
options:
  _terms:
    description: Release series or codenames.
    required: true
    type: list
    elements: str
'''

EXAMPLES = r'''
- name: Show what 2026.2 installs
  ansible.builtin.debug:
    msg: "{{ lookup('stackroll.lifecycle.release', '2026.2').packages }}"
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
      description: The pinned PyPI requirement of each service.
      type: dict
    constraints_url:
      description: Upstream upper-constraints of the release.
      type: str
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.stackroll.lifecycle.plugins.module_utils.releases import (
    UnknownRelease,
    release,
)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            return [release(term) for term in terms]
        except UnknownRelease as exc:
            raise AnsibleLookupError(str(exc)) from None
