# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What listens on the hosts, from ``ss -H -ltnup``, and what of it a
declared table does not allow. The logic is in
module_utils/_listener_table.py; each host's management address is
host_address's.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import host_address
from ansible_collections.stackroll.lifecycle.plugins.filter.problems import numbered_problems
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import expect, input_errors_as
from ansible_collections.stackroll.lifecycle.plugins.module_utils._listener_table import (
    TableError,
    holds,
    host_entries,
    judge_reading,
    parse_ss,
    table_problems,
)


@input_errors_as(AnsibleFilterError)
def ss_listeners(text):
    """ss_output | ss_listeners -> [{protocol, local, address, port, processes: [{name, pid}]}]."""
    expect('ss_listeners', 'its input', text, "the output of ss -H -ltnup (text, or its lines)",
           isinstance(text, str) or (isinstance(text, list) and all(isinstance(line, str) for line in text)))
    return parse_ss(text)


def _reading(name, host, reading):
    if isinstance(reading, str):
        return {'ss': reading}
    expect(name, 'the reading of %s' % host, reading, '{ss, status, conditions} or the text of ss -H -ltnup',
           isinstance(reading, Mapping) and isinstance(reading.get('conditions') or {}, Mapping))
    return reading


@input_errors_as(AnsibleFilterError)
def listener_problems(readings, table, hostvars, conditions=None, vip=''):
    """{host: {ss, status, conditions}} | listener_problems(table, hostvars, conditions, vip) -> [problem, ...]."""
    name = 'listener_problems'
    expect(name, 'its input', readings, "a mapping of each host to what was read there ({ss, status, conditions}, or ss's text)",
           isinstance(readings, Mapping))
    conditions = {} if conditions is None else conditions
    expect(name, 'conditions', conditions, 'a mapping of condition names to true, false or a list of hosts',
           isinstance(conditions, Mapping))
    readings = {host: _reading(name, host, reading) for host, reading in readings.items()}
    # A condition a reading sets holds for its host only; one that a host's
    # reading does not set, and the conditions do not, is false there.
    known = set(conditions).union(*(reading.get('conditions') or {} for reading in readings.values()))
    wrong = table_problems(table, known)
    if wrong:
        raise TableError('%s: the listener table cannot be used: %s' % (name, numbered_problems(wrong)))
    problems = []
    for host, reading in readings.items():
        if host not in hostvars:
            raise TableError('%s: %s is not a host of the inventory.' % (name, host))
        here = dict.fromkeys(known, False)
        here.update({condition: holds(value, host) for condition, value in conditions.items()})
        here.update({condition: holds(value, host) for condition, value in (reading.get('conditions') or {}).items()})
        entries = host_entries(table, list(hostvars[host].get('group_names') or []), here, host)
        problems += judge_reading(host, reading, entries, host_address(host, hostvars), vip or '')
    return problems


class FilterModule:
    """stackroll.lifecycle's listener filters."""

    def filters(self):
        return {'ss_listeners': ss_listeners, 'listener_problems': listener_problems}
