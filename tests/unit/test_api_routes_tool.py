# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""tools/api_routes.py: reading route tables from a service's code."""
from __future__ import annotations

import glob
import importlib.util
import os
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


api_routes = _load('api_routes_tool', os.path.join(REPO, 'tools', 'api_routes.py'))


def _nova_versions(maximum):
    """nova's api_version_request.py: microversions 2.1 to ``maximum``, the
    proxy APIs up to 2.35."""
    return """
        _MIN_API_VERSION = '2.1'
        _MAX_API_VERSION = '%s'
        MAX_PROXY_API_SUPPORT_VERSION = '2.35'
        """ % maximum


def _nova_routes(controllers, route_list):
    """nova's compute/routes.py: for each (name, 'module.Controller',
    'module.SubController'...) of ``controllers`` an import of its modules
    and a ``name_controller`` factory, then a ROUTE_LIST of the rows
    ``route_list``."""
    modules = sorted({ref.split('.')[0] for controller in controllers for ref in controller[1:]})
    lines = ['import functools']
    lines += ['from nova.api.openstack.compute import %s' % module for module in modules]
    lines.append('')
    for controller in controllers:
        lines.append('%s_controller = functools.partial(' % controller[0])
        lines.append('    _create_controller, %s, [%s])' % (controller[1], ', '.join(controller[2:])))
    lines += ['', 'ROUTE_LIST = (', textwrap.indent(textwrap.dedent(route_list).strip(), '    '), ')']
    return '\n'.join(lines) + '\n'


NOVA = {
    'nova/api/openstack/api_version_request.py': _nova_versions('2.104'),
    'nova/api/openstack/compute/routes.py': _nova_routes([
        ('fping', 'fping.FpingController'),
        ('server', 'servers.ServersController', 'migrate_server.MigrateServerController'),
        ('volumes', 'volumes.VolumeController'),
        ('volumes_boot', 'volumes_boot.VolumesBootController'),
    ], """
        ('', '/'),
        ('/os-fping', {'GET': [fping_controller, 'index']}),
        ('/os-volumes', {'GET': [volumes_controller, 'index']}),
        ('/os-volumes_boot/{id}/action', {
            'POST': [volumes_boot_controller, 'action']}),
        ('/servers/detail', {'GET': [server_controller, 'detail']}),
        ('/servers/{id}/action', {'POST': [server_controller, 'action']}),
        """),
    'nova/api/openstack/compute/fping.py': """
        class FpingController(wsgi.Controller):
            @wsgi.expected_errors(410)
            @wsgi.removed('18.0.0', _removal_reason)
            def index(self, req):
                raise exc.HTTPGone()
        """,
    'nova/api/openstack/compute/volumes.py': """
        from nova.api.openstack import api_version_request
        from nova.api.openstack.api_version_request import \\
            MAX_PROXY_API_SUPPORT_VERSION

        class VolumeController(wsgi.Controller):
            @wsgi.api_version("2.1", MAX_PROXY_API_SUPPORT_VERSION)
            def index(self, req):
                return {}
        """,
    'nova/api/openstack/compute/servers.py': """
        class ServersController(wsgi.Controller):
            def detail(self, req):
                return {}

            @wsgi.action('os-start')
            def _start(self, req, id, body):
                pass

            @wsgi.api_version("2.17")
            @wsgi.action('trigger_crash_dump')
            def _dump(self, req, id, body):
                pass
        """,
    'nova/api/openstack/compute/volumes_boot.py': """
        from nova.api.openstack.compute import servers

        class VolumesBootController(servers.ServersController):
            @wsgi.api_version('2.1', '2.102')
            @wsgi.action('os-start')
            def _start(self, req, id, body):
                pass
        """,
    'nova/api/openstack/compute/migrate_server.py': """
        class MigrateServerController(wsgi.Controller):
            @wsgi.action('os-migrateLive')
            def _migrate_live(self, req, id, body):
                pass
        """,
}

