# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""lab/route_check.py's pure parts, and a run against a fake cloud."""
import importlib
import pathlib
import sys
import types

import pytest

# lab/ is no package: put it on the path and import the script by name.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
route_check = importlib.import_module('route_check')

CHECKED = ('2026.1', '2026.2')
RESOURCES = {
    'server': '9f3c6a2e-8d1b-4a57-9c2e-0b1f2a3c4d5e',
    'flavor': '1',
    'image': '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
    'project': '0123456789abcdef0123456789abcdef',
    'hypervisor': 'compute-1',
    'provider': '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
    'trait': 'COMPUTE_NET_ATTACH_INTERFACE',
    'resource_class': 'VCPU',
    'quota_class': 'default',
}


@pytest.mark.parametrize('version, delta, stepped', [
    ('2.36', -1, '2.35'),
    ('1.10', -1, '1.9'),
    ('2.35', 1, '2.36'),
    ('1.9', 1, '1.10'),
    ('2.1', -1, '2.0'),
    ('1.0', -1, None),
    ('2.103', 1, '2.104'),
])
def test_step_microversion(version, delta, stepped):
    assert route_check.step_microversion(version, delta) == stepped


def _row(low, high, gone=False):
    return {'min': low, 'max': high, 'gone': gone}


@pytest.mark.parametrize('row, bounds, points', [
    # A proxy API: 2.1 to 2.35, and 404 above.
    (_row('2.1', '2.35'), ('2.1', '2.103'),
     [('lowest', '2.1'), ('highest', '2.35'), ('above', '2.36')]),
    # A recent route: 404 below its lowest, nothing above the maximum (406).
    (_row('2.78', '2.103'), ('2.1', '2.103'),
     [('below', '2.77'), ('lowest', '2.78'), ('highest', '2.103')]),
    # Placement's 1.10, one below is 1.9.
    (_row('1.10', '1.39'), ('1.0', '1.39'),
     [('below', '1.9'), ('lowest', '1.10'), ('highest', '1.39')]),
    # Nothing below placement's 1.0 or nova's 2.1.
    (_row('1.0', '1.39'), ('1.0', '1.39'), [('lowest', '1.0'), ('highest', '1.39')]),
    (_row('2.1', '2.103', gone=True), ('2.1', '2.103'),
     [('lowest', '2.1'), ('highest', '2.103')]),
    # nova's legacy 2.0 bound counts from the service's 2.1.
    (_row('2.0', '2.103'), ('2.1', '2.103'), [('lowest', '2.1'), ('highest', '2.103')]),
    # One microversion only.
    (_row('2.1', '2.1'), ('2.1', '2.100'), [('lowest', '2.1'), ('above', '2.2')]),
    # No such route in the table: the service's bounds.
    (None, ('2.1', '2.104'), [('lowest', '2.1'), ('highest', '2.104')]),
])
def test_probe_points(row, bounds, points):
    assert route_check.probe_points(row, bounds) == points


@pytest.mark.parametrize('verdict, status', [
    ('served', '2xx'),
    ('gone', '410'),
    ('outside range', '404'),
    ('not present', '404'),
])
def test_expected_status(verdict, status):
    assert route_check.expected_status(verdict) == status


def test_expected_status_refuses_unknown_verdicts():
    with pytest.raises(ValueError):
        route_check.expected_status('extension loaded')


@pytest.mark.parametrize('code, text', [
    (200, '2xx'), (204, '2xx'), (404, '404'), (410, '410'), (406, '406'), (None, None)])
def test_status_class(code, text):
    assert route_check.status_class(code) == text


def test_fill_path():
    fill = route_check.fill_path
    assert fill('/servers/{server_id}/tags', {'server_id': 'server'}, RESOURCES) == \
        '/servers/%s/tags' % RESOURCES['server']
    assert fill('/os-fixed-ips/{id}', {'id': 'removed'}, {}) == '/os-fixed-ips/route-check'
    assert fill('project_id={project_id}', {'project_id': 'project'}, RESOURCES) == \
        'project_id=' + RESOURCES['project']
    assert fill('/servers/{id}', {'id': 'server'}, {'server': None}) is None
    with pytest.raises(ValueError, match='no id kind'):
        fill('/servers/{id}', {}, RESOURCES)


