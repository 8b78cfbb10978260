# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""keystone's key repositories (fernet tokens, credentials) shared by the
controllers: whether the repository a controller hands out is whole, and
which key files another controller must receive or drop to hold the same.

keystone reads a repository's keys as keystone.common.fernet_utils does:
the regular files whose name is a number, a key each, 0 the staged key,
the highest the primary, the others secondary; an empty file is ignored;
any other file (0.tmp, left by an interrupted rotation) is no key. The
listings are the registered results of ansible.builtin.find over the
repositories, with get_checksum.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import expect, strings

PROBLEMS = 'fernet_key_problems'
CHANGES = 'fernet_key_changes'
# What keystone reads as a key number: int(name); the canonical spelling only counts here.
_NUMBERED = re.compile(r'^[0-9]+$')
# What a received key file keeps of the source's, as find lists it: its content, and its mode and owners
# (keystone's, 0600, as keystone-manage writes them).
_KEPT = ('checksum', 'mode', 'pw_name', 'gr_name')


def _repositories(name, repositories):
    strings(name, 'repositories', repositories)
    expect(name, 'repositories', repositories, 'a list of absolute directories',
           bool(repositories) and all(path.startswith('/') for path in repositories))
    return [posixpath.normpath(path) for path in repositories]


def _files(name, what, listing, checksums):
    """The files of a find result, each {path, size[, checksum]}."""
    expect(name, what, listing, 'the registered result of ansible.builtin.find (with files)',
           isinstance(listing, Mapping) and isinstance(listing.get('files'), list))
    files = listing['files']
    for item in files:
        expect(name, 'each file of ' + what, item, 'a file of ansible.builtin.find (with path and size%s)'
               % (' and checksum: find with get_checksum' if checksums else ''),
               isinstance(item, Mapping) and isinstance(item.get('path'), str) and isinstance(item.get('size'), int)
               and not isinstance(item.get('size'), bool)
               and (not checksums or isinstance(item.get('checksum'), str)))
    return files


def _keys(files, repositories):
    """{repository: {number: file}} of the numbered files, and {repository: [other numeric names]}."""
    keys = {repository: {} for repository in repositories}
    odd = {repository: [] for repository in repositories}
    for item in files:
        directory, base = posixpath.split(posixpath.normpath(item['path']))
        if directory not in keys or not _NUMBERED.match(base):
            continue
        if str(int(base)) != base:
            odd[directory].append(base)
            continue
        keys[directory][int(base)] = item
    return keys, odd


def fernet_key_problems(listing, repositories, host):
    """What makes the repositories of host, listed by find, unfit to hand out; [] if each is whole.

    A whole repository holds a staged key (0) and a primary (a higher
    number), none of them empty, and no file keystone would read as a key
    number spelt otherwise (01 is key 1 to keystone).
    """
    repositories = _repositories(PROBLEMS, repositories)
    expect(PROBLEMS, 'host', host, 'a string', isinstance(host, str) and bool(host))
    keys, odd = _keys(_files(PROBLEMS, 'the listing', listing, False), repositories)
    problems = []
    for repository in repositories:
        found = keys[repository]
        where = "keystone's key repository %s on %s" % (repository, host)
        if not found:
            problems.append('%s holds no key: run site.yml on %s first (its keystone role makes the keys there with'
                            ' keystone-manage fernet_setup and credential_setup); the other controllers receive'
                            ' them from it' % (where, host))
            continue
        if 0 not in found:
            problems.append('%s has no staged key (0), which every repository has after keystone-manage'
                            ' fernet_setup, credential_setup or a rotation; a repository without it was changed by'
                            ' hand or a rotation was interrupted: restore the repository from a backup, or rotate'
                            ' the keys (playbook stackroll.lifecycle.rotate_keys)' % where)
        if not [number for number in found if number > 0]:
            problems.append('%s has no primary key (a number above 0), with which keystone encrypts; restore the'
                            ' repository from a backup, or rotate the keys (playbook'
                            ' stackroll.lifecycle.rotate_keys)' % where)
        empty = sorted(number for number, item in found.items() if item['size'] == 0)
        if empty:
            problems.append('%s has empty key files (%s), which keystone ignores; restore them from a backup'
                            % (where, ', '.join(str(number) for number in empty)))
        if odd[repository]:
            problems.append('%s has files keystone reads as key numbers written otherwise (%s); rename or remove'
                            ' them so that each key has one file' % (where, ', '.join(sorted(odd[repository]))))
    return problems


def fernet_key_changes(source, target, repositories):
    """{'receive': [paths], 'drop': [paths]} that make target's key files those of source.

    receive: the key files of source that target lacks or holds with another
    content, mode or owner, the highest number first and the staged key (0) last, so that
    after a rotation the new primary arrives before the staged key it was
    is replaced; drop: target's key files that source no longer has,
    to drop once the copies are made. Only numbered files count.
    """
    repositories = _repositories(CHANGES, repositories)
    given = _keys(_files(CHANGES, 'the source listing', source, True), repositories)[0]
    held = _keys(_files(CHANGES, 'the target listing', target, True), repositories)[0]
    receive = []
    drop = []
    for repository in repositories:
        for number in sorted(given[repository], reverse=True):
            source_file = given[repository][number]
            there = held[repository].get(number)
            if there is None or any(there.get(attribute) != source_file[attribute]
                                    for attribute in _KEPT if attribute in source_file):
                receive.append(posixpath.join(repository, str(number)))
        drop.extend(posixpath.join(repository, str(number))
                    for number in sorted(held[repository]) if number not in given[repository])
    return {'receive': receive, 'drop': drop}
