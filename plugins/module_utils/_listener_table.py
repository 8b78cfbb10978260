# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What listens on a host, read from ``ss -H -ltnup``, judged against a
declared table of what may listen where.

The table maps a host group (``all`` for every host) to entries
``{process, protocol, port, address, when, why}``:

- ``process``: a name, or a list of names, as ``ss`` shows them in
  ``users:(("NAME",pid=...))``: the kernel's name of the process, its
  first 15 characters (``beam.smp``, ``gunicorn: maste`` once
  setproctitle renamed a gunicorn). ``kernel`` stands for a socket no
  process holds (the kernel's own, such as Open vSwitch's geneve port).
- ``protocol``: ``tcp`` or ``udp``.
- ``port``: a number, a range ``"49152-49215"``, or a list of them.
- ``address``: where it may listen: ``management`` (the host's own
  address, the filter host_address's), ``loopback``, ``vip`` (the load
  balancer's virtual IP) or ``any``; ``any`` needs ``why``, as a listener
  on every address is what the table is there to catch.
- ``when``: optional names of conditions that must all hold for the entry
  to apply (``clustered``, ``vip``, ...; the caller says which hold, for
  all hosts or for a list of them).

A listener is judged once for each process that holds it: its name, its
protocol and its port must be in an entry that applies to the host, and
its address must be the one that entry allows.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

ADDRESS_KINDS = ('management', 'loopback', 'vip', 'any')
PROTOCOLS = ('tcp', 'udp')
KERNEL = 'kernel'
ALL_HOSTS = 'all'
# The kernel keeps 15 characters of a process's name (TASK_COMM_LEN - 1):
# a longer name in the table would never match.
NAME_CHARS = 15
# CAP_SYS_PTRACE's bit in /proc/PID/status's CapEff: without it, ss cannot
# read another user's /proc/PID/fd and shows its sockets with no process.
CAP_SYS_PTRACE = 19

_USER = re.compile(r'\("(.*?)",pid=(\d+),fd=\d+\)')
_CAP_EFF = re.compile(r'^CapEff:\s*([0-9a-fA-F]+)\s*$', re.MULTILINE)
_WHAT = {
    'management': 'the management address',
    'loopback': 'the loopback',
    'vip': 'the VIP',
    'any': 'every address',
}


class TableError(ValueError):
    """A table, or a reading, that cannot be judged; the message says why."""


# --- ss's output ------------------------------------------------------------

def split_address(text):
    """ss's local address:port -> (address, port). The address loses its
    brackets and its %interface; ``*`` stays (every address, both families)."""
    address, sep, port = text.rpartition(':')
    if not sep or not port.isdigit():
        raise TableError('%r is not an address:port as ss writes it' % (text,))
    # [fe80::1]%eth0 and [fe80::1%eth0] alike.
    return address.partition('%')[0].strip('[]'), int(port)


def parse_ss(text):
    """``ss -H -ltnup`` (or its lines) -> [{protocol, local, address, port,
    processes: [{name, pid}]}] in its order. A header line is skipped; a
    socket no process holds (or whose process ss could not see) has none."""
    listeners = []
    for line in text.splitlines() if isinstance(text, str) else text:
        fields = line.split(None, 6)
        if not fields or fields[0] == 'Netid':
            continue
        if len(fields) < 6 or fields[0] not in PROTOCOLS:
            raise TableError('%r is not a line of ss -H -ltnup (Netid State Recv-Q Send-Q Local Peer Process)' % (line,))
        address, port = split_address(fields[4])
        users = _USER.findall(fields[6]) if len(fields) > 6 else []
        listeners.append({
            'protocol': fields[0],
            'local': fields[4],
            'address': address,
            'port': port,
            'processes': [{'name': name, 'pid': int(pid)} for name, pid in users],
        })
    return listeners


def sees_other_users(status_text):
    """Whether a process with this /proc/PID/status may read another user's
    /proc/PID/fd (CAP_SYS_PTRACE is effective), as ss needs to name it."""
    match = _CAP_EFF.search(status_text or '')
    if not match:
        raise TableError('no CapEff line in the status read: %r' % ((status_text or '')[:80],))
    return bool(int(match.group(1), 16) >> CAP_SYS_PTRACE & 1)


# --- the table --------------------------------------------------------------

def _range(value):
    if isinstance(value, int) and not isinstance(value, bool):
        low = high = value
    elif isinstance(value, str) and re.fullmatch(r'\d+(-\d+)?', value.strip()):
        low, _dash, high = value.strip().partition('-')
        low, high = int(low), int(high or low)
    else:
        raise TableError('port %r is neither a number nor a range such as "49152-49215"' % (value,))
    if not 0 < low <= high < 65536:
        raise TableError('port %r is not a port or a range of ports' % (value,))
    return low, high


def _ports(value):
    """A port, a range, or a list of them -> [(low, high), ...]."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise TableError('port [] names no port')
    return [_range(each) for each in values]


def _names(value):
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(name, str) and name for name in names):
        raise TableError('process %r is neither a name nor a list of names' % (value,))
    too_long = [name for name in names if len(name) > NAME_CHARS]
    if too_long:
        raise TableError('process names %s are over %d characters, which ss never shows: write their first %d'
                         % (', '.join(too_long), NAME_CHARS, NAME_CHARS))
    return frozenset(names)


def entry(raw, conditions_known):
    """One entry of the table, checked -> {processes, protocol, ports:
    [(low, high)], address, when}; TableError says what is wrong with it."""
    if not isinstance(raw, Mapping):
        raise TableError('an entry is a mapping of process, protocol, port and address, not %r' % (raw,))
    unknown = set(raw) - {'process', 'protocol', 'port', 'address', 'when', 'why'}
    if unknown:
        raise TableError('%r has keys the table does not know: %s' % (dict(raw), ', '.join(sorted(unknown))))
    try:
        processes = _names(raw.get('process'))
        ports = _ports(raw.get('port'))
        if raw.get('protocol') not in PROTOCOLS:
            raise TableError('protocol %r is not one of %s' % (raw.get('protocol'), ', '.join(PROTOCOLS)))
        if raw.get('address') not in ADDRESS_KINDS:
            raise TableError('address %r is not one of %s' % (raw.get('address'), ', '.join(ADDRESS_KINDS)))
        if raw['address'] == 'any' and not str(raw.get('why') or '').strip():
            raise TableError('address any needs a why: a listener on every address is what the table catches')
        when = raw.get('when') or []
        if isinstance(when, str):
            when = [when]
        if not isinstance(when, list) or not all(isinstance(name, str) for name in when):
            raise TableError('when %r is neither a condition nor a list of them' % (raw.get('when'),))
        if conditions_known is not None and set(when) - set(conditions_known):
            raise TableError('when names conditions nobody sets: %s (known: %s)'
                             % (', '.join(sorted(set(when) - set(conditions_known))), ', '.join(sorted(conditions_known))))
    except TableError as error:
        raise TableError('%s, in %r' % (error, dict(raw))) from None
    return {'processes': processes, 'protocol': raw['protocol'], 'ports': ports,
            'address': raw['address'], 'when': tuple(when)}


def table_problems(table, conditions_known=None):
    """What is wrong with a table, one sentence each; [] when it can be used.
    With conditions_known, a ``when`` may name only those."""
    if not isinstance(table, Mapping) or not table:
        return ['the listener table is a mapping of host groups to lists of entries, not %r' % (table,)]
    problems = []
    for group, entries in table.items():
        if not isinstance(entries, list):
            problems.append('group %s: a list of entries, not %r' % (group, entries))
            continue
        for raw in entries:
            try:
                entry(raw, conditions_known)
            except TableError as error:
                problems.append('group %s: %s' % (group, error))
    return problems


def holds(condition, host):
    """A condition's value for a host: true or false for every host, or the
    list of the hosts it holds for."""
    if isinstance(condition, bool):
        return condition
    if isinstance(condition, list):
        return host in condition
    raise TableError('a condition is true, false or a list of hosts, not %r' % (condition,))


def host_entries(table, groups, conditions, host):
    """The checked entries that apply to host, in the groups given (and all)."""
    applying = []
    for group in [ALL_HOSTS] + [group for group in groups if group != ALL_HOSTS]:
        for raw in table.get(group) or []:
            checked = entry(raw, conditions)
            if all(holds(conditions[name], host) for name in checked['when']):
                applying.append(dict(checked, group=group))
    return applying


# --- the judge ----------------------------------------------------------------

def _ip(text):
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # ss writes an IPv4 peer of a dual-stack socket as [::ffff:a.b.c.d].
    mapped = getattr(address, 'ipv4_mapped', None)
    return mapped or address


def address_kinds(address, management, vip=''):
    """The kinds an address listened on is, of ADDRESS_KINDS: 'any' for
    0.0.0.0, [::] and *; [] for an address that is none of the host's."""
    if address == '*':
        return ['any']
    ip = _ip(address)
    if ip is None:
        return []
    if ip.is_unspecified:
        return ['any']
    kinds = ['loopback'] if ip.is_loopback else []
    if management and ip == _ip(management):
        kinds.append('management')
    if vip and ip == _ip(vip):
        kinds.append('vip')
    return kinds


def _allowed(entries, management, vip):
    shown = []
    for kind in dict.fromkeys(each['address'] for each in entries):
        where = {'management': management, 'vip': vip}.get(kind)
        shown.append('%s (%s)' % (_WHAT[kind], where) if where else _WHAT[kind])
    return ' or '.join(shown)


def judge_host(host, listeners, entries, management, vip=''):
    """Problems of one host's listeners (parse_ss's) against the entries that
    apply to it (host_entries'), one sentence each, in ss's order."""
    problems = []
    for listener in listeners:
        names = [process['name'] for process in listener['processes']] or [KERNEL]
        kinds = address_kinds(listener['address'], management, vip)
        where = '%s %s' % (listener['protocol'], listener['local'])
        for name in dict.fromkeys(names):
            who = "a socket of no process (the kernel's, or another PID namespace's)" if name == KERNEL else name
            same_port = [each for each in entries if each['protocol'] == listener['protocol']
                         and any(low <= listener['port'] <= high for low, high in each['ports'])]
            matching = [each for each in same_port if name in each['processes']]
            if not matching:
                others = sorted({other for each in same_port for other in each['processes']})
                problems.append('%s: %s listens on %s, which the listener table does not allow%s'
                                % (host, who, where,
                                   ' (it allows that port to %s only)' % ', '.join(others) if others else ''))
                continue
            if any(each['address'] == 'any' or each['address'] in kinds for each in matching):
                continue
            allowed = _allowed(matching, management, vip)
            if 'any' in kinds:
                problems.append('%s: %s listens on %s, every address; the table allows it on %s only'
                                % (host, who, where, allowed))
            else:
                problems.append('%s: %s listens on %s; the table allows it on %s only' % (host, who, where, allowed))
    return list(dict.fromkeys(problems))


def judge_reading(host, reading, entries, management, vip=''):
    """Problems of one host from what was read there: {ss: ss -H -ltnup's
    output, status: /proc/self/status of a process run as ss was (optional)}.
    Where ss could not see other users' processes, the listeners it shows
    with none are one problem, not one each: their processes are unknown."""
    if not isinstance(reading, Mapping) or not isinstance(reading.get('ss'), str):
        raise TableError('the reading of %s is {ss: the output of ss -H -ltnup, status: ...}, not %r' % (host, reading))
    listeners = parse_ss(reading['ss'])
    if reading.get('status') is None or sees_other_users(reading['status']):
        return judge_host(host, listeners, entries, management, vip)
    unseen = [listener for listener in listeners if not listener['processes']]
    problems = judge_host(host, [listener for listener in listeners if listener['processes']], entries, management, vip)
    if unseen:
        problems.append('%s: ss shows no process for %d listeners (%s): it ran without CAP_SYS_PTRACE, so it cannot '
                        "see another user's processes; run it as root with that capability (the lab's hosts get it "
                        'from lab/create.yml)' % (host, len(unseen), ', '.join(
                            dict.fromkeys('%s %s' % (each['protocol'], each['local']) for each in unseen))))
    return problems