def test_every_sampled_placeholder_has_a_kind():
    for entry in route_check.SAMPLE:
        assert route_check.fill_path(entry.path, entry.params, RESOURCES)
        assert set(entry.params.values()) <= set(route_check.RESOURCE_KINDS)


@pytest.mark.parametrize('series', CHECKED)
def test_sample_is_spread_and_matches_its_categories(series):
    """Every sampled route is a row of the table, of the kind its category
    says; the spread covers every category, both services, and 30 rows even
    in a cloud without servers."""
    categories = {}
    for entry in route_check.SAMPLE:
        table = route_check.routes_lookup.table(series, entry.service)
        row = route_check.find_row(table['rows'], 'GET', entry.path)
        assert row is not None, entry.path
        low, high = table['min'], table['max']
        cmp = route_check.compare_microversions
        proxy = entry.service == 'compute' and cmp(row['max'], '2.38') <= 0
        kind = (route_check.REMOVED if row['gone']
                else route_check.RECENT if cmp(row['min'], low) > 0
                else route_check.PROXY if proxy
                else route_check.CAPPED if cmp(row['max'], high) < 0
                else route_check.PLAIN)
        assert kind == entry.category, (entry.path, row)
        categories.setdefault(entry.service, set()).add(entry.category)
    assert categories['compute'] == {route_check.REMOVED, route_check.PROXY,
                                     route_check.CAPPED, route_check.RECENT,
                                     route_check.PLAIN}
    assert categories['placement'] == {route_check.RECENT, route_check.PLAIN}
    without_server = [e for e in route_check.SAMPLE if 'server' not in e.params.values()]
    assert len(without_server) >= route_check.MIN_ROWS
    # No cinder and no ironic in the lab: their proxies cannot answer 2xx.
    assert not {e.path.split('/')[1] for e in route_check.SAMPLE} & {
        'os-volumes', 'os-snapshots', 'os-baremetal-nodes'}


def _calls(checked, row):
    item = next(i for i in checked['rows'] if i['row'] == row)
    return [(c['point'], c['microversion'], c['expected']) for c in item['calls']]


@pytest.mark.parametrize('series, high', [('2026.1', '2.103'), ('2026.2', '2.104')])
def test_plan_takes_what_each_call_answers_from_the_table(series, high):
    checked = route_check.plan(series, RESOURCES)
    assert checked['bounds'] == {'compute': ['2.1', high], 'placement': ['1.0', '1.39']}
    assert _calls(checked, 'GET /os-fping') == [('lowest', '2.1', '410'), ('highest', high, '410')]
    assert _calls(checked, 'GET /images') == [
        ('lowest', '2.1', '2xx'), ('highest', '2.35', '2xx'), ('above', '2.36', '404')]
    assert _calls(checked, 'GET /images/{image_id}/metadata')[-1] == ('above', '2.39', '404')
    assert _calls(checked, 'GET /os-volumes_boot')[-1] == ('above', '2.103', '404')
    assert _calls(checked, 'GET /servers/{server_id}/topology') == [
        ('below', '2.77', '404'), ('lowest', '2.78', '2xx'), ('highest', high, '2xx')]
    assert _calls(checked, 'GET /servers') == [('lowest', '2.1', '2xx'), ('highest', high, '2xx')]
    assert _calls(checked, 'GET /allocation_candidates') == [
        ('below', '1.9', '404'), ('lowest', '1.10', '2xx'), ('highest', '1.39', '2xx')]
    assert _calls(checked, 'GET /usages')[0] == ('below', '1.8', '404')
    assert _calls(checked, 'GET /resource_providers/{uuid}/aggregates')[0] == \
        ('below', '1.0', '404')
    usages = next(i for i in checked['rows'] if i['row'] == 'GET /usages')
    assert usages['path'] == '/usages?project_id=' + RESOURCES['project']
    topology = next(i for i in checked['rows'] if i['row'] == 'GET /servers/{server_id}/topology')
    assert topology['calls'][0]['route'] == 'GET /servers/{server_id}/topology'