PLACEMENT = {
    'placement/microversion.py': """
        VERSIONS = [
            '1.0',
            '1.1',  # a comment
            '1.39',
        ]
        """,
    'placement/handler.py': """
        from placement.handlers import allocation
        from placement.handlers import allocation_candidate
        from placement.handlers import root

        ROUTE_DECLARATIONS = {
            '/': {'GET': root.home},
            '': {'GET': root.home},
            '/allocations/{consumer_uuid}': {
                'PUT': allocation.set_allocations_for_consumer,
                'GET': allocation.list_for_consumer,
            },
            '/allocation_candidates': {
                'GET': allocation_candidate.list_allocation_candidates,
            },
        }
        """,
    'placement/handlers/root.py': """
        def home(req):
            pass
        """,
    'placement/handlers/allocation.py': """
        def list_for_consumer(req):
            pass

        @microversion.version_handler('1.0', '1.7')
        def set_allocations_for_consumer(req):
            pass

        @microversion.version_handler('1.8', '1.11')
        def set_allocations_for_consumer(req):  # noqa
            pass

        @microversion.version_handler('1.30')
        def set_allocations_for_consumer(req):  # noqa
            pass
        """,
    'placement/handlers/allocation_candidate.py': """
        @microversion.version_handler('1.10')
        def list_allocation_candidates(req):
            pass
        """,
}


KEYSTONE = {
    'keystone/server/flask/application.py': """
        from keystone.api import discovery
        from keystone.api import os_simple_cert
        from keystone.api import users

        __apis__ = (discovery, users, os_simple_cert)
        """,
    'keystone/api/discovery.py': """
        _DISCOVERY_BLUEPRINT = flask.Blueprint('Discovery', __name__)

        @_DISCOVERY_BLUEPRINT.route('/')
        def get_versions():
            pass

        @_DISCOVERY_BLUEPRINT.route('/v3')
        def get_version_v3():
            pass

        class DiscoveryAPI:
            pass

        APIs = (DiscoveryAPI,)
        """,
    'keystone/api/users.py': """
        from keystone.server import flask as ks_flask

        class _UserBase(ks_flask.ResourceBase):
            collection_key = 'users'
            member_key = 'user'

        class UserResource(_UserBase):
            def get(self, user_id=None):
                pass

            def post(self):
                pass

            def patch(self, user_id):
                pass

        class UserPasswordResource(ks_flask.ResourceBase):
            def get(self, user_id):
                # Special case, GET is not allowed.
                raise exceptions.MethodNotAllowed(valid_methods=['POST'])

            def post(self, user_id):
                pass

        class UserAPI(ks_flask.APIBase):
            resources = [UserResource]
            resource_mapping = [
                ks_flask.construct_resource_map(
                    resource=UserPasswordResource,
                    url='users/<string:user_id>/password',
                    resource_kwargs={}),
            ]

        class TrustAPI(ks_flask.APIBase):
            _api_url_prefix = '/OS-TRUST'
            resource_mapping = [
                ks_flask.construct_resource_map(
                    resource=UserResource, url='/trusts',
                    alternate_urls=[{'url': '/ignored'}],
                    resource_kwargs={}),
            ]

        APIs = (UserAPI, TrustAPI)
        """,
    'keystone/api/os_simple_cert.py': """
        import flask_restful

        from keystone.server import flask as ks_flask

        class SimpleCertCAResource(flask_restful.Resource):
            def get(self):
                raise exception.Gone(message='removed')

        class SimpleCertAPI(ks_flask.APIBase):
            resource_mapping = [
                ks_flask.construct_resource_map(
                    resource=SimpleCertCAResource, url='/OS-SIMPLE-CERT/ca',
                    resource_kwargs={}),
            ]

        APIs = (SimpleCertAPI,)
        """,
}

GLANCE = {
    'glance/api/v2/router.py': """
        class API(wsgi.Router):
            def __init__(self, mapper):
                mapper.connect('/images/{image_id}',
                               controller=images_resource, action='show',
                               conditions={'method': ['GET']})
                mapper.connect('/images/{image_id}',
                               controller=images_resource, action='update',
                               conditions={'method': ['PATCH']})
                mapper.connect('/images/{image_id}',
                               controller=reject_method_resource,
                               action='reject', allowed_methods='GET, PATCH')
        """,
}

