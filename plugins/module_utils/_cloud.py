# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The base every stackroll.lifecycle cloud module stands on.

It reuses openstack.cloud's ``OpenStackModule`` (connection options,
openstacksdk connection, check of the SDK version) and adds what operators
need on top: a clear error when the selected cloud does not exist, and SDK,
HTTP and keystoneauth errors turned into one readable ``fail_json`` message.

Credentials always come through openstacksdk's own resolution: the ``cloud``
option, else ``OS_CLOUD``, else the only cloud in clouds.yaml; the clouds.yaml
is found at ``OS_CLIENT_CONFIG_FILE`` (AWX's OpenStack credential sets only
that) or at the standard paths.
"""

from __future__ import annotations

import os
import warnings

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import (
    OpenStackModule,
)

try:
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions
    from openstack.config import loader as sdk_loader
    # The base class reads openstack.version, which openstacksdk >= 4.15 no
    # longer imports by itself (and deprecates).
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        import openstack.version  # noqa: F401 pylint: disable=unused-import
except ImportError:  # the base class reports the missing SDK itself
    ksa_exceptions = sdk_exceptions = sdk_loader = None

# openstacksdk's name for the cloud built from OS_* variables, and for the
# empty cloud it makes when nothing at all is configured.
_IMPLICIT_CLOUDS = ('envvars', 'defaults')

# What usually fixes an HTTP status, in the words of an operator.
_HTTP_HINTS = {
    401: 'check the credentials of the selected cloud',
    403: 'the user lacks the role this call needs (most need admin)',
    404: 'the resource does not exist (anymore)',
    409: 'the resource is busy or in a conflicting state; retry later',
    503: 'the service is unavailable; check that it runs',
}


def config_files_searched(config):
    """The clouds.yaml paths openstacksdk looked at, in order."""
    # pylint: disable-next=protected-access
    return list(getattr(config, '_config_files', []))


def cloud_selection_error(requested, config, environ=None,
                          option='the cloud option'):
    """Say why the cloud selection cannot work, or return None.

    ``requested`` is the module's ``cloud`` option (a name, a dict or None),
    ``config`` an ``openstack.config.OpenStackConfig``; ``option`` names
    where ``requested`` came from.
    """
    if isinstance(requested, dict):
        return None
    environ = os.environ if environ is None else environ
    known = [n for n in config.get_cloud_names() if n not in _IMPLICIT_CLOUDS]
    searched = ', '.join(config_files_searched(config)) or 'none'
    name = requested or config.default_cloud
    if name in (None, 'defaults'):
        return ('No cloud selected and none configured. Set the cloud option '
                'or OS_CLOUD to a cloud of clouds.yaml, or point '
                'OS_CLIENT_CONFIG_FILE at a clouds.yaml. Files searched: %s.'
                % searched)
    if name == 'envvars' or name in known:
        return None
    source = option if requested else 'OS_CLOUD'
    where = config.config_filename or 'no clouds.yaml found'
    if 'OS_CLIENT_CONFIG_FILE' in environ:
        where += ' (from OS_CLIENT_CONFIG_FILE)'
    return ('Cloud %r (from %s) is not defined in %s. Known clouds: %s. '
            'Use one of them, or add %r to clouds.yaml. Files searched: %s.'
            % (name, source, where, ', '.join(known) or 'none', name, searched))


def describe_error(exc):
    """Turn an openstacksdk or keystoneauth exception into one clear line."""
    if isinstance(exc, sdk_exceptions.HttpException) and exc.status_code:
        parts = ['HTTP %s' % exc.status_code]
        if exc.url:
            parts.append('from %s %s' % (exc.method, exc.url))
        text = '%s: %s' % (' '.join(parts), exc.details or exc.message)
        if exc.request_id:
            text += ' (request %s)' % exc.request_id
        hint = _HTTP_HINTS.get(exc.status_code)
        return '%s; %s.' % (text, hint) if hint else text
    if isinstance(exc, ksa_exceptions.EndpointNotFound):
        return ('%s. The catalog has no such endpoint: check the service is '
                'deployed, and the region_name and interface options.' % exc)
    if isinstance(exc, ksa_exceptions.ConnectFailure):
        return ('%s. Check that the endpoint is reachable from this host and '
                'that the service runs.' % exc)
    if isinstance(exc, ksa_exceptions.Unauthorized):
        return '%s; check the credentials of the selected cloud.' % exc
    return str(exc) or exc.__class__.__name__


class CloudModule(OpenStackModule):
    """Base class: declare ``argument_spec`` and implement ``run()``."""

    module_kwargs = {'supports_check_mode': True}

    def openstack_cloud_from_module(self):
        if sdk_loader is not None:
            try:
                config = sdk_loader.OpenStackConfig()
            except sdk_exceptions.ConfigException as exc:
                self.fail_json(msg='Invalid clouds.yaml: %s' % exc)
            if not self.params.get('auth'):
                problem = cloud_selection_error(self.params.get('cloud'), config)
                if problem:
                    self.fail_json(msg=problem)
        return super().openstack_cloud_from_module()

    def connect_cloud(self, name, option):
        """A connection to another cloud of clouds.yaml, named by the
        module's ``option``, refused like the module's own when unknown."""
        try:
            config = sdk_loader.OpenStackConfig()
        except sdk_exceptions.ConfigException as exc:
            self.fail_json(msg='Invalid clouds.yaml: %s' % exc)
        problem = cloud_selection_error(name, config, option=option)
        if problem:
            self.fail_json(msg=problem)
        return self.sdk.connect(cloud=name)

    def __call__(self):
        try:
            results = self.run()
        except (sdk_exceptions.SDKException,
                ksa_exceptions.ClientException) as exc:
            self.fail_json(msg=describe_error(exc), **self.results_on_failure())
        if results and isinstance(results, dict):
            self.exit_json(**results)
        self.exit_json(**self.results)

    def results_on_failure(self):
        """What a module still returns when the cloud fails it mid-run."""
        return {k: v for k, v in self.results.items() if k != 'msg'}
