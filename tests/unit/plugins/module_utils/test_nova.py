# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""nova's service records: found, enabled, disabled and forced down."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests

from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova import (
    SERVICE_UPDATE,
    ServiceNotFound,
    find_service,
    update_service,
)

CMP1 = SimpleNamespace(id='s-1', host='cmp1', binary='nova-compute', disabled_reason='old')
CMP2 = SimpleNamespace(id='s-2', host='cmp2', binary='nova-compute', disabled_reason=None)


class FakeCompute:
    """openstacksdk's compute proxy, recording the calls made."""

    def __init__(self, services=(CMP1, CMP2)):
        self.records = list(services)
        self.calls = []

    def services(self, binary):
        self.calls.append(('services', binary))
        return [s for s in self.records if s.binary == binary]

    def enable_service(self, service):
        self.calls.append(('enable', service.id))

    def disable_service(self, service, disabled_reason=None):
        self.calls.append(('disable', service.id, disabled_reason))

    def update_service_forced_down(self, service, forced):
        self.calls.append(('forced_down', service.id, forced))

    def put(self, path, microversion, json):
        self.calls.append(('put', path, microversion, json))
        answer = requests.Response()
        answer.status_code = 200
        return answer


def test_find_service():
    assert find_service(FakeCompute(), 'cmp2') is CMP2


@pytest.mark.parametrize('services, binary, expected', [
    ((CMP1, CMP2), 'nova-compute', "No nova-compute service on host 'cmp9'. Known hosts: cmp1, cmp2."),
    ((CMP1,), 'nova-conductor', "No nova-conductor service on host 'cmp9'. Known hosts: none."),
])
def test_unknown_service_lists_known_hosts(services, binary, expected):
    with pytest.raises(ServiceNotFound, match='^%s$' % expected.replace('.', r'\.')):
        find_service(FakeCompute(services), 'cmp9', binary)


@pytest.mark.parametrize('changes, calls', [
    ({'status': 'enabled', 'disabled_reason': None}, [('enable', 's-1')]),
    ({'status': 'disabled'}, [('disable', 's-1', 'old')]),
    ({'status': 'disabled', 'disabled_reason': 'drain'}, [('disable', 's-1', 'drain')]),
    ({'disabled_reason': 'upgrade'},
     [('put', '/os-services/s-1', SERVICE_UPDATE, {'status': 'disabled', 'disabled_reason': 'upgrade'})]),
    ({'is_forced_down': True}, [('forced_down', 's-1', True)]),
    ({'status': 'disabled', 'is_forced_down': False}, [('disable', 's-1', 'old'), ('forced_down', 's-1', False)]),
    ({}, []),
])
def test_update_service(changes, calls):
    compute = FakeCompute()
    update_service(compute, CMP1, changes)
    assert compute.calls == calls