NEUTRON = {
    'neutron_lib/__init__.py': '',
    'neutron_lib/constants.py': """
        L3_AGENT_SCHEDULER_EXT_ALIAS = 'l3_agent_scheduler'
        """,
    'neutron_lib/api/definitions/trunk.py': """
        ALIAS = 'trunk'
        """,
    'neutron_lib/api/definitions/l3.py': """
        ALIAS = 'router'
        """,
    'neutron_lib/api/definitions/bgp.py': """
        ALIAS = 'bgp'
        """,
    'neutron/common/ovn/extensions.py': """
        from neutron_lib.api.definitions import bgp
        from neutron_lib.api.definitions import l3
        from neutron_lib.api.definitions import trunk
        from neutron_lib import constants

        ML2_SUPPORTED_API_EXTENSIONS_OVN_L3 = [
            l3.ALIAS,
            constants.L3_AGENT_SCHEDULER_EXT_ALIAS,
        ]
        ML2_SUPPORTED_API_EXTENSIONS = [
            trunk.ALIAS,
            bgp.ALIAS,
            'quotas',
        ]
        """,
    'neutron/extensions/trunk.py': """
        from neutron_lib.api import extensions
        from neutron_lib.api.definitions import trunk

        class Trunk(extensions.APIExtensionDescriptor):
            api_definition = trunk
        """,
    'neutron/extensions/l3.py': """
        from neutron_lib.api import extensions
        from neutron_lib.api.definitions import l3 as apidef

        class L3(extensions.APIExtensionDescriptor):
            api_definition = apidef
        """,
    'neutron/extensions/quotasv2.py': """
        from neutron_lib.api import extensions
        RESOURCE_NAME = 'quota'
        ALIAS = RESOURCE_NAME + 's'

        class Quotasv2(extensions.ExtensionDescriptor):
            @classmethod
            def get_alias(cls):
                return ALIAS
        """,
    'neutron/extensions/_helpers.py': '',
}


def _venv(root, files, dist_info):
    site = root / 'lib' / 'python3.11' / 'site-packages'
    for path, text in files.items():
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    for name in dist_info.split():
        (site / name).mkdir()
    return str(root)


@pytest.fixture(name='venvs')
def _venvs(tmp_path):
    return {'compute': _venv(tmp_path / 'nova', NOVA, 'nova-34.0.0.dist-info'),
            'placement': _venv(tmp_path / 'placement', PLACEMENT,
                               'openstack_placement-16.0.0.dist-info'),
            'identity': _venv(tmp_path / 'keystone', KEYSTONE,
                              'keystone-30.0.0.dist-info'),
            'image': _venv(tmp_path / 'glance', GLANCE,
                           'glance-33.0.0.dist-info'),
            'network': _venv(tmp_path / 'neutron', NEUTRON,
                             'neutron-29.0.0.dist-info '
                             'neutron_lib-5.0.0.dist-info')}


@pytest.mark.parametrize('service, source, service_bounds, rows', [
    pytest.param('compute', 'nova 34.0.0', ('2.1', '2.104'), [
        ('GET', '/os-fping', None, '2.1', '2.104', True),
        ('GET', '/os-volumes', None, '2.1', '2.35', False),
        # Inherited actions too; the subclass's own override wins.
        ('POST', '/os-volumes_boot/{id}/action', 'os-start', '2.1', '2.102', False),
        ('POST', '/os-volumes_boot/{id}/action', 'trigger_crash_dump', '2.17', '2.104', False),
        ('GET', '/servers/detail', None, '2.1', '2.104', False),
        ('POST', '/servers/{id}/action', 'os-migrateLive', '2.1', '2.104', False),
        ('POST', '/servers/{id}/action', 'os-start', '2.1', '2.104', False),
        ('POST', '/servers/{id}/action', 'trigger_crash_dump', '2.17', '2.104', False),
    ], id='nova'),
    pytest.param('placement', 'openstack-placement 16.0.0', ('1.0', '1.39'), [
        ('GET', '/', None, '1.0', '1.39', False),
        ('GET', '/allocation_candidates', None, '1.10', '1.39', False),
        ('GET', '/allocations/{consumer_uuid}', None, '1.0', '1.39', False),
        # 1.0-1.7 and 1.8-1.11 join; 1.12-1.29 answer 404.
        ('PUT', '/allocations/{consumer_uuid}', None, '1.0', '1.11', False),
        ('PUT', '/allocations/{consumer_uuid}', None, '1.30', '1.39', False),
    ], id='placement'),
    pytest.param('identity', 'keystone 30.0.0', (None, None), [
        # Discovery's / and /v3 are both the version root.
        ('GET', '/', None, None, None, False),
        ('HEAD', '/', None, None, None, False),
        ('GET', '/OS-SIMPLE-CERT/ca', None, None, None, True),
        ('HEAD', '/OS-SIMPLE-CERT/ca', None, None, None, True),
        # The API's prefix; no alternate URL under a prefix.
        ('GET', '/OS-TRUST/trusts', None, None, None, False),
        ('HEAD', '/OS-TRUST/trusts', None, None, None, False),
        ('POST', '/OS-TRUST/trusts', None, None, None, False),
        # patch needs user_id: only on the member path.
        ('GET', '/users', None, None, None, False),
        ('HEAD', '/users', None, None, None, False),
        ('POST', '/users', None, None, None, False),
        ('GET', '/users/{user_id}', None, None, None, False),
        ('HEAD', '/users/{user_id}', None, None, None, False),
        ('PATCH', '/users/{user_id}', None, None, None, False),
        # GET only answers 405; the url without its slash gets one.
        ('POST', '/users/{user_id}/password', None, None, None, False),
    ], id='keystone'),
    pytest.param('image', 'glance 33.0.0', (None, None), [
        ('GET', '/images/{image_id}', None, None, None, False),
        ('PATCH', '/images/{image_id}', None, None, None, False),
    ], id='glance'),
])
def test_routes_from_a_fixture_tree(venvs, service, source, service_bounds, rows):
    sources, bounds, tables, _extensions, _day = api_routes.route_tables(venvs)
    assert sources[service] == source
    assert bounds[service] == service_bounds
    assert tables[service] == rows