def test_plan_skips_rows_without_ids():
    checked = route_check.plan('2026.2', dict(RESOURCES, server=None))
    skipped = [i for i in checked['rows'] if 'skipped' in i]
    assert {i['row'] for i in skipped} >= {'GET /servers/{id}', 'GET /allocations/{consumer_uuid}'}
    assert all(i['calls'] == [] and 'a server' in i['skipped'] for i in skipped)
    # Removed routes need no real id.
    assert _calls(checked, 'GET /servers/{server_id}/os-virtual-interfaces') == []
    assert _calls(checked, 'GET /os-fixed-ips/{id}')[0][2] == '410'


def test_plan_refuses_a_release_without_tables():
    with pytest.raises(ValueError, match='no route table'):
        route_check.plan('2024.2', RESOURCES)


def _answered(checked, answer=None):
    for item in checked['rows']:
        for call in item['calls']:
            call['got'] = call['expected'] if answer is None else answer(item, call)
    return checked


def test_judge_all_agree():
    checked = _answered(route_check.plan('2026.2', RESOURCES))
    judged = route_check.judge(checked, {'compute': ['2.1', '2.104'],
                                         'placement': ['1.0', '1.39']})
    assert judged['ok'] and not judged['disagree'] and judged['rows_checked'] >= 30
    assert judged['calls'] > judged['rows_checked'] * 2
    text = route_check.render(judged)
    assert 'The table of 2026.2 agrees with the cloud.' in text
    assert 'DIFFERS' not in text


def test_judge_names_a_disagreement():
    def answer(item, call):
        if item['row'] == 'GET /os-hosts' and call['point'] == 'above':
            return '2xx'
        return call['expected']

    judged = route_check.judge(_answered(route_check.plan('2026.2', RESOURCES), answer))
    assert not judged['ok']
    assert judged['disagree'] == ['GET /os-hosts at 2.43: expected 404, got 2xx']
    assert 'DIFFERS' in route_check.render(judged)


def test_judge_needs_enough_rows():
    checked = _answered(route_check.plan('2026.2', RESOURCES))
    assert not route_check.judge(checked, min_rows=len(checked['rows']) + 1)['ok']


def test_judge_names_a_cloud_of_another_release():
    checked = _answered(route_check.plan('2026.2', RESOURCES))
    judged = route_check.judge(checked, {'compute': ['2.1', '2.103'], 'placement': None})
    assert not judged['ok']
    assert judged['bounds_differ'] == [
        'compute: the cloud serves 2.1 to 2.103, the table 2.1 to 2.104']


# --- a fake cloud that answers as nova and placement do ---------------------

class _Response:
    def __init__(self, status, body=None):
        self.status_code = status
        self._body = body or {}

    def json(self):
        return self._body


class _Service:
    """Answers GETs from a route table, as the service would: 410 for a
    removed API, 404 outside a route's range or for no route, 406 above the
    service's maximum.  ``wrong`` makes one route answer otherwise."""

    def __init__(self, name, series, wrong=None):
        self.name = name
        self.table = route_check.routes_lookup.table(series, name)
        self.wrong = wrong or {}
        self.calls = []

    def get(self, path, microversion=None, raise_exc=True, skip_cache=False):
        assert raise_exc is False
        self.calls.append((path, microversion))
        if path == '/traits' and microversion == '1.6':
            return _Response(200, {'traits': ['HW_CPU_X86_AVX', 'COMPUTE_NET_ATTACH_INTERFACE']})
        if route_check.compare_microversions(microversion, self.table['max']) > 0:
            return _Response(406)
        bare = path.split('?', 1)[0]
        if bare in self.wrong:
            return _Response(self.wrong[bare])
        verdict = route_check.routes_lookup.check_call(
            self.table, self.name, 'GET', bare, microversion)['status']
        return _Response({'served': 200, 'gone': 410}.get(verdict, 404))

    def get_endpoint_data(self):
        def version(text):
            return tuple(int(part) for part in text.split('.'))
        return types.SimpleNamespace(min_microversion=version(self.table['min']),
                                     max_microversion=version(self.table['max']))

    # What read_resources lists.
    def servers(self, **_kwargs):
        return iter([types.SimpleNamespace(id=RESOURCES['server'])])

    def flavors(self):
        return iter([types.SimpleNamespace(id=RESOURCES['flavor'])])

    def hypervisors(self):
        return iter([types.SimpleNamespace(name=RESOURCES['hypervisor'])])

    def images(self, **_kwargs):
        return iter([types.SimpleNamespace(id=RESOURCES['image'])])

    def resource_providers(self):
        return iter([types.SimpleNamespace(id=RESOURCES['provider'])])


