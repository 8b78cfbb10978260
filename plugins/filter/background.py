# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The command prefix that runs the roles' background work at a host's lowest priority.

Documented in ``background_command.yml`` beside this file.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

# Nice alone does not lower a command against the services: each unit has a
# cgroup of its own, and CPU and IO are shared between cgroups by weight.
# A transient scope with the lowest weights does.
SYSTEMD_SCOPE = ['systemd-run', '--scope', '--quiet', '--collect',
                 '--property=CPUWeight=1', '--property=IOWeight=1', '--nice=19', '--']
NICE = ['nice', '-n', '19']
IDLE_IO = ['ionice', '-c', '3']


def background_command(facts):
    """ansible_facts | background_command -> the argv prefix for that host.

    systemd as the host's service manager: a systemd scope with CPUWeight=1
    and IOWeight=1, at nice 19, in the idle IO class. Anything else, facts
    not gathered among it: nice 19 in the idle IO class.
    """
    if not isinstance(facts, Mapping):
        raise AnsibleFilterError("background_command expects a host's ansible_facts, got %r." % (facts,))
    if facts.get('service_mgr') == 'systemd':
        return SYSTEMD_SCOPE + IDLE_IO
    return NICE + IDLE_IO


class FilterModule:
    """stackroll.lifecycle's background work filters."""

    def filters(self):
        return {'background_command': background_command}