# nova 31 (2025.1) and older: @wsgi.Controller.api_version registers each
# definition of a method's name, and the controller dispatches the name by
# microversion to all of them; 2026.1 on, @wsgi.api_version only wraps the
# function, and Python keeps a name's last definition.
NOVA_VERSIONED = {
    'nova/api/openstack/api_version_request.py': _nova_versions('2.100'),
    'nova/api/openstack/compute/routes.py': _nova_routes([
        ('console_auth_tokens', 'console_auth_tokens.ConsoleAuthTokensController'),
        ('keypairs', 'keypairs.KeypairController'),
        ('limits', 'limits.LimitsController'),
        ('server', 'servers.ServersController'),
        ('wrapped', 'wrapped.WrappedController'),
    ], """
        ('/limits', {'GET': [limits_controller, 'index']}),
        ('/os-console-auth-tokens/{id}', {
            'GET': [console_auth_tokens_controller, 'show']}),
        ('/os-keypairs', {'GET': [keypairs_controller, 'index'],
                          'POST': [keypairs_controller, 'create']}),
        ('/os-wrapped', {'GET': [wrapped_controller, 'index'],
                         'PUT': [wrapped_controller, 'update']}),
        ('/servers/{id}/action', {'POST': [server_controller, 'action']}),
        """),
    'nova/api/openstack/compute/keypairs.py': """
        class KeypairController(wsgi.Controller):
            @wsgi.Controller.api_version("2.10")
            @wsgi.response(201)
            @wsgi.expected_errors((400, 403, 409))
            @validation.schema(keypairs.create_v210, '2.10', '2.91')
            def create(self, req, body):
                pass

            @wsgi.Controller.api_version("2.2", "2.9")  # noqa
            @wsgi.response(201)
            @wsgi.expected_errors((400, 403, 409))
            def create(self, req, body):  # noqa
                pass

            @wsgi.Controller.api_version("2.1", "2.1")  # noqa
            @wsgi.expected_errors((400, 403, 409))
            def create(self, req, body):  # noqa
                pass

            @wsgi.Controller.api_version("2.1", "2.1")
            @validation.query_schema(keypairs.index_query_schema_v20)
            @wsgi.expected_errors(())
            def index(self, req):
                pass

            @wsgi.Controller.api_version("2.2", "2.34")  # noqa
            @validation.query_schema(keypairs.index_query_schema_v20)
            @wsgi.expected_errors(())
            def index(self, req):  # noqa
                pass
        """,
    'nova/api/openstack/compute/limits.py': """
        from nova.api.openstack.api_version_request import \\
            MAX_PROXY_API_SUPPORT_VERSION

        class LimitsController(wsgi.Controller):
            @wsgi.Controller.api_version("2.1", MAX_PROXY_API_SUPPORT_VERSION)
            @wsgi.expected_errors(())
            def index(self, req):
                pass

            @wsgi.Controller.api_version("2.57")  # noqa
            @wsgi.expected_errors(())
            def index(self, req):  # noqa
                pass
        """,
    'nova/api/openstack/compute/console_auth_tokens.py': """
        class ConsoleAuthTokensController(wsgi.Controller):
            @wsgi.Controller.api_version("2.1", "2.30")
            @wsgi.expected_errors((400, 401, 404))
            def show(self, req, id):
                raise webob.exc.HTTPBadRequest()

            @wsgi.Controller.api_version("2.31")  # noqa
            @wsgi.Controller.api_version("2.31", "2.98")  # noqa
            @wsgi.expected_errors((400, 404))
            def show(self, req, id):  # noqa
                pass

            @wsgi.Controller.api_version("2.99")  # noqa
            @wsgi.expected_errors((400, 404))
            def show(self, req, id):  # noqa
                pass
        """,
    'nova/api/openstack/compute/servers.py': """
        class ServersController(wsgi.Controller):
            @wsgi.Controller.api_version("2.1", "2.46")
            @wsgi.action('createImage')
            def _create_image(self, req, id, body):
                pass

            @wsgi.Controller.api_version("2.47")  # noqa
            @wsgi.action('createImage')
            def _create_image(self, req, id, body):  # noqa
                pass

            @wsgi.Controller.api_version("2.1", "2.5")
            @wsgi.expected_errors(410)
            @wsgi.action('os-getRDPConsole')
            @wsgi.removed('29.0.0', _removal_reason)
            def _get_rdp_console(self, req, id, body):
                raise exc.HTTPGone()

            @wsgi.Controller.api_version("2.6", "2.8")  # noqa
            @wsgi.expected_errors(410)
            @wsgi.action('os-getRDPConsole')
            def _get_rdp_console(self, req, id, body):  # noqa
                raise exc.HTTPGone()

            @wsgi.Controller.api_version("2.20")  # noqa
            @wsgi.action('os-getRDPConsole')
            def _get_rdp_console(self, req, id, body):  # noqa
                pass
        """,
    'nova/api/openstack/compute/wrapped.py': """
        class WrappedController(wsgi.Controller):
            @wsgi.api_version("2.1", "2.10")
            def index(self, req):
                pass

            @wsgi.api_version("2.20")
            def index(self, req):  # noqa
                pass

            @wsgi.api_version("2.5")
            @wsgi.api_version("2.1", "2.30")
            def update(self, req, body):
                pass
        """,
}


