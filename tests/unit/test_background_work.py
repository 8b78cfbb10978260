"""The venvs' unpack.

The unpack script of venv_install.yml runs here as the hosts run it, on a
small venv packed the way venv_build.yml packs one.
"""

import fcntl
import os
import shutil
import subprocess
import time

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPENSTACK = os.path.join(ROOT, "roles", "openstack")


def _yaml(*parts):
    with open(os.path.join(OPENSTACK, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


UNPACK = next(task for task in _yaml("tasks", "venv_install.yml")
              if task["name"].startswith("Unpack the venv"))["vars"]["_openstack_venv_unpack_script"]
needs_tools = pytest.mark.skipif(not (shutil.which("zstd") and shutil.which("flock")),
                                 reason="the hosts' unpack needs zstd and flock")


@pytest.fixture(name="packed")
def fixture_packed(tmp_path):
    """A venv root holding an outdated nova-2026.2 and the new one packed beside it."""
    build, root = tmp_path / "build", tmp_path / "venvs"
    (build / "nova-2026.2" / "bin").mkdir(parents=True)
    (build / "nova-2026.2" / "bin" / "nova-api").write_text("new\n")
    (build / "nova-2026.2" / ".stackroll-build").write_text("newkey\n")
    (root / "nova-2026.2").mkdir(parents=True)
    (root / "nova-2026.2" / "outdated").write_text("old\n")
    subprocess.run("tar -c nova-2026.2 | zstd -q -3 -T0 > %s" % (root / "nova-2026.2.tar.zst"),
                   shell=True, cwd=build, check=True)
    return root


def _unpack(root, slots):
    return subprocess.Popen(["sh", "-ec", UNPACK, "unpack", str(root / "nova-2026.2"), str(slots)])


@needs_tools
def test_unpack_replaces_the_venv_whole(packed):
    assert _unpack(packed, 1).wait(timeout=30) == 0
    venv = packed / "nova-2026.2"
    assert (venv / "bin" / "nova-api").read_text() == "new\n"
    assert (venv / ".stackroll-build").read_text() == "newkey\n"
    assert not (venv / "outdated").exists()
    # Nothing left beside it but the slots' lock: the archive and the
    # folder it was unpacked into aside are gone.
    assert sorted(p.name for p in packed.iterdir()) == [".unpack-1.lock", "nova-2026.2"]


@needs_tools
@pytest.mark.parametrize("slots, waits", [(1, True), (2, False)])
def test_unpack_waits_for_a_free_slot(packed, slots, waits):
    with open(packed / ".unpack-1.lock", "w", encoding="utf-8") as busy:
        fcntl.flock(busy, fcntl.LOCK_EX)  # another unpack holds the first slot
        unpack = _unpack(packed, slots)
        if waits:
            time.sleep(1.5)
            assert unpack.poll() is None
            assert not (packed / "nova-2026.2" / ".stackroll-build").exists()
        else:
            assert unpack.wait(timeout=30) == 0
    assert unpack.wait(timeout=30) == 0
    assert (packed / "nova-2026.2" / ".stackroll-build").read_text() == "newkey\n"
