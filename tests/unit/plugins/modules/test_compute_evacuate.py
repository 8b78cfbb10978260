# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""compute_evacuate's reading of placement, its service calls and its defaults."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import requests
from openstack import exceptions as sdk_exceptions

from ansible_collections.stackroll.lifecycle.plugins.modules.compute_evacuate import (
    ComputeEvacuateModule,
    placement_error,
    read_providers,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._evacuation_request import (
    DEFAULTS,
)

URL = 'http://127.0.0.1:8778'


def response(status, body, content_type='application/json'):
    """A real HTTP response, as openstacksdk's proxies return it."""
    answer = requests.Response()
    answer.status_code = status
    answer.request = requests.Request('GET', URL).prepare()
    answer.url = answer.request.url
    answer.headers['Content-Type'] = content_type
    answer._content = (body if isinstance(body, str) else json.dumps(body)).encode()  # pylint: disable=protected-access
    return answer


class FakePlacement:
    """Placement with one provider, cmp1, answering ``answers`` by path."""

    def __init__(self, answers):
        self.answers = answers

    @staticmethod
    def resource_providers():
        return [SimpleNamespace(id='rp-1', name='cmp1')]

    def get(self, path):
        return self.answers[path]


INVENTORIES = {'VCPU': {'total': 8, 'reserved': 0, 'allocation_ratio': 4.0, 'max_unit': 8}}
GOOD = {'/resource_providers/rp-1/inventories': response(200, {'inventories': INVENTORIES}),
        '/resource_providers/rp-1/usages': response(200, {'usages': {'VCPU': 2}})}


def test_read_providers():
    assert read_providers(FakePlacement(GOOD)) == {
        'cmp1': {'inventories': INVENTORIES, 'usages': {'VCPU': 2}}}


@pytest.mark.parametrize('answer, expected', [
    (response(500, {'errors': [{'status': 500, 'title': 'Internal Server Error', 'detail': 'db gone'}]}),
     'HTTP 500 from GET %s/: ' % URL),
    (response(200, {'resource_provider_generation': 3}),
     "placement's answer to GET /resource_providers/rp-1/inventories has no 'inventories'"),
    (response(200, '<html>proxy error</html>', 'text/html'),
     "placement's answer to GET /resource_providers/rp-1/inventories has no 'inventories'"),
])
def test_unreadable_placement_says_what_failed_and_what_to_do(answer, expected):
    placement = FakePlacement(dict(GOOD, **{'/resource_providers/rp-1/inventories': answer}))
    with pytest.raises(sdk_exceptions.SDKException) as raised:
        read_providers(placement)
    msg = placement_error(raised.value)
    assert msg.startswith('Nothing was done. The capacity check could not read placement: ' + expected)
    assert msg.endswith('Check that placement runs and that this user may read it, or set '
                        'capacity_check=false to drain without the check.')
    assert '..' not in msg


def record_failures(module):
    """The module's fail_json calls, kept in the list returned."""
    failures = []

    def fail_json(**kwargs):
        failures.append(kwargs)
        raise SystemExit(1)
    module.fail_json = fail_json
    return failures


def test_the_module_fails_readably_on_placement_errors():
    module = ComputeEvacuateModule.__new__(ComputeEvacuateModule)
    module.results = {}
    module.conn = SimpleNamespace(placement=FakePlacement(dict(GOOD, **{
        '/resource_providers/rp-1/usages': response(503, {'message': 'unavailable'})})))
    failures = record_failures(module)
    with pytest.raises(SystemExit):
        module.providers()
    assert failures[0]['msg'].startswith('Nothing was done. The capacity check could not read placement: HTTP 503')
    assert 'check that it runs' in failures[0]['msg']


def test_option_defaults_are_the_engines():
    spec = ComputeEvacuateModule.argument_spec
    defaults = {name: option['default'] for name, option in spec.items() if 'default' in option}
    assert defaults == {name: DEFAULTS[name] for name in defaults}
    assert set(spec) <= set(DEFAULTS)


class FakeCompute:
    """Two computes, no instances; records the service calls."""

    def __init__(self):
        self.records = [SimpleNamespace(id='s-%d' % n, host='cmp%d' % n, binary='nova-compute', status='enabled',
                                        state='up', is_forced_down=False, disabled_reason=None) for n in (1, 2)]
        self.calls = []

    def services(self, binary):
        return [s for s in self.records if s.binary == binary]

    @staticmethod
    def aggregates():
        return []

    @staticmethod
    def servers(**_query):
        return []

    def disable_service(self, service, disabled_reason=None):
        self.calls.append(('disable', service.host, disabled_reason))


def evacuate_module(check_mode):
    module = ComputeEvacuateModule.__new__(ComputeEvacuateModule)
    module.params = {name: option.get('default') for name, option in ComputeEvacuateModule.argument_spec.items()}
    module.params['hosts'] = ['cmp1']
    module.check_mode = check_mode
    module.results = {'changed': False}
    module.conn = SimpleNamespace(compute=FakeCompute(), placement=SimpleNamespace(resource_providers=list))
    return module


@pytest.mark.parametrize('check_mode, calls', [
    (True, []),
    (False, [('disable', 'cmp1', DEFAULTS['disabled_reason'])]),
])
def test_an_empty_host_is_disabled_with_the_default_reason(check_mode, calls):
    module = evacuate_module(check_mode)
    result = module.run()
    assert result['changed'] is True
    assert result['plan']['disable'] == [{'host': 'cmp1', 'disabled_reason': DEFAULTS['disabled_reason']}]
    assert module.conn.compute.calls == calls


def test_a_service_gone_before_it_is_disabled_fails_readably():
    module = evacuate_module(False)
    compute = module.conn.compute
    listed = compute.services

    def services_once(binary):
        # The plan sees cmp1; by the time it is disabled, its service is gone.
        found, compute.records = listed(binary), compute.records[1:]
        return found
    compute.services = services_once
    failures = record_failures(module)
    with pytest.raises(SystemExit):
        module.run()
    assert failures[0]['msg'] == "No nova-compute service on host 'cmp1'. Known hosts: cmp2."
    assert failures[0]['plan']['disable'] == [{'host': 'cmp1', 'disabled_reason': DEFAULTS['disabled_reason']}]