def test_nova_versioned_dispatch_serves_every_definition(tmp_path):
    venv = _venv(tmp_path / 'nova', NOVA_VERSIONED, 'nova-31.3.1.dist-info')
    _sources, bounds, tables, _extensions, _day = api_routes.route_tables({'compute': venv})
    assert bounds['compute'] == ('2.1', '2.100')
    assert tables['compute'] == [
        # Defined for 2.1-2.35 and from 2.57: a row per range, 404 between.
        ('GET', '/limits', None, '2.1', '2.35', False),
        ('GET', '/limits', None, '2.57', '2.100', False),
        # Stacked decorators add their ranges too; the definition that
        # answers 400 is still the route.
        ('GET', '/os-console-auth-tokens/{id}', None, '2.1', '2.100', False),
        # 2.1-2.1 and 2.2-2.34 join; the last definition, 2.1-2.1, alone
        # was what the table said.
        ('GET', '/os-keypairs', None, '2.1', '2.34', False),
        # Defined newest first: 2.10-, 2.2-2.9 and 2.1-2.1 join.
        ('POST', '/os-keypairs', None, '2.1', '2.100', False),
        # @wsgi.api_version does not dispatch: the last definition, and
        # stacked wrappers narrow its range.
        ('GET', '/os-wrapped', None, '2.20', '2.100', False),
        ('PUT', '/os-wrapped', None, '2.5', '2.30', False),
        # Actions dispatch by the method's name as well.
        ('POST', '/servers/{id}/action', 'createImage', '2.1', '2.100', False),
        # 410 from 2.1 to 2.8 (removed or only raising Gone), 404 up to 2.19.
        ('POST', '/servers/{id}/action', 'os-getRDPConsole', '2.1', '2.8', True),
        ('POST', '/servers/{id}/action', 'os-getRDPConsole', '2.20', '2.100', False),
    ]


