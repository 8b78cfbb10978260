# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Decisions of the backups and restores.

Row counts: the query that reads them, the range each table's count spans
while its dump runs, and how a restored dump compares. The cloud keeps
writing while a database is dumped in one transaction, so a table's rows are
counted just before and just after its dump; the dump's snapshot lies
between, and a restore of it must count within that range.

Then which backups to keep, which one a restore means, the release a cloud
runs, why a restore is refused, and which copied files differ from their
manifest.
"""

from __future__ import annotations

import re

# Names of the backups the role names: the UTC time they were taken, and
# the safety dumps a restore takes first (the prefix is the role's
# _backup_safety_prefix too).
TIME_NAME = re.compile(r'^[0-9]{8}T[0-9]{6}Z$')
SAFETY_PREFIX = 'pre-restore-'
SAFETY_NAME = re.compile(r'^' + re.escape(SAFETY_PREFIX) + r'[0-9]{8}T[0-9]{6}Z$')
# The backup that restore.yml's backup_name=latest means.
LATEST = 'latest'
# What an age recipient (a public key) looks like, and a private key.
_RECIPIENT = re.compile(r'^(age1[0-9a-z]{58}|ssh-ed25519 [A-Za-z0-9+/=]+|ssh-rsa [A-Za-z0-9+/=]+)( .*)?$')
_PRIVATE = re.compile(r'(AGE-SECRET-KEY-|PRIVATE KEY)')


def _quote(name):
    return '`%s`' % str(name).replace('`', '``')


def _literal(text):
    return "'%s'" % str(text).replace('\\', '\\\\').replace("'", "''")


def count_query(database, tables):
    """One query counting the rows of each of ``tables`` of ``database``,
    as rows {tbl, n}; empty when there is no table."""
    return ' UNION ALL '.join(
        'SELECT %s AS tbl, COUNT(*) AS n FROM %s.%s' % (_literal(table), _quote(database), _quote(table))
        for table in tables)


def _counts(rows):
    return dict((row['tbl'], int(row['n'])) for row in rows or [])


def row_ranges(before, after):
    """{table: [low, high]} from the rows {tbl, n} counted before and after
    a dump. A table counted only once gets that count as its range."""
    low, high = _counts(before), _counts(after)
    return dict((table, sorted((low.get(table, high.get(table)), high.get(table, low.get(table)))))
                for table in sorted(set(low) | set(high)))


def _range_text(low, high):
    return str(low) if low == high else '%s..%s' % (low, high)


def row_mismatches(ranges, counted, database):
    """Messages naming each table of ``database`` whose restored count
    (rows {tbl, n}) is outside its range, missing, or unexpected."""
    counts = _counts(counted)
    problems = []
    for table, (low, high) in sorted(ranges.items()):
        if table not in counts:
            problems.append('%s.%s: missing from the dump (%s rows counted)'
                            % (database, table, _range_text(low, high)))
        elif not int(low) <= counts[table] <= int(high):
            problems.append('%s.%s: %d rows restored, %s counted'
                            % (database, table, counts[table], _range_text(low, high)))
    problems.extend('%s.%s: in the dump, not in the database' % (database, table)
                    for table in sorted(set(counts) - set(ranges)))
    return problems


def _verified(manifest):
    return bool(manifest) and (manifest.get('verification') or {}).get('result') == 'passed'


def is_safety(name, manifest=None):
    """Whether a backup is a safety dump a restore took first."""
    return bool(SAFETY_NAME.match(name)) or (manifest or {}).get('kind') == 'safety'


def _merged(listings):
    """From backup_manifests_info's listing of each host: each backup's
    manifest (from whichever host holds it, the database host) and the
    names each host holds."""
    manifests, held = {}, {}
    for listing in listings:
        host = listing['item']
        for backup in listing.get('backups') or []:
            held.setdefault(host, []).append(backup['name'])
            if backup.get('manifest'):
                manifests[backup['name']] = backup['manifest']
            else:
                manifests.setdefault(backup['name'], None)
    return manifests, held


def retention(listings, keep, safety_keep, current):
    """The backups to delete, as [{host, name}], from the listings of
    backup_manifests_info on each host ([{item: host, backups: [...]}]).

    Only the names the role gives are judged, the UTC time and the safety
    dumps' ``pre-restore-<time>``; another name is never deleted. Verified
    backups (their manifest's verification passed) and the others are
    counted apart, so that a failed, unverified or interrupted backup never
    pushes a verified one out: the newest ``keep`` verified ones stay, and
    the newest ``keep`` of the others, less those older than the oldest
    verified one kept once ``keep`` verified ones are. The newest
    ``safety_keep`` safety dumps stay, counted apart too. ``current``
    always stays."""
    manifests, held = _merged(listings)
    verified = sorted(name for name, manifest in manifests.items() if TIME_NAME.match(name) and _verified(manifest))
    others = sorted(name for name, manifest in manifests.items() if TIME_NAME.match(name) and not _verified(manifest))
    safety = sorted(name for name in manifests if SAFETY_NAME.match(name))
    kept = set(verified[-int(keep):]) | set(others[-int(keep):]) | set(safety[-int(safety_keep):] if int(safety_keep) else [])
    if len(verified) >= int(keep):
        oldest_verified = verified[-int(keep)]
        kept -= set(name for name in others if name < oldest_verified)
    kept.add(current)
    expired = set(verified + others + safety) - kept
    return [{'host': host, 'name': name} for host in sorted(held) for name in sorted(held[host]) if name in expired]


def _created(backup):
    return ((backup.get('manifest') or {}).get('created') or '', backup['name'])


def _described(backup):
    manifest = backup['manifest']
    parts = ['taken %s' % (manifest.get('created') or 'at an unknown time')]
    if manifest.get('release'):
        parts.append('at OpenStack %s' % manifest['release'])
    if is_safety(backup['name'], manifest):
        parts.append('a safety dump')
    if manifest.get('label'):
        parts.append(manifest['label'])
    return ', '.join(parts)


def choose(backups, requested, where):
    """The backup a restore means, from backup_manifests_info's backups of
    the database host (``where`` says which host and folder): ``requested``
    by name, or for ``latest`` the newest (by its manifest's time) that is
    not a safety dump, which only its own name restores.

    {name, manifest, description, available (oldest first), problem}; the
    problem is empty when there is a backup to restore."""
    whole = sorted((backup for backup in backups if backup.get('manifest')), key=_created)
    found = dict((backup['name'], backup) for backup in backups)
    available = ', '.join('%s%s' % (backup['name'], ' (safety dump)' if is_safety(backup['name'], backup['manifest']) else '')
                          for backup in whole) or 'none'
    chosen, problem = None, ''
    if not requested:
        problem = 'Say which backup to restore: -e backup_name=NAME, or latest'
    elif requested == LATEST:
        candidates = [backup for backup in whole if not is_safety(backup['name'], backup['manifest'])]
        chosen = candidates[-1] if candidates else None
        if chosen is None:
            problem = 'There is no backup in %s to restore' % where
    elif requested not in found:
        problem = "There is no backup '%s' in %s" % (requested, where)
    elif not found[requested].get('manifest'):
        problem = "The backup '%s' in %s has no manifest.json to restore it by (%s): it was interrupted, or is not whole" % (
            requested, where, found[requested].get('error') or 'missing')
    else:
        chosen = found[requested]
    if problem:
        problem += '. Available, oldest first: %s.' % available
    return {'name': chosen['name'] if chosen else '', 'manifest': chosen['manifest'] if chosen else {},
            'description': _described(chosen) if chosen else '', 'available': [backup['name'] for backup in whole],
            'problem': problem}


def running_release(readings, fallback):
    """The release the cloud runs, from host_versions_facts on its
    controllers (registered loop results, each with stackroll_versions):
    the series of each service's active venvs, by the version of the
    package it holds, else by its name. When they differ (an upgrade
    underway) the release is every series, joined by '+'. When no service
    runs, ``fallback`` (the inventory's openstack_release).

    {release, read_from (hosts or openstack_release), services: {service: [series]}}."""
    services = {}
    for reading in readings:
        versions = reading.get('stackroll_versions') or {}
        venvs = versions.get('venvs') or {}
        for service, found in (versions.get('services') or {}).items():
            for venv in found.get('active_venvs') or []:
                series = (venvs.get(venv) or {}).get('release') or (venvs.get(venv) or {}).get('series')
                if series:
                    services.setdefault(service, set()).add(series)
    releases = sorted(set().union(*services.values())) if services else []
    if not releases:
        return {'release': fallback, 'read_from': 'openstack_release', 'services': {}}
    return {'release': '+'.join(releases), 'read_from': 'hosts',
            'services': dict((service, sorted(series)) for service, series in sorted(services.items()))}


def _encrypted(manifest):
    return any(item.get('encrypted') for item in manifest.get('files') or [])


def _release_refusal(manifest, running):
    taken = manifest.get('release') or ''
    runs = running.get('release') or ''
    if taken == runs:
        return ''
    where = ("as the controllers' services show" if running.get('read_from') == 'hosts'
             else 'by openstack_release, as the controllers run no OpenStack service')
    if not taken:
        said = 'Its manifest records no OpenStack release'
    else:
        said = 'It was taken at OpenStack %s' % taken
    return ('%s, and the cloud runs %s (%s): its databases hold the schemas of the release it was taken at, '
            'which the services of %s do not run on. Restore a backup taken at %s, or add '
            '-e backup_restore_other_release=true to restore it anyway' % (said, runs, where, runs, runs))


def _confirmation_refusal(name, description, context):
    confirm = str(context.get('confirm') or '')
    if confirm == name:
        return ''
    which = ('%s, the latest backup' % name) if context.get('requested') == LATEST else name
    what = '%s (%s)' % (which, description)
    dropped = ', '.join(context.get('databases') or []) or 'none'
    first = ' (a safety dump of the databases is taken first)' if context.get('safety_dump') else ''
    if not confirm:
        return ('A restore drops the databases %s and replaces them with those of %s: confirm the backup by its name, '
                'with -e backup_restore_confirm=%s%s' % (dropped, what, name, first))
    return ("backup_restore_confirm is '%s', not the name of the backup to restore, %s; confirm it with "
            '-e backup_restore_confirm=%s%s' % (confirm, what, name, first))


def restore_refusals(manifest, context):
    """Why the restore of a backup is refused, one message each; none when
    it may go on. ``context``: name and description (choose's), requested
    (backup_name), confirm (backup_restore_confirm), running
    (running_release's), other_release and unverified (the operator's
    leave), databases (those to restore), hosts (the inventory's),
    identity (backup_encryption_identity_file), identity_exists (on the
    control node), safety_dump (whether one is taken first), check_mode
    (which needs no confirmation)."""
    name = context['name']
    problems = []
    dumps = sorted((manifest.get('databases') or {}).keys())
    unknown_dbs = [db for db in context.get('databases') or [] if db not in dumps]
    if unknown_dbs:
        problems.append('The backup %s has no dump of %s; it has %s' % (name, ', '.join(unknown_dbs), ', '.join(dumps) or 'none'))
    file_hosts = sorted(set(item['host'] for item in manifest.get('files') or []))
    unknown_hosts = [host for host in file_hosts if host not in (context.get('hosts') or [])]
    if unknown_hosts:
        problems.append("Its files are on hosts the inventory lacks: %s" % ', '.join(unknown_hosts))
    verification = manifest.get('verification') or {}
    if verification.get('result') == 'failed' and not context.get('unverified'):
        problems.append('Its verification failed (%s); choose another backup, or add -e backup_restore_unverified=true '
                        'to restore it anyway' % '; '.join(verification.get('mismatches') or []))
    if not context.get('other_release'):
        problems.append(_release_refusal(manifest, context.get('running') or {}))
    if _encrypted(manifest) and not context.get('identity'):
        problems.append('Its files are encrypted with age: set backup_encryption_identity_file to the file, on the control '
                        'node, that holds the private key of one of its recipients')
    elif _encrypted(manifest) and not context.get('identity_exists'):
        problems.append('backup_encryption_identity_file %s is not a file on the control node' % context['identity'])
    if not context.get('check_mode'):
        problems.append(_confirmation_refusal(name, context.get('description') or '', context))
    return [problem for problem in problems if problem]


def file_problems(files, found, base, host=None):
    """The files of a manifest ([{host, path, sha256}]) missing or changed
    under the folder ``base``, from ansible.builtin.find's results with
    SHA-256 checksums: registered loop results, each with its host as item,
    or, with ``host``, results all of that one host (an off-host copy)."""
    sums = {}
    for result in found:
        where = host or result.get('item')
        for item in result.get('files') or []:
            sums[(where, item['path'])] = item.get('checksum')
    problems = []
    for item in files:
        where = host or item['host']
        path = base.rstrip('/') + '/' + item['path']
        checksum = sums.get((where, path))
        if not checksum:
            problems.append('%s:%s is missing' % (where, path))
        elif checksum != item.get('sha256'):
            problems.append('%s:%s has SHA-256 %s, the manifest says %s' % (where, path, checksum, item.get('sha256')))
    return problems


def recipient_problems(recipients):
    """What is wrong with backup_encryption_recipients, one message each.
    A private key given by mistake is named by its place, never shown."""
    problems = []
    for number, key in enumerate(recipients):
        text = str(key).strip()
        if _PRIVATE.search(text):
            problems.append('backup_encryption_recipients[%d] is a private key: give its public key (age-keygen -y FILE '
                            'prints it) and keep the private key off the hosts, on the control node' % number)
        elif not _RECIPIENT.match(text):
            problems.append("backup_encryption_recipients[%d] is neither an age public key (age1...) nor an SSH ed25519 "
                            "or RSA public key: '%s'" % (number, text[:80]))
    return problems
