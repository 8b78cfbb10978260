#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: upgrade_progress
short_description: Keep a host's upgrade progress in a local facts file
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Writes the progress of a rolling upgrade to a JSON file on the host, an
    Ansible local fact. The role P(stackroll.lifecycle.upgrade#role) keeps
    the progress in memory, merges each record into it and writes it at the
    start and end of every step; a rerun reads it back and continues.
  - It takes one module run where M(ansible.builtin.copy) takes several. It
    creates the folder, writes a temporary file beside the target and moves
    it into place, so that an interrupted write never leaves half a file.
options:
  path:
    description: The file, created with its folder if missing.
    type: path
    required: true
  progress:
    description: The whole progress, written as indented JSON with sorted keys.
    type: dict
    required: true
attributes:
  check_mode:
    description: Says whether the file would change, and writes nothing.
    support: full
  diff_mode:
    description: Shows the file before and after.
    support: full
  idempotent:
    description: Writes only when the content differs.
    support: full
'''

EXAMPLES = r'''
- name: Keep the progress on the host
  stackroll.lifecycle.upgrade_progress:
    path: /etc/ansible/facts.d/stackroll_upgrade.fact
    progress:
      release: "2026.2"
      steps:
        drain: {state: done, start: "2026-12-02T15:55:23", end: "2026-12-02T15:56:29"}
'''

RETURN = r'''
path:
  description: The file written.
  returned: success
  type: str
  sample: /etc/ansible/facts.d/stackroll_upgrade.fact
'''

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule


def render(progress):
    """The file's content, as Ansible's to_nice_json writes it."""
    return json.dumps(progress, indent=4, sort_keys=True) + '\n'


def read(path):
    """The file's content, or None when it does not exist."""
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write(module, path, content):
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o755, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix='.%s.' % os.path.basename(path))
    with os.fdopen(handle, 'w', encoding='utf-8') as target:
        target.write(content)
    os.chmod(temporary, 0o644)  # a fact, readable by all, as the setup module reads it
    module.atomic_move(temporary, path)


def main():
    module = AnsibleModule(
        argument_spec={'path': {'type': 'path', 'required': True},
                       'progress': {'type': 'dict', 'required': True}},
        supports_check_mode=True,
    )
    path = module.params['path']
    before, after = read(path), render(module.params['progress'])
    result = {'changed': before != after, 'path': path}
    if result['changed'] and not module.check_mode:
        write(module, path, after)
    if module._diff:
        result['diff'] = {'before': before or '', 'after': after, 'before_header': path, 'after_header': path}
    module.exit_json(**result)


if __name__ == '__main__':
    main()
