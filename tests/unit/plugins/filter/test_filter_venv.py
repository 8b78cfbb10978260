# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""venv_build_key: a build is keyed by what goes into it, local files by content."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.venv import FilterModule

KEY = FilterModule().filters()['venv_build_key']


def _package(root):
    (root / 'pkg').mkdir(parents=True)
    (root / 'pkg' / '__init__.py').write_text('VERSION = 1\n')
    (root / 'pyproject.toml').write_text('[project]\nname = "x"\n')
    return str(root)


def test_text_parts_key_by_text():
    key = KEY(['nova==33.0.2', 'https://example.invalid/uc.txt'])
    assert len(key) == 12 and int(key, 16) >= 0
    assert key == KEY(['nova==33.0.2', 'https://example.invalid/uc.txt'])
    assert key != KEY(['nova==34.0.0', 'https://example.invalid/uc.txt'])
    assert key != KEY(['https://example.invalid/uc.txt', 'nova==33.0.2'])  # order counts


def test_a_local_file_keys_by_content_wherever_it_lies(tmp_path):
    one, two = tmp_path / 'a' / 'uc.txt', tmp_path / 'b' / 'uc.txt'
    for path in (one, two):
        path.parent.mkdir()
        path.write_text('oslo.config===9.0.0\n')
    assert KEY(['nova', str(one)]) == KEY(['nova', str(two)])
    two.write_text('oslo.config===9.1.0\n')
    assert KEY(['nova', str(one)]) != KEY(['nova', str(two)])


def test_a_local_package_keys_by_its_sources_not_its_build_leftovers(tmp_path):
    one = _package(tmp_path / 'checkout1' / 'driver')
    two = _package(tmp_path / 'checkout2' / 'driver')
    assert KEY(['nova', one]) == KEY(['nova', two + '/'])
    # What pip and setuptools leave in the tree changes nothing.
    for leftover in ('build/lib/pkg', 'x.egg-info', 'pkg/__pycache__'):
        (tmp_path / 'checkout2' / 'driver' / leftover).mkdir(parents=True)
        (tmp_path / 'checkout2' / 'driver' / leftover / 'f').write_text('anything')
    (tmp_path / 'checkout2' / 'driver' / 'pkg' / 'mod.pyc').write_bytes(b'\0')
    assert KEY(['nova', one]) == KEY(['nova', two])
    # A source edited, added or renamed builds anew.
    (tmp_path / 'checkout2' / 'driver' / 'pkg' / '__init__.py').write_text('VERSION = 2\n')
    edited = KEY(['nova', two])
    assert edited != KEY(['nova', one])
    (tmp_path / 'checkout2' / 'driver' / 'pkg' / 'new.py').write_text('')
    assert KEY(['nova', two]) != edited


def test_a_path_the_control_node_lacks_keys_by_its_text(tmp_path):
    missing = str(tmp_path / 'only-on-the-build-host.txt')
    assert KEY([missing]) == KEY([missing])
    assert KEY([missing]) != KEY([str(tmp_path / 'other.txt')])


@pytest.mark.parametrize('value', ['nova', None, ['nova', 3]])
def test_bad_input_is_refused(value):
    with pytest.raises(AnsibleFilterError, match='expects a list of strings'):
        KEY(value)