def test_a_route_in_two_ranges_is_stored_and_read_back(tmp_path):
    venv = _venv(tmp_path / 'nova', NOVA_VERSIONED, 'nova-31.3.1.dist-info')
    read = api_routes.route_tables({'compute': venv})
    text = api_routes.render({'2025.1': read})
    namespace = {}
    exec(compile(text, 'table', 'exec'), namespace)  # pylint: disable=exec-used
    limits = [row for row in namespace['ROUTES']['compute'] if row[1] == '/limits']
    assert limits == [('GET', '/limits', None, '2.1', '2.35', False, ('2025.1',)),
                      ('GET', '/limits', None, '2.57', 'latest', False, ('2025.1',))]
    data = tmp_path / '_api_routes_data.py'
    data.write_text(text)
    assert api_routes.read_data(str(data)) == {'2025.1': read}


def test_merge_ranges_joins_contiguous_and_overlapping_ranges():
    assert api_routes.merge_ranges([('2.10', '2.100'), ('2.2', '2.9'), ('2.1', '2.1')]) == [('2.1', '2.100')]
    assert api_routes.merge_ranges([('2.31', '2.100'), ('2.31', '2.98'), ('2.1', '2.30')]) == [('2.1', '2.100')]
    assert api_routes.merge_ranges([('2.57', '2.100'), ('2.1', '2.35')]) == [('2.1', '2.35'), ('2.57', '2.100')]


def test_neutron_extensions_from_a_fixture_tree(venvs):
    sources, _bounds, tables, extensions, _day = api_routes.route_tables(venvs)
    assert sources['network'] == 'neutron 29.0.0, neutron-lib 5.0.0'
    assert 'network' not in tables
    # bgp is in the OVN list but neutron ships no extension of it;
    # l3_agent_scheduler neither, here.
    assert extensions['network'] == ['quotas', 'router', 'trunk']


def test_rendered_table_is_a_module_with_its_source(venvs):
    text = api_routes.render({'2026.2': api_routes.route_tables(venvs)})
    namespace = {}
    exec(compile(text, 'table', 'exec'), namespace)  # pylint: disable=exec-used
    assert namespace['SOURCES']['2026.2']['compute'] == 'nova 34.0.0'
    # The release's highest microversion is 'latest'.
    assert namespace['ROUTES']['placement'][0] == ('GET', '/', None, '1.0', 'latest', False, ('2026.2',))
    assert namespace['BOUNDS']['2026.2']['identity'] == (None, None)
    assert namespace['EXTENSIONS'] == {'network': (('quotas', ('2026.2',)), ('router', ('2026.2',)), ('trunk', ('2026.2',)))}
    assert all(len(line) <= api_routes.LINE_LENGTH for line in text.splitlines())


def _args(release, venvs, data, *extra):
    return [release] + ['%s=%s' % item for item in sorted(venvs.items())] + ['--data', str(data)] + list(extra)