def _cloud(series, wrong=None):
    compute = _Service('compute', series, wrong)
    return types.SimpleNamespace(compute=compute, placement=_Service('placement', series),
                                 image=compute, current_project_id=RESOURCES['project'])


@pytest.mark.parametrize('series', CHECKED)
def test_run_against_a_cloud_that_answers_as_the_table(series):
    cloud = _cloud(series)
    judged = route_check.run(cloud, series)
    assert judged['ok'], judged['disagree'] + judged['bounds_differ']
    assert judged['rows_checked'] == len(route_check.SAMPLE)
    # Only the sampled routes' boundary microversions, and never above the maximum.
    high = judged['bounds']['compute'][1]
    assert all(route_check.compare_microversions(version, high) <= 0
               for _path, version in cloud.compute.calls if version)
    assert ('/os-hosts', '2.43') in cloud.compute.calls


def test_run_reports_a_route_the_cloud_serves_otherwise():
    judged = route_check.run(_cloud('2026.2', {'/os-fping': 404}), '2026.2')
    assert not judged['ok']
    assert judged['disagree'] == ['GET /os-fping at 2.1: expected 410, got 404',
                                  'GET /os-fping at 2.104: expected 410, got 404']


def test_run_against_a_cloud_of_the_previous_release_fails():
    judged = route_check.run(_cloud('2026.1'), '2026.2')
    assert not judged['ok']
    assert judged['bounds_differ']


def test_main_refuses_a_release_without_tables(capsys):
    with pytest.raises(SystemExit) as exit_info:
        route_check.main(['--release', '2024.2'])
    assert exit_info.value.code == 2
    assert 'no route table' in capsys.readouterr().err


# --- the access-log part of tests/integration/api_routes.yml, offline -------

def _access_log(judged):
    """The gunicorn access log lines (the openstack role's format, as the
    journal shows them) of the calls of a run that answered 2xx."""
    prefix = {'compute': '/v2.1', 'placement': ''}
    lines = []
    for item in judged['rows']:
        for call in item['calls']:
            if call['got'] != '2xx':
                continue
            header = '%s %s' % (item['service'], call['microversion'])
            legacy = call['microversion'] if item['service'] == 'compute' else '-'
            lines.append('10.0.0.1 "GET %s%s HTTP/1.1" 200 512 4ms "%s" "%s"\n' % (
                prefix[item['service']], item['path'], header, legacy))
    return lines


@pytest.mark.parametrize('series, other', [('2026.2', '2026.1'), ('2026.1', '2025.1')])
def test_a_profile_of_the_calls_passes_its_release_and_names_a_call_another_lacks(
        tmp_path, series, other):
    """What the integration test asserts: a profile derived from the logs of
    route_check's successful calls is met by the release, and the release
    the playbook picks as the other one fails it, naming GET /os-hypervisors
    at the lab's maximum microversion."""
    from ansible_collections.stackroll.lifecycle.plugins.modules import api_compat

    judged = route_check.run(_cloud(series), series)
    log = tmp_path / 'api-routes-access.log'
    log.write_text(''.join(_access_log(judged)))
    profile = api_compat.validate_profile(api_compat.read_access_logs([str(log)]))

    def unmet(release):
        results = api_compat.check_profile(profile, api_compat.release_served(release),
                                           api_compat.tables(release),
                                           api_compat.extensions(release))
        return [r for r in results if not r['ok']]

    assert unmet(series) == []
    failed = unmet(other)
    call = 'GET /os-hypervisors at %s' % judged['bounds']['compute'][1]
    assert call in [r['requirement'] for r in failed]
    assert call in api_compat.unmet_message(failed, 99, 'release %s' % other)
