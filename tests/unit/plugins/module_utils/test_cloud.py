# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
from __future__ import annotations

import json

import pytest
import requests
from keystoneauth1 import exceptions as ksa_exceptions
from openstack import exceptions as sdk_exceptions
from openstack.config import loader

from ansible_collections.stackroll.lifecycle.plugins.module_utils._cloud import (
    cloud_selection_error,
    describe_error,
)


@pytest.fixture(name='config_env')
def _config_env(clouds_yaml, monkeypatch):
    """make(os_cloud, use_file): an openstacksdk config over clouds_yaml."""
    def make(os_cloud=None, use_file=True):
        if os_cloud:
            monkeypatch.setenv('OS_CLOUD', os_cloud)
        if use_file:
            monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(clouds_yaml))
        return loader.OpenStackConfig(), clouds_yaml
    return make


@pytest.mark.parametrize('requested, os_cloud', [
    ('lab', None),
    (None, 'prod'),
    ('prod', 'lab'),
    ({'auth': {'auth_url': 'http://x'}}, None),
])
def test_valid_selection_passes(config_env, requested, os_cloud):
    config, _path = config_env(os_cloud)
    assert cloud_selection_error(requested, config) is None


def test_unknown_cloud_names_known_ones_and_file(config_env):
    config, path = config_env()
    msg = cloud_selection_error('staging', config)
    assert "Cloud 'staging' (from the cloud option)" in msg
    assert 'Known clouds: lab, prod' in msg
    assert str(path) in msg
    assert 'OS_CLIENT_CONFIG_FILE' in msg


def test_unknown_cloud_from_environment_says_so(config_env):
    config, _path = config_env('staging')
    msg = cloud_selection_error(None, config)
    assert '(from OS_CLOUD)' in msg


def test_nothing_configured_says_how_to_configure(config_env):
    config, _path = config_env(use_file=False)
    msg = cloud_selection_error(None, config)
    assert msg.startswith('No cloud selected and none configured')
    assert 'none.yaml' in msg


def test_single_cloud_is_the_default(config_env, tmp_path, monkeypatch):
    only = tmp_path / 'one.yaml'
    only.write_text('clouds:\n  solo:\n    auth: {auth_url: http://x}\n')
    config_env(use_file=False)
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(only))
    config = loader.OpenStackConfig()
    assert config.default_cloud == 'solo'
    assert cloud_selection_error(None, config) is None


def http_error(status, body, request_id=None):
    """The exception openstacksdk raises for a real HTTP response."""
    response = requests.Response()
    response.status_code = status
    response.url = 'http://127.0.0.1:8774/v2.1/servers/x/action'
    response.request = requests.Request('POST', response.url).prepare()
    response.headers['Content-Type'] = 'application/json'
    if request_id:
        response.headers['x-openstack-request-id'] = request_id
    response._content = json.dumps(body).encode()  # pylint: disable=protected-access
    try:
        sdk_exceptions.raise_from_response(response)
    except sdk_exceptions.HttpException as exc:
        return exc
    raise AssertionError('no exception for HTTP %s' % status)


@pytest.mark.parametrize('exc, expected', [
    (http_error(409, {'conflictingRequest': {
        'code': 409, 'message': "Cannot 'os-migrateLive' instance while it "
        'is in power_state pending'}}, request_id='req-1'),
     "HTTP 409 from POST http://127.0.0.1:8774/v2.1/servers/x/action: Cannot 'os-migrateLive' instance while it is in power_state "
     'pending (request req-1); the resource is busy or in a conflicting '
     'state; retry later.'),
    (http_error(500, {'computeFault': {'code': 500, 'message': 'Gone wrong'}}),
     'HTTP 500 from POST http://127.0.0.1:8774/v2.1/servers/x/action: Gone wrong'),
    (http_error(404, {'itemNotFound': {'code': 404,
                                       'message': 'Instance x not found'}}),
     'HTTP 404 from POST http://127.0.0.1:8774/v2.1/servers/x/action: Instance x '
     'not found; the resource does not exist (anymore).'),
    (ksa_exceptions.EndpointNotFound('public endpoint for compute not found'),
     'public endpoint for compute not found. The catalog has no such '
     'endpoint: check the service is deployed, and the region_name and '
     'interface options.'),
    (ksa_exceptions.ConnectFailure('Unable to connect to http://127.0.0.1:9'),
     'Unable to connect to http://127.0.0.1:9. Check that the endpoint is '
     'reachable from this host and that the service runs.'),
    (sdk_exceptions.ConfigException('Cloud x was not found.'),
     'Cloud x was not found.'),
])
def test_describe_error(exc, expected):
    assert describe_error(exc) == expected
