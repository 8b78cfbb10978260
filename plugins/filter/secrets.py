# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The secrets a run would make anew on this control node, from the list of
those the roles' defaults make (the openstack role's
openstack_generated_secrets).

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence

from ansible.errors import AnsibleFilterError


def _entries(secrets):
    if isinstance(secrets, (str, bytes, Mapping)) or not isinstance(secrets, Sequence):
        raise AnsibleFilterError('secrets_missing expects the list of the generated secrets'
                                 ' (openstack_generated_secrets), got %r.' % (secrets,))
    for secret in secrets:
        if not isinstance(secret, Mapping) or not all(isinstance(secret.get(key), str) and secret[key]
                                                      for key in ('file', 'variable')):
            raise AnsibleFilterError('secrets_missing expects each secret as {file, variable, ...}, got %r.' % (secret,))
        if bool(secret.get('replaceable')) == bool(secret.get('used_if_exists')):
            raise AnsibleFilterError('secrets_missing expects each secret to be replaceable or to say which path'
                                     ' proves the cloud uses it (used_if_exists), not both; got %r.' % (secret,))
    return secrets


def secrets_missing(secrets, present, given):
    """openstack_generated_secrets | secrets_missing(files, hostvars[host]) -> the secrets a run would make anew.

    A secret is missing when its file is not among ``present`` (the names
    of the files in openstack_secrets_dir) and its variable is not in
    ``given`` (what the inventory and the extra vars set: a host's hostvars,
    which hold no role default). A replaceable one (a new one costs nothing)
    is never missing. Only names are read: no secret's value is templated,
    which would make it.
    """
    _entries(secrets)
    if isinstance(present, (str, bytes, Mapping)) or not isinstance(present, Sequence) \
            or not all(isinstance(name, str) for name in present):
        raise AnsibleFilterError('secrets_missing expects the names of the files in openstack_secrets_dir, got %r.'
                                 % (present,))
    if isinstance(given, (str, bytes)) or not isinstance(given, Container):
        raise AnsibleFilterError('secrets_missing expects the variables the inventory sets (a host\'s hostvars),'
                                 ' got %r.' % (given,))
    return [dict(secret) for secret in secrets
            if not secret.get('replaceable') and secret['file'] not in present and secret['variable'] not in given]


class FilterModule:
    """stackroll.lifecycle's secrets filters."""

    def filters(self):
        return {'secrets_missing': secrets_missing}
