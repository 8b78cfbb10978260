#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: backup_manifests_info
short_description: List the backups in a folder with their manifests
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Runs on a host that keeps backups of the role
    P(stackroll.lifecycle.backup#role) (no cloud connection, Python's
    standard library only).
  - Lists each folder directly under O(path), a backup, with its
    C(manifest.json) read, in one pass, because the role's retention and restore
    judge the backups by their manifests (verified or not, safety dump or
    not, when taken), which only the database host and off-host copies
    have.
  - A folder without a manifest (the folders of the other hosts, or an
    interrupted backup) has a null RV(backups[].manifest); an unreadable
    one says why in RV(backups[].error).
options:
  path:
    description: The folder of the backups (the role's C(backup_dir), or an off-host copy's folder).
    type: path
    required: true
extends_documentation_fragment:
  - stackroll.lifecycle.read_only
'''

EXAMPLES = r'''
- name: List the backups of the database host
  stackroll.lifecycle.backup_manifests_info:
    path: /var/backups/stackroll
  register: listed

- name: Name the verified ones
  ansible.builtin.debug:
    msg: >-
      {{ listed.backups | selectattr('manifest') | selectattr('manifest.verification.result', '==', 'passed')
         | map(attribute='name') | list }}
'''

RETURN = r'''
exists:
  description: Whether O(path) is a folder.
  returned: always
  type: bool
  sample: true
backups:
  description: Each folder under O(path), by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The folder's name, the backup's.
      type: str
    manifest:
      description: Its C(manifest.json), or null when it has none or it cannot be read.
      type: dict
    error:
      description: Why its manifest could not be read; null when it was read or there is none.
      type: str
  sample:
    - name: 20261201T041500Z
      manifest: {format: 2, name: 20261201T041500Z, kind: backup, release: '2026.2', verification: {result: passed}}
      error: null
    - name: pre-restore-20261202T100000Z
      manifest: null
      error: null
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule

MANIFEST = 'manifest.json'


def read_manifest(folder):
    """(manifest, error) of a backup's folder: (None, None) without one."""
    path = os.path.join(folder, MANIFEST)
    if not os.path.exists(path):
        return None, None
    try:
        with open(path, encoding='utf-8') as handle:
            manifest = json.load(handle)
    except (OSError, ValueError) as exc:
        return None, 'cannot read %s: %s' % (path, exc)
    if not isinstance(manifest, dict):
        return None, '%s is not a JSON object' % path
    return manifest, None


def list_backups(path):
    """Each folder under ``path`` with its manifest, by name."""
    backups = []
    for name in sorted(os.listdir(path)):
        folder = os.path.join(path, name)
        if not os.path.isdir(folder) or os.path.islink(folder):
            continue
        manifest, error = read_manifest(folder)
        backups.append({'name': name, 'manifest': manifest, 'error': error})
    return backups


def main():
    module = AnsibleModule(
        argument_spec={'path': {'type': 'path', 'required': True}},
        supports_check_mode=True,
    )
    path = module.params['path']
    if not os.path.isdir(path):
        module.exit_json(changed=False, exists=False, backups=[])
    try:
        backups = list_backups(path)
    except OSError as exc:
        module.fail_json(msg='Cannot list the backups in %s: %s' % (path, exc))
    module.exit_json(changed=False, exists=True, backups=backups)


if __name__ == '__main__':
    main()
