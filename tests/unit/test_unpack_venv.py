"""roles/openstack/files/stackroll-unpack-venv, run as the hosts run it.

On temporary folders, with small venvs packed the way venv_build.yml packs
them (tar | zstd).
"""

import fcntl
import os
import shutil
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "roles", "openstack", "files", "stackroll-unpack-venv")

pytestmark = pytest.mark.skipif(not (shutil.which("zstd") and shutil.which("flock")),
                                reason="the unpack needs zstd and flock (util-linux), as the hosts have")


def pack(build, name, archive, files):
    """Pack build/name, holding `files` ({relative path: text}), into archive."""
    for path, text in files.items():
        (build / name / path).parent.mkdir(parents=True, exist_ok=True)
        (build / name / path).write_text(text)
    subprocess.run("tar -c %s | zstd -q -3 -T0 > %s" % (name, archive), shell=True, cwd=build, check=True)


@pytest.fixture(name="venvs")
def fixture_venvs(tmp_path):
    """A venv root holding an outdated nova-2026.2, the new build packed beside it."""
    root = tmp_path / "venvs"
    (root / "nova-2026.2").mkdir(parents=True)
    (root / "nova-2026.2" / "outdated").write_text("old\n")
    (tmp_path / "build").mkdir()
    pack(tmp_path / "build", "nova-2026.2", root / "nova-2026.2.tar.zst",
         {"bin/nova-api": "new\n", ".stackroll-build": "newkey\n"})
    return root


def unpack(root, name="nova-2026.2", slots=1, **popen):
    archive, dest = root / (name + ".tar.zst"), root / name
    return subprocess.Popen([SCRIPT, str(archive), str(dest), str(root / ".unpack-slot"), str(slots)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def finish(process):
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_replaces_the_outdated_venv_whole(venvs):
    assert finish(unpack(venvs)) == (0, "", "")
    venv = venvs / "nova-2026.2"
    assert (venv / "bin" / "nova-api").read_text() == "new\n"
    assert (venv / ".stackroll-build").read_text() == "newkey\n"
    assert not (venv / "outdated").exists()
    # The archive and the folders aside are gone; the slot's lock stays.
    assert sorted(p.name for p in venvs.iterdir()) == [".unpack-slot.1", "nova-2026.2"]


def test_installs_where_there_was_none(venvs):
    shutil.rmtree(venvs / "nova-2026.2")
    assert finish(unpack(venvs))[0] == 0
    assert (venvs / "nova-2026.2" / ".stackroll-build").read_text() == "newkey\n"


def test_a_broken_archive_leaves_the_venv_as_it_was(venvs):
    archive = venvs / "nova-2026.2.tar.zst"
    archive.write_bytes(archive.read_bytes()[:100])
    code, _out, err = finish(unpack(venvs))
    assert code == 1
    assert "stackroll-unpack-venv: cannot unpack %s into" % archive in err
    assert sorted(p.name for p in (venvs / "nova-2026.2").iterdir()) == ["outdated"]
    assert archive.exists()
    assert not (venvs / ".nova-2026.2.unpacking").exists()


def test_an_archive_of_more_than_one_folder_is_refused(venvs, tmp_path):
    (tmp_path / "two" / "other").mkdir(parents=True)
    pack(tmp_path / "two", ".", venvs / "nova-2026.2.tar.zst", {"nova-2026.2/bin/nova-api": "new\n"})
    code, _out, err = finish(unpack(venvs))
    assert (code, err.strip()) == (1, "stackroll-unpack-venv: %s holds no single folder" % (venvs / "nova-2026.2.tar.zst"))
    assert (venvs / "nova-2026.2" / "outdated").exists()


@pytest.mark.parametrize("argv, message", [
    ([], "usage: stackroll-unpack-venv ARCHIVE DEST LOCK SLOTS"),
    (["a.tar.zst", "dest", "lock"], "usage: stackroll-unpack-venv ARCHIVE DEST LOCK SLOTS"),
    (["a.tar.zst", "dest", "lock", "0"], "stackroll-unpack-venv: SLOTS must be 1 or more, not '0'"),
    (["a.tar.zst", "dest", "lock", "two"], "stackroll-unpack-venv: SLOTS must be 1 or more, not 'two'"),
])
def test_bad_arguments_say_what_is_wrong(argv, message, tmp_path):
    result = subprocess.run([SCRIPT] + argv, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert (result.returncode, result.stderr.strip()) == (2, message)


def test_a_missing_archive_says_so(tmp_path):
    result = subprocess.run([SCRIPT, str(tmp_path / "a.tar.zst"), str(tmp_path / "a"), str(tmp_path / "lock"), "1"],
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr.strip()) == (1, "stackroll-unpack-venv: no archive at %s" % (tmp_path / "a.tar.zst"))


def test_a_held_slot_is_waited_for(venvs):
    with open(venvs / ".unpack-slot.1", "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another unpack holds the only slot
        process = unpack(venvs, slots=1)
        time.sleep(1.5)
        assert process.poll() is None
        assert (venvs / "nova-2026.2" / "outdated").exists()
    assert finish(process)[0] == 0
    assert (venvs / "nova-2026.2" / ".stackroll-build").read_text() == "newkey\n"


def test_a_free_slot_is_taken(venvs):
    with open(venvs / ".unpack-slot.1", "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the first of two slots is held
        assert finish(unpack(venvs, slots=2))[0] == 0
    assert (venvs / "nova-2026.2" / ".stackroll-build").read_text() == "newkey\n"


@pytest.mark.parametrize("slots", [1, 2])
def test_unpacks_at_once_are_at_most_the_slots(tmp_path, slots):
    # A tar that logs when each unpack starts and ends, and takes 2 s more.
    log, fake = tmp_path / "tar.log", tmp_path / "bin" / "tar"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$$ start $(date +%%s.%%N)" >> %s\nsleep 2\n%s "$@" || exit\n'
                    'echo "$$ end $(date +%%s.%%N)" >> %s\n' % (log, shutil.which("tar"), log))
    fake.chmod(0o755)
    root = tmp_path / "venvs"
    root.mkdir()
    (tmp_path / "build").mkdir()
    for name in ("nova-2026.2", "glance-2026.2"):
        pack(tmp_path / "build", name, root / (name + ".tar.zst"), {"bin/python": name})
    env = dict(os.environ, PATH="%s:%s" % (fake.parent, os.environ["PATH"]))
    processes = [unpack(root, name, slots, env=env) for name in ("nova-2026.2", "glance-2026.2")]
    assert [finish(p)[0] for p in processes] == [0, 0]
    times = {}
    for line in log.read_text().splitlines():
        pid, what, when = line.split()
        times.setdefault(pid, {})[what] = float(when)
    first, second = sorted(times.values(), key=lambda t: t["start"])
    overlap = second["start"] < first["end"]
    assert overlap == (slots == 2)
    assert sorted((root / n / "bin" / "python").read_text() for n in ("nova-2026.2", "glance-2026.2")) == [
        "glance-2026.2", "nova-2026.2"]
