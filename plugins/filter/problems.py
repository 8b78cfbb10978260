# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Problem lists: nova's services judged from compute_service_info, and a
list of problems written as one message.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError


def _list(value, name, what):
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise AnsibleFilterError('%s expects a list of %s, got %r.' % (name, what, value))
    return value


def _services(services, name):
    for service in _list(services, name, "nova's services (compute_service_info's compute_services)"):
        if not isinstance(service, Mapping) or not service.get('host') or not service.get('binary'):
            raise AnsibleFilterError('%s expects each nova service to have a host and a binary, got %r.'
                                     % (name, service))
    return services


def numbered_problems(problems):
    """['a.', 'b '] | numbered_problems -> '(1) a. (2) b.'"""
    for problem in _list(problems, 'numbered_problems', 'problems'):
        if not isinstance(problem, str):
            raise AnsibleFilterError('numbered_problems expects each problem to be a text, got %r.' % (problem,))
    return ' '.join('(%d) %s.' % (number, problem.strip().removesuffix('.'))
                    for number, problem in enumerate(problems, start=1))


def nova_services_down(services, advice=None):
    """compute_services | nova_services_down('what to do') -> a message per service not up."""
    # Not up is down: nova lists a service of an unreachable cell with no state; a gate must not pass it.
    return ['nova service %s on %s is down%s' % (s['binary'], s['host'], '; ' + advice if advice else '')
            for s in _services(services, 'nova_services_down') if s.get('state') != 'up']


def nova_computes_unknown(services, hostnames):
    """compute_services | nova_computes_unknown(hostnames) -> a message per nova-compute on another host."""
    _list(hostnames, 'nova_computes_unknown', 'host names')
    return ['nova-compute runs on %s, which is not in the inventory group computes; '
            'add it, or delete its service record if the host is gone' % s['host']
            for s in _services(services, 'nova_computes_unknown')
            if s['binary'] == 'nova-compute' and s['host'] not in hostnames]


class FilterModule:
    """stackroll.lifecycle's problem-list filters."""

    def filters(self):
        return {
            'numbered_problems': numbered_problems,
            'nova_services_down': nova_services_down,
            'nova_computes_unknown': nova_computes_unknown,
        }
