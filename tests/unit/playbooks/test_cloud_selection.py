# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Playbooks and roles leave the cloud to openstacksdk when OS_CLOUD is unset.

AWX's OpenStack credential sets OS_CLIENT_CONFIG_FILE to a clouds.yaml
holding one cloud and no OS_CLOUD; openstacksdk then uses that cloud. A
cloud option given as an empty OS_CLOUD would name a cloud '' instead, so
every read of OS_CLOUD must fall back to omit.
"""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[3]
READ = re.compile(r"""lookup\(\s*'(?:ansible\.builtin\.)?env'\s*,\s*'OS_CLOUD'\s*\)""")


def _reads():
    """(file:line, line) of each read of OS_CLOUD in playbooks/ and roles/."""
    for path in sorted([*ROOT.glob('playbooks/*.yml'), *ROOT.glob('roles/**/*.yml')]):
        for number, line in enumerate(path.read_text(encoding='utf-8').splitlines(), 1):
            if READ.search(line) and not line.lstrip().startswith('#'):
                yield '%s:%d' % (path.relative_to(ROOT), number), line


def test_os_cloud_is_read_somewhere():
    assert list(_reads())


def test_every_read_of_os_cloud_omits_an_unset_cloud():
    assert [where for where, line in _reads() if not re.search(r'\bor omit\s*}}', line)] == []