def test_generating_a_release_keeps_the_others(venvs, tmp_path, capsys):
    data = tmp_path / '_api_routes_data.py'
    assert api_routes.main(_args('2026.1', venvs, data)) == 0
    older = api_routes.route_tables(venvs)
    # The next release: a higher maximum, a route gone, an extension more.
    site = os.path.join(venvs['compute'], 'lib', 'python3.11', 'site-packages', 'nova', 'api', 'openstack')
    bounds = os.path.join(site, 'api_version_request.py')
    with open(bounds, encoding='utf-8') as handle:
        text = handle.read().replace("'2.104'", "'2.105'")
    with open(bounds, 'w', encoding='utf-8') as handle:
        handle.write(text)
    routes = os.path.join(site, 'compute', 'routes.py')
    with open(routes, encoding='utf-8') as handle:
        text = handle.read().replace("    ('/os-fping', {'GET': [fping_controller, 'index']}),\n", '')
    with open(routes, 'w', encoding='utf-8') as handle:
        handle.write(text)
    neutron = os.path.join(venvs['network'], 'lib', 'python3.11', 'site-packages', 'neutron', 'extensions', 'l3agentscheduler.py')
    with open(neutron, 'w', encoding='utf-8') as handle:
        handle.write(textwrap.dedent("""
            from neutron_lib.api import extensions

            class L3agentscheduler(extensions.ExtensionDescriptor):
                @classmethod
                def get_alias(cls):
                    return 'l3_agent_scheduler'
            """))
    assert api_routes.main(_args('2026.2', venvs, data)) == 0
    newer = api_routes.route_tables(venvs)
    assert newer[1]['compute'] == ('2.1', '2.105')
    assert api_routes.read_data(str(data)) == {'2026.1': older, '2026.2': newer}
    namespace = {}
    exec(compile(data.read_text(), 'data', 'exec'), namespace)  # pylint: disable=exec-used
    compute = namespace['ROUTES']['compute']
    # Each row once; up to each release's own maximum is one row.
    assert ('GET', '/servers/detail', None, '2.1', 'latest', False, ('2026.1', '2026.2')) in compute
    assert ('POST', '/os-volumes_boot/{id}/action', 'os-start', '2.1', '2.102', False, ('2026.1', '2026.2')) in compute
    assert ('GET', '/os-fping', None, '2.1', 'latest', True, ('2026.1',)) in compute
    assert len(compute) == len(set(row[:-1] for row in compute))
    assert namespace['EXTENSIONS']['network'][0] == ('l3_agent_scheduler', ('2026.2',))
    # Regenerating a release leaves the module as it was.
    text = data.read_text()
    assert api_routes.main(_args('2026.2', venvs, data)) == 0
    assert data.read_text() == text
    capsys.readouterr()
    assert api_routes.main(_args('2026.2', venvs, data, '--check')) == 0
    assert api_routes.main(_args('2026.1', venvs, data, '--check')) == 1
    assert api_routes.main(_args('2027.1', venvs, data, '--check')) == 1
    assert capsys.readouterr().out.splitlines() == [
        '%s: release 2026.2 up to date' % data,
        '%s: release 2026.1 differs' % data,
        '%s: release 2027.1 differs' % data,
    ]
    assert data.read_text() == text
    # Venvs of the same packages installed on another day check the same.
    data.write_text(text.replace("'2026.2': '%s'" % newer[4], "'2026.2': '1999-01-01'"))
    assert api_routes.read_data(str(data))['2026.2'][4] == '1999-01-01'
    assert api_routes.main(_args('2026.2', venvs, data, '--check')) == 0


def test_a_module_it_does_not_write_is_reported(venvs, tmp_path, capsys):
    data = tmp_path / '_api_routes_data.py'
    data.write_text('ROUTES = {}\n')
    assert api_routes.main(_args('2026.2', venvs, data)) == 2
    assert 'is not a module this script writes' in capsys.readouterr().err
    assert data.read_text() == 'ROUTES = {}\n'


def test_missing_venv_is_reported(tmp_path):
    with pytest.raises(api_routes.SourceError, match='site-packages'):
        api_routes.route_tables({'compute': str(tmp_path)})


# Where the release venvs are, extracted as the lab installs them
# (<dir>/nova-2026.2, <dir>/placement-2026.2); the lab's own path by default.
VENVS_DIR = os.environ.get('STACKROLL_VENVS_DIR', '/openstack/venvs')
COMMITTED = {'compute': 'nova', 'placement': 'placement',
             'identity': 'keystone', 'image': 'glance', 'network': 'neutron'}


@pytest.mark.parametrize('series', ['2025.1', '2025.2', '2026.1', '2026.2'])
def test_committed_tables_match_the_release_venvs(series):
    venvs = {service: os.path.join(VENVS_DIR, '%s-%s' % (name, series))
             for service, name in COMMITTED.items()}
    missing = [path for path in venvs.values()
               if not glob.glob(os.path.join(path, 'lib', 'python3*', 'site-packages'))]
    if missing:
        pytest.skip('no extracted release venv %s (set STACKROLL_VENVS_DIR)'
                    % ', '.join(missing))
    assert api_routes.read_data()[series] == api_routes.route_tables(venvs)


def test_committed_module_is_as_the_script_writes_it():
    with open(api_routes.DATA_PATH, encoding='utf-8') as handle:
        assert handle.read() == api_routes.render(api_routes.read_data())
