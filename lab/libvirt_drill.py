#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The libvirt lab's guests through the compute API (lab/libvirt_drill.yml).

`console NAME...` waits until each server's console log (os-getConsoleOutput)
shows the guest's "stackroll-guest: up <ip> boot_id=<id>" line (with
--boot-id-not ID: a boot other than that one) and prints,
as JSON, the guests as lab/guest_prober.py takes them: {"guests": [{id,
name, address, boot_id, host}]}.

`migrate NAME --count N --out FILE` live-migrates the server N times between
the computes it names with --hosts (each move to the next host in turn,
--settle seconds apart), waits for each to complete (nova's migration
record), and writes the windows [{id, name, source,
target, start, end}] that lab/guest_prober.py judges the guest's gaps in.
A migration that errs or leaves the guest on its source fails the run.

`reported HOST --since TS` waits until HOST's nova-compute reports up to
the compute API after TS (epoch seconds): a restarted service is back.

`status NAME... --status STATUS` waits until each server shows STATUS (a
host's guests SHUTOFF after its reboot, say).

The cloud comes from OS_CLOUD / OS_CLIENT_CONFIG_FILE.
"""
import argparse
import datetime
import json
import re
import sys
import time

import openstack

UP_LINE = re.compile(r'stackroll-guest: up (?P<address>[0-9.]+) boot_id=(?P<boot_id>[0-9a-f-]+)')


def guest_up(console):
    """The last "up" line of a console log as {address, boot_id}, or None."""
    found = list(UP_LINE.finditer(console or ''))
    return found[-1].groupdict() if found else None


def next_host(current, hosts):
    """The host after `current` in `hosts`, in turn (the first if it is not in them)."""
    if current not in hosts:
        return hosts[0]
    return hosts[(hosts.index(current) + 1) % len(hosts)]


def _server(conn, name):
    server = conn.compute.find_server(name, ignore_missing=False, all_projects=True)
    return conn.compute.get_server(server.id)


def fixed_address(server):
    """The server's first fixed IPv4 address, from the compute API, or None."""
    for addresses in (server.addresses or {}).values():
        for address in addresses:
            if address.get('version') == 4 and address.get('OS-EXT-IPS:type', 'fixed') == 'fixed':
                return address['addr']
    return None


def _migrated(conn, server):
    return any(migration.status == 'completed'
               for migration in conn.compute.migrations(instance_uuid=server.id))


def console(conn, names, timeout, stale_boot_id=None):
    """Each server's address and boot id, from its console log; a boot
    whose id is stale_boot_id does not count. A guest that has moved since
    its boot has a console log on its new host without the boot's line: an
    ACTIVE one counts as up at its address in the compute API, its boot id
    unknown (None) here, as the prober reads it from the guest's page."""
    found = {}
    deadline = time.monotonic() + timeout
    while len(found) < len(names):
        for name in names:
            if name in found:
                continue
            server = _server(conn, name)
            up = guest_up(conn.compute.get_server_console_output(server).get('output'))
            address = fixed_address(server)
            if not up and stale_boot_id is None and server.status == 'ACTIVE' and address and _migrated(conn, server):
                up = {'address': address, 'boot_id': None}
            if up and (stale_boot_id is None or up['boot_id'] != stale_boot_id):
                found[name] = dict(up, id=server.id, name=name, host=server.compute_host)
        if time.monotonic() > deadline:
            missing = sorted(set(names) - set(found))
            raise SystemExit('no "stackroll-guest: up" line in the console of %s after %d s' % (', '.join(missing), timeout))
        if len(found) < len(names):
            time.sleep(2)
    return {'guests': [found[name] for name in names]}


def _latest_migration(conn, server):
    migrations = sorted(conn.compute.migrations(instance_uuid=server.id), key=lambda m: m.created_at or '')
    return migrations[-1] if migrations else None


def migrate_once(conn, server, target, timeout):
    """Live-migrate to target and wait until the server is ACTIVE there and
    nova calls its migration completed: (start, end). The server shows its
    new host before the source has finished (the port's old binding
    removed, the source's VIF unplugged); a next move started before that
    raced the cleanup and left the port's binding astray for tens of
    seconds."""
    source = server.compute_host
    start = time.time()
    conn.compute.live_migrate_server(server, host=target, block_migration='auto')
    deadline = time.monotonic() + timeout
    while True:
        time.sleep(0.5)
        current = conn.compute.get_server(server.id)
        if current.status == 'ERROR':
            raise SystemExit('%s went to ERROR migrating %s -> %s' % (current.name, source, target))
        if current.status == 'ACTIVE' and current.compute_host == target:
            migration = _latest_migration(conn, current)
            if migration is not None and migration.status in ('error', 'failed'):
                raise SystemExit('%s: its migration %s -> %s is %s (see nova-compute\'s log)'
                                 % (current.name, source, target, migration.status))
            if migration is not None and migration.status == 'completed':
                return start, time.time()
        if current.status == 'ACTIVE' and current.compute_host == source and time.time() - start > 5 and \
                not current.task_state:
            raise SystemExit('%s stayed on %s: its migration to %s did not happen (see nova-compute\'s log)'
                             % (current.name, source, target))
        if time.monotonic() > deadline:
            raise SystemExit('%s did not reach %s in %d s (status %s, task %s)'
                             % (current.name, target, timeout, current.status, current.task_state))


def _wait(what, check, timeout, interval=2):
    """Call check() until it returns a true value, and return that; fail
    naming `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise SystemExit('%s: not after %d s' % (what, timeout))
        time.sleep(interval)


def reported_after(state, updated_at, since):
    """Whether a service is up with a report after since (epoch seconds);
    the API gives updated_at in UTC, without a zone."""
    if state != 'up' or not updated_at:
        return False
    updated = datetime.datetime.fromisoformat(updated_at)
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=datetime.timezone.utc)
    return updated.timestamp() > since


def reported(conn, host, since, timeout):
    """Wait until nova-compute on host is up with a report after since."""
    def check():
        return any(reported_after(service.state, service.updated_at, since)
                   for service in conn.compute.services(binary='nova-compute', host=host))
    return _wait('nova-compute on %s reporting up' % host, check, timeout)


def status(conn, names, wanted, timeout):
    """Wait until every server shows the wanted status."""
    def check():
        return all(_server(conn, name).status == wanted for name in names)
    return _wait('%s %s' % (', '.join(names), wanted), check, timeout)


def migrate(conn, name, hosts, count, timeout, settle=5):
    """Move the server count times between hosts; settle seconds between
    moves let the prober see it answer where it landed, so that each gap
    falls in its own migration's window."""
    windows = []
    for number in range(count):
        if number:
            time.sleep(settle)
        server = _server(conn, name)
        target = next_host(server.compute_host, hosts)
        start, end = migrate_once(conn, server, target, timeout)
        windows.append({'id': server.id, 'name': name, 'source': server.compute_host, 'target': target,
                        'start': start, 'end': end})
        print('%s: %s -> %s in %.1f s' % (name, server.compute_host, target, end - start), flush=True)
    return windows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    con = sub.add_parser('console')
    con.add_argument('names', nargs='+')
    con.add_argument('--timeout', type=float, default=300)
    con.add_argument('--boot-id-not', help='wait for a boot other than this one')
    mig = sub.add_parser('migrate')
    mig.add_argument('name')
    mig.add_argument('--hosts', nargs='+', required=True)
    mig.add_argument('--count', type=int, default=10)
    mig.add_argument('--timeout', type=float, default=300, help='seconds for one migration')
    mig.add_argument('--out', required=True)
    mig.add_argument('--settle', type=float, default=5, help='seconds between two moves')
    rep = sub.add_parser('reported')
    rep.add_argument('host')
    rep.add_argument('--since', type=float, required=True, help='epoch seconds')
    rep.add_argument('--timeout', type=float, default=180)
    sta = sub.add_parser('status')
    sta.add_argument('names', nargs='+')
    sta.add_argument('--status', required=True)
    sta.add_argument('--timeout', type=float, default=900)
    args = parser.parse_args(argv)
    conn = openstack.connect()
    if args.command == 'console':
        print(json.dumps(console(conn, args.names, args.timeout, args.boot_id_not), indent=2, sort_keys=True))
    elif args.command == 'reported':
        reported(conn, args.host, args.since, args.timeout)
    elif args.command == 'status':
        status(conn, args.names, args.status, args.timeout)
    else:
        windows = migrate(conn, args.name, args.hosts, args.count, args.timeout, args.settle)
        with open(args.out, 'w', encoding='utf-8') as out:
            json.dump(windows, out, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
