# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The key of a venv build: what goes into it, by content where it is a local file.

Documented in ``venv_build_key.yml`` beside this file.
"""

from __future__ import annotations

import hashlib
import os

from ansible.errors import AnsibleFilterError

# What building a local package leaves in its source tree, or a checkout
# carries beside it: not part of what is built.
_NOT_SOURCE_DIRS = frozenset(('__pycache__', '.git', '.pytest_cache', 'build', 'dist'))
_NOT_SOURCE_SUFFIXES = ('.pyc', '.egg-info')


def _tree_digest(path):
    """sha1 of a file's bytes, or of a folder's file names and bytes, in a stable order."""
    digest = hashlib.sha1()
    if os.path.isfile(path):
        files = [('', path)]
    else:
        files = []
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in _NOT_SOURCE_DIRS and not d.endswith(_NOT_SOURCE_SUFFIXES))
            for name in sorted(names):
                if not name.endswith(_NOT_SOURCE_SUFFIXES):
                    full = os.path.join(folder, name)
                    files.append((os.path.relpath(full, path), full))
    for name, full in files:
        digest.update(name.encode() + b'\0')
        with open(full, 'rb') as handle:
            digest.update(handle.read())
        digest.update(b'\0')
    return digest.hexdigest()


def venv_build_key(parts):
    """['nova==33.0.2', '/srv/uc-2026.1.txt', ...] | venv_build_key -> 12 hex digits.

    A part that is an absolute path to a file or folder on the control node
    counts by its content, so that the same content keys the same build
    wherever a checkout lies, and an edited file builds anew; any other part
    (a requirement, a URL, a path only the build host has) by its text.
    """
    if not isinstance(parts, list) or not all(isinstance(part, str) for part in parts):
        raise AnsibleFilterError('venv_build_key expects a list of strings, got %r.' % (parts,))
    keyed = []
    for part in parts:
        path = part.strip()
        if os.path.isabs(path) and os.path.exists(path):
            keyed.append('%s@%s' % (os.path.basename(path.rstrip('/')), _tree_digest(path)))
        else:
            keyed.append(part)
    return hashlib.sha1(' '.join(keyed).encode()).hexdigest()[:12]


class FilterModule:
    """stackroll.lifecycle's venv filters."""

    def filters(self):
        return {'venv_build_key': venv_build_key}
