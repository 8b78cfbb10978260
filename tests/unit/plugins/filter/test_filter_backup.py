# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The backup filters: row count queries, ranges, comparison, retention,
the restore's choice and refusals, the release running, copies' checks."""
from __future__ import annotations

import inspect
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import backup
from ansible_collections.stackroll.lifecycle.plugins.filter.backup import FilterModule
from ansible_collections.stackroll.lifecycle.plugins.module_utils import _backup

FILTERS = FilterModule().filters()


def rows(**counts):
    return [{'tbl': table, 'n': n} for table, n in counts.items()]


def test_count_query_quotes_names():
    query = FILTERS['backup_count_query'](['instances', "we`ird'"], 'nova')
    assert query == ("SELECT 'instances' AS tbl, COUNT(*) AS n FROM `nova`.`instances` UNION ALL "
                     "SELECT 'we`ird''' AS tbl, COUNT(*) AS n FROM `nova`.`we``ird'`")


def test_count_query_of_no_table_is_empty():
    assert FILTERS['backup_count_query']([], 'nova') == ''


@pytest.mark.parametrize('before, after, expected', [
    (rows(a=3, b=5), rows(a=4, b=5), {'a': [3, 4], 'b': [5, 5]}),
    (rows(a=4), rows(a=2), {'a': [2, 4]}),            # rows deleted meanwhile
    (rows(a=1), rows(a=1, b=7), {'a': [1, 1], 'b': [7, 7]}),
    ([], None, {}),
])
def test_row_ranges(before, after, expected):
    assert FILTERS['backup_row_ranges'](before, after) == expected


def test_row_ranges_takes_only_rows():
    with pytest.raises(AnsibleFilterError, match='rows'):
        FILTERS['backup_row_ranges']([{'name': 'a'}], [])


@pytest.mark.parametrize('counted, expected', [
    (rows(a=3, b=5), []),
    (rows(a=4, b=5), []),
    (rows(a=2, b=5), ['nova.a: 2 rows restored, 3..4 counted']),
    (rows(a=3, b=6), ['nova.b: 6 rows restored, 5 counted']),
    (rows(a=3), ['nova.b: missing from the dump (5 rows counted)']),
    (rows(a=3, b=5, c=0), ['nova.c: in the dump, not in the database']),
])
def test_row_mismatches(counted, expected):
    assert FILTERS['backup_row_mismatches'](counted, {'a': [3, 4], 'b': [5, 5]}, 'nova') == expected


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(backup.__file__))))
NEW_FILTERS = ['backup_chosen', 'backup_file_problems', 'backup_recipient_problems', 'backup_restore_refusals',
               'backup_retention', 'backup_running_release']


@pytest.mark.parametrize('name', NEW_FILTERS)
def test_documented_beside_with_its_options(name):
    with open(os.path.join(ROOT, 'plugins', 'filter', name + '.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == name
    parameters = list(inspect.signature(FILTERS[name]).parameters)
    assert set(doc['DOCUMENTATION']['options']) == {'_input'} | set(parameters[1:])


def test_safety_prefix_is_the_roles():
    with open(os.path.join(ROOT, 'roles', 'backup', 'vars', 'main.yml'), encoding='utf-8') as handle:
        assert yaml.safe_load(handle)['_backup_safety_prefix'] == _backup.SAFETY_PREFIX


# Retention ------------------------------------------------------------------

def manifest(result='passed', kind='backup', created='', release='2026.2', **more):
    found = {'kind': kind, 'created': created, 'release': release, 'verification': {'result': result}}
    found.update(more)
    return found


def names(expired, host='db'):
    return [item['name'] for item in expired if item['host'] == host]


def stamp(day):
    return '202612%02dT000000Z' % day


def test_retention_keeps_the_newest_verified():
    db = {'item': 'db', 'backups': [{'name': stamp(day), 'manifest': manifest()} for day in range(1, 6)]}
    assert names(FILTERS['backup_retention']([db], 3, 3, stamp(5))) == [stamp(1), stamp(2)]


def test_failed_backups_never_push_a_verified_one_out():
    backups = [{'name': stamp(1), 'manifest': manifest()}, {'name': stamp(2), 'manifest': manifest()}]
    backups += [{'name': stamp(day), 'manifest': manifest('failed')} for day in range(3, 9)]
    backups += [{'name': stamp(9), 'manifest': None}]  # interrupted: no manifest
    expired = FILTERS['backup_retention']([{'item': 'db', 'backups': backups}], 2, 3, stamp(9))
    # Both verified ones stay; of the 7 others, the newest 2 (stamp 9 is current).
    assert names(expired) == [stamp(day) for day in range(3, 8)]


def test_unverified_older_than_the_kept_verified_go_once_keep_are_verified():
    backups = [{'name': stamp(1), 'manifest': manifest('skipped')},
               {'name': stamp(2), 'manifest': manifest()},
               {'name': stamp(3), 'manifest': manifest('skipped')},
               {'name': stamp(4), 'manifest': manifest()}]
    listings = [{'item': 'db', 'backups': backups}]
    assert names(FILTERS['backup_retention'](listings, 2, 3, stamp(4))) == [stamp(1)]
    # Fewer verified ones than keep: the unverified ones stay.
    assert not FILTERS['backup_retention'](listings, 3, 3, stamp(4))


def test_verification_off_keeps_the_newest_unverified():
    backups = [{'name': stamp(day), 'manifest': manifest('skipped')} for day in range(1, 6)]
    assert names(FILTERS['backup_retention']([{'item': 'db', 'backups': backups}], 2, 3, stamp(5))) == [
        stamp(1), stamp(2), stamp(3)]


def test_safety_dumps_count_apart_and_other_names_stay():
    backups = [{'name': stamp(day), 'manifest': manifest()} for day in range(1, 3)]
    backups += [{'name': 'pre-restore-' + stamp(day), 'manifest': manifest('skipped', 'safety')} for day in range(1, 5)]
    backups += [{'name': 'before-migration', 'manifest': manifest('failed')}]
    expired = FILTERS['backup_retention']([{'item': 'db', 'backups': backups}], 2, 2, stamp(2))
    assert names(expired) == ['pre-restore-' + stamp(1), 'pre-restore-' + stamp(2)]
    assert names(FILTERS['backup_retention']([{'item': 'db', 'backups': backups}], 2, 0, stamp(2))) == [
        'pre-restore-' + stamp(day) for day in range(1, 5)]


def test_retention_deletes_on_each_host_by_the_database_hosts_manifests():
    db = {'item': 'db', 'backups': [{'name': stamp(day), 'manifest': manifest()} for day in range(1, 4)]}
    ctl = {'item': 'ctl2', 'backups': [{'name': stamp(day), 'manifest': None} for day in range(1, 4)]}
    assert FILTERS['backup_retention']([ctl, db], 2, 3, stamp(3)) == [
        {'host': 'ctl2', 'name': stamp(1)}, {'host': 'db', 'name': stamp(1)}]


def test_retention_never_deletes_the_current_backup():
    backups = [{'name': stamp(day), 'manifest': manifest()} for day in range(2, 5)]
    backups.append({'name': stamp(1), 'manifest': manifest('failed')})
    assert stamp(1) not in names(FILTERS['backup_retention']([{'item': 'db', 'backups': backups}], 1, 3, stamp(1)))


@pytest.mark.parametrize('keep, safety_keep, match', [(0, 3, 'at least one'), (1, -1, 'no safety dumps')])
def test_retention_counts_are_checked(keep, safety_keep, match):
    with pytest.raises(AnsibleFilterError, match=match):
        FILTERS['backup_retention']([], keep, safety_keep, 'x')


def test_retention_takes_listings_by_host():
    with pytest.raises(AnsibleFilterError, match='host'):
        FILTERS['backup_retention']([{'backups': []}], 1, 1, 'x')


# The backup a restore means --------------------------------------------------

BACKUPS = [
    {'name': stamp(1), 'manifest': manifest(created='2026-12-01T00:00:00Z', label='nightly')},
    {'name': 'pre-restore-' + stamp(3), 'manifest': manifest('skipped', 'safety', created='2026-12-03T00:00:00Z',
                                                             label='before the restore of ' + stamp(1))},
    {'name': stamp(2), 'manifest': manifest(created='2026-12-02T00:00:00Z')},
    {'name': stamp(4), 'manifest': None, 'error': None},
]
WHERE = 'ctl1:/var/backups/stackroll'


def test_latest_is_the_newest_backup_that_is_not_a_safety_dump():
    chosen = FILTERS['backup_chosen'](BACKUPS, 'latest', WHERE)
    assert chosen['name'] == stamp(2) and chosen['problem'] == ''
    assert chosen['available'] == [stamp(1), stamp(2), 'pre-restore-' + stamp(3)]
    assert chosen['description'] == 'taken 2026-12-02T00:00:00Z, at OpenStack 2026.2'


def test_a_safety_dump_is_chosen_by_its_name():
    chosen = FILTERS['backup_chosen'](BACKUPS, 'pre-restore-' + stamp(3), WHERE)
    assert chosen['manifest']['kind'] == 'safety'
    assert chosen['description'] == ('taken 2026-12-03T00:00:00Z, at OpenStack 2026.2, a safety dump, '
                                     'before the restore of ' + stamp(1))


@pytest.mark.parametrize('requested, problem', [
    ('', 'Say which backup to restore: -e backup_name=NAME, or latest. Available, oldest first: '),
    ('nope', "There is no backup 'nope' in ctl1:/var/backups/stackroll. Available, oldest first: "),
    (stamp(4), "The backup '20261204T000000Z' in ctl1:/var/backups/stackroll has no manifest.json to restore it by"),
])
def test_no_backup_is_chosen_with_a_reason(requested, problem):
    chosen = FILTERS['backup_chosen'](BACKUPS, requested, WHERE)
    assert chosen['name'] == '' and chosen['problem'].startswith(problem)
    assert chosen['problem'].endswith('20261201T000000Z, 20261202T000000Z, pre-restore-20261203T000000Z (safety dump).')


def test_latest_of_no_backup():
    assert FILTERS['backup_chosen']([], 'latest', WHERE)['problem'] == (
        'There is no backup in ctl1:/var/backups/stackroll to restore. Available, oldest first: none.')


# The release running ---------------------------------------------------------

def reading(host, **services):
    """services: name=(venv, release or None)."""
    venvs, summary = {}, {}
    for service, (venv, release) in services.items():
        venvs[venv] = {'series': venv.rsplit('-', 1)[1], 'release': release}
        summary[service] = {'active_venvs': [venv]}
    return {'item': host, 'stackroll_versions': {'venvs': venvs, 'services': summary}}


def test_running_release_from_the_services():
    readings = [reading('ctl1', nova=('nova-2026.2', '2026.2'), keystone=('keystone-2026.2', None)),
                reading('ctl2', nova=('nova-2026.2', '2026.2'))]
    assert FILTERS['backup_running_release'](readings, '2025.1') == {
        'release': '2026.2', 'read_from': 'hosts', 'services': {'keystone': ['2026.2'], 'nova': ['2026.2']}}


def test_running_release_by_the_package_not_the_venvs_name():
    readings = [reading('ctl1', nova=('nova-2026.2', '2026.1'))]
    assert FILTERS['backup_running_release'](readings, '2026.2')['release'] == '2026.1'


def test_running_release_mid_upgrade_names_each():
    readings = [reading('ctl1', nova=('nova-2026.1', '2026.1'), keystone=('keystone-2026.2', '2026.2'))]
    assert FILTERS['backup_running_release'](readings, '2026.2')['release'] == '2026.1+2026.2'


def test_running_release_falls_back_where_no_service_runs():
    readings = [{'item': 'ctl1', 'stackroll_versions': {'venvs': {}, 'services': {}}}, {'item': 'ctl2', 'skipped': True}]
    assert FILTERS['backup_running_release'](readings, '2026.2') == {
        'release': '2026.2', 'read_from': 'openstack_release', 'services': {}}


# Refusals of a restore --------------------------------------------------------

NAME = stamp(2)
RUNNING = {'release': '2026.2', 'read_from': 'hosts'}
MANIFEST = {'release': '2026.2', 'verification': {'result': 'passed', 'mismatches': []},
            'databases': {'keystone': {}, 'nova': {}},
            'files': [{'host': 'ctl1', 'path': 'databases/nova.sql.gz.age', 'encrypted': True}]}


def context(**more):
    found = {'name': NAME, 'description': 'taken 2026-12-02T00:00:00Z, at OpenStack 2026.2', 'requested': NAME,
             'confirm': NAME, 'running': RUNNING, 'other_release': False, 'unverified': False,
             'databases': ['keystone', 'nova'], 'hosts': ['ctl1'], 'identity': '/keys/backup.age',
             'identity_exists': True, 'safety_dump': True, 'check_mode': False}
    found.update(more)
    return found


def refusals(manifest_found=None, **more):
    return FILTERS['backup_restore_refusals'](manifest_found or MANIFEST, context(**more))


def test_a_confirmed_restore_may_go_on():
    assert not refusals()


def test_without_confirmation_says_what_to_pass():
    assert refusals(confirm='') == [
        'A restore drops the databases keystone, nova and replaces them with those of 20261202T000000Z (taken '
        '2026-12-02T00:00:00Z, at OpenStack 2026.2): confirm the backup by its name, with '
        '-e backup_restore_confirm=20261202T000000Z (a safety dump of the databases is taken first)']


def test_latest_must_be_confirmed_by_its_real_name():
    found = refusals(requested='latest', confirm='latest', safety_dump=False)
    assert found == [
        "backup_restore_confirm is 'latest', not the name of the backup to restore, 20261202T000000Z, the latest "
        'backup (taken 2026-12-02T00:00:00Z, at OpenStack 2026.2); confirm it with '
        '-e backup_restore_confirm=20261202T000000Z']


def test_check_mode_needs_no_confirmation():
    assert not refusals(confirm='', check_mode=True)


def test_another_release_is_refused_naming_both():
    found = refusals(dict(MANIFEST, release='2026.1'))
    assert found == [
        "It was taken at OpenStack 2026.1, and the cloud runs 2026.2 (as the controllers' services show): its "
        'databases hold the schemas of the release it was taken at, which the services of 2026.2 do not run on. '
        'Restore a backup taken at 2026.2, or add -e backup_restore_other_release=true to restore it anyway']
    assert not refusals(dict(MANIFEST, release='2026.1'), other_release=True)


def test_release_from_the_inventory_is_said():
    found = refusals(dict(MANIFEST, release='2026.1'), running={'release': '2026.2', 'read_from': 'openstack_release'})
    assert 'by openstack_release, as the controllers run no OpenStack service' in found[0]


def test_a_manifest_without_release_is_refused():
    manifest_found = dict(MANIFEST)
    del manifest_found['release']
    assert refusals(manifest_found)[0].startswith('Its manifest records no OpenStack release, and the cloud runs 2026.2')


def test_refusals_all_at_once():
    manifest_found = dict(MANIFEST, verification={'result': 'failed', 'mismatches': ['nova.a: 2 rows restored, 3 counted']},
                          files=[{'host': 'gone', 'path': 'config-gone.tar.gz.age', 'encrypted': True}])
    found = refusals(manifest_found, databases=['glance'], identity='', confirm='')
    assert found[:4] == [
        'The backup 20261202T000000Z has no dump of glance; it has keystone, nova',
        'Its files are on hosts the inventory lacks: gone',
        'Its verification failed (nova.a: 2 rows restored, 3 counted); choose another backup, or add '
        '-e backup_restore_unverified=true to restore it anyway',
        'Its files are encrypted with age: set backup_encryption_identity_file to the file, on the control node, '
        'that holds the private key of one of its recipients']
    assert found[4].startswith('A restore drops the databases glance')
    assert not refusals(dict(manifest_found, files=[]), databases=['nova'], unverified=True)


def test_a_missing_key_file_is_named():
    assert refusals(identity_exists=False) == ['backup_encryption_identity_file /keys/backup.age is not a file on the control node']
    assert not refusals(dict(MANIFEST, files=[{'host': 'ctl1', 'path': 'x'}]), identity='')


def test_refusals_need_the_backups_name():
    with pytest.raises(AnsibleFilterError, match='name'):
        FILTERS['backup_restore_refusals'](MANIFEST, {})


# Files checked against their manifest ----------------------------------------

FILES = [{'host': 'ctl1', 'path': 'databases/nova.sql.gz', 'sha256': 'aa'},
         {'host': 'ctl2', 'path': 'config-ctl2.tar.gz', 'sha256': 'bb'}]


def test_file_problems_on_each_host():
    found = [{'item': 'ctl1', 'files': [{'path': '/b/x/databases/nova.sql.gz', 'checksum': 'ab'}]},
             {'item': 'ctl2', 'files': [{'path': '/b/x/config-ctl2.tar.gz', 'checksum': 'bb'}]}]
    assert FILTERS['backup_file_problems'](FILES, found, '/b/x/') == [
        'ctl1:/b/x/databases/nova.sql.gz has SHA-256 ab, the manifest says aa']


def test_file_problems_of_a_copy_on_one_host():
    found = {'files': [{'path': '/copy/x/databases/nova.sql.gz', 'checksum': 'aa'}]}
    assert FILTERS['backup_file_problems'](FILES, found, '/copy/x', 'vault1') == [
        'vault1:/copy/x/config-ctl2.tar.gz is missing']


def test_file_problems_take_manifest_files():
    with pytest.raises(AnsibleFilterError, match='files'):
        FILTERS['backup_file_problems']([{'sha256': 'x'}], [], '/b')


# The public keys ---------------------------------------------------------------

AGE_KEY = 'age1' + 'q' * 58


def test_public_keys_pass():
    assert not FILTERS['backup_recipient_problems']([AGE_KEY, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFEn ops@example',
                                                     'ssh-rsa AAAAB3NzaC1yc2E='])


def test_a_private_key_is_refused_and_never_shown():
    secret = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ'
    found = FILTERS['backup_recipient_problems']([AGE_KEY, secret, 'garbage'])
    assert found[0].startswith('backup_encryption_recipients[1] is a private key')
    assert secret not in ' '.join(found)
    assert found[1] == ("backup_encryption_recipients[2] is neither an age public key (age1...) nor an SSH ed25519 "
                        "or RSA public key: 'garbage'")


def test_recipients_are_a_list():
    with pytest.raises(AnsibleFilterError, match='list'):
        FILTERS['backup_recipient_problems'](AGE_KEY)
