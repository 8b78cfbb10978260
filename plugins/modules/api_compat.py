#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: api_compat
short_description: Check that a cloud or a release serves what its API consumers use
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Checks a consumer profile (the services, API versions, microversion
    range and single calls a cloud's consumers use) against what a live
    cloud serves (read like M(stackroll.lifecycle.api_versions_info) does)
    or against what a release of the release map serves (O(release)).
  - Reports every requirement as met or not, with the reason, and fails
    listing each unmet one unless O(fail_on_unmet=false).
  - With O(compare_to) (another cloud, or a release), lists what it
    dropped, added or deprecated compared to the checked cloud or release;
    run it before an upgrade with the target release.
  - With O(access_log), derives the profile from the services' access logs
    (the gunicorn format the C(openstack) role configures, or any combined
    log with the two microversion headers last) and returns it.
  - Never changes anything.
  - A profile is a mapping with C(services), by service type (C(compute),
    C(image), ...), of C(versions) (API versions like C(v2.1)),
    C(min_version) and C(max_version) (microversions, quoted), and C(calls)
    (C(method), C(path), C(microversion), and C(action), the body's
    action key of a POST to C(/servers/{id}/action) like C(os-migrateLive)),
    and for C(network) C(extensions) (the API extensions relied on, by
    alias, like C(trunk)).
  - Against a release, a call to compute, placement, identity or image is
    judged by the release's route table, read from its own code by
    tools/api_routes.py. The route must exist, not answer 410 Gone, and
    serve the call's microversion (identity and image have none). Other
    services are judged by their microversion range only.
  - Against a live cloud, calls are judged by the route tables of the
    release the cloud runs, told by its compute and placement microversion
    ranges (RV(routes_release)). The tables' services are taken to run
    that one release. When the ranges match no release's tables, or
    several releases' alike (2025.1 and 2025.2 serve the same ones), calls
    are judged by microversion range only, and RV(routes_reason) says so.
  - A network extension the profile names must be loaded by the target.
    Against a release, it must be one of the extensions an ML2/OVN neutron
    of the release can load (which of them a given cloud loads depends on
    its service plugins and extension drivers); against a live cloud, one
    of those its network API lists.
  - O(compare_to) also lists the routes one side serves and the other does
    not (a cloud's by the tables of the release it runs, as above), and
    between two releases the network extensions one can load and the other
    cannot.
options:
  profile:
    description:
      - The consumer profile, as a mapping or as the absolute path of a
        YAML file holding one (on the host the module runs on).
      - Required unless O(access_log) or O(compare_to) is given.
    type: raw
  access_log:
    description:
      - Access logs (paths on the host the module runs on, normally the
        control node) to derive the profile from, when O(profile) is not
        given. The derived profile is returned as RV(profile).
    type: list
    elements: path
  access_log_service:
    description:
      - The service type every request of O(access_log) belongs to, for a
        single service's log. By default the microversion headers, else the
        paths, tell each request's service.
    type: str
  release:
    description:
      - Check against what this release (series or codename) serves, from
        the release map, instead of the live cloud. No cloud is needed then,
        unless O(compare_to) names one.
    type: str
  compare_to:
    description:
      - Another cloud (a name in C(clouds.yaml)) or a release (series or
        codename) to compare with; RV(changes) lists what it dropped, added
        or deprecated against the cloud or release checked.
      - A value that names a release of the map is taken as a release.
    type: str
  fail_on_unmet:
    description: Fail when a requirement of the profile is not met.
    type: bool
    default: true
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackroll.lifecycle.cloud
  - stackroll.lifecycle.read_only
'''

EXAMPLES = r'''
- name: Do our consumers survive the upgrade to 2026.2?
  stackroll.lifecycle.api_compat:
    profile: files/consumers.yml
    release: "2026.2"

- name: Check the live cloud, with the profile inline
  stackroll.lifecycle.api_compat:
    profile:
      services:
        compute: {versions: [v2.1], min_version: "2.1", max_version: "2.95"}
        image: {versions: [v2]}

- name: Does 2026.2 still serve the calls and the neutron extensions we use?
  stackroll.lifecycle.api_compat:
    release: "2026.2"
    profile:
      services:
        compute:
          calls:
            - {method: POST, path: "/servers/{id}/action", action: os-migrateLive, microversion: "2.30"}
        identity:
          calls:
            - {method: GET, path: "/v3/users/{user_id}/projects"}
        network:
          extensions: [trunk, port-security]

- name: What does 2026.2 drop compared with the running cloud?
  stackroll.lifecycle.api_compat:
    compare_to: hibiscus
    fail_on_unmet: false
  register: drift

- name: Derive the profile from the APIs' access logs, and check it against 2026.2
  stackroll.lifecycle.api_compat:
    access_log: [/var/log/stackroll/nova-api.log, /var/log/stackroll/glance-api.log]
    release: "2026.2"
  register: used
'''

RETURN = r'''
checked:
  description: What the profile was checked against (C(cloud <name>) or C(release <series>)).
  returned: always
  type: str
routes_release:
  description:
    - The release whose route tables judged the calls, and whose routes
      were compared with O(compare_to)'s - O(release) itself, or the release
      a live cloud runs, told by its compute and placement microversion
      ranges.
    - C(null) when no table fits (RV(routes_reason) says why); calls are
      then judged by microversion range only.
  returned: always
  type: str
  sample: '2026.1'
routes_reason:
  description: How RV(routes_release) was told, or why no release's tables fit.
  returned: always
  type: str
  sample: compute 2.1 to 2.103 and placement 1.0 to 1.39 are release 2026.1's alone
compared_routes_release:
  description: RV(routes_release) of O(compare_to).
  returned: with O(compare_to)
  type: str
compared_routes_reason:
  description: RV(routes_reason) of O(compare_to).
  returned: with O(compare_to)
  type: str
results:
  description: Each requirement of the profile, in profile order.
  returned: when there is a profile
  type: list
  elements: dict
  contains:
    service:
      description: Service type.
      type: str
    requirement:
      description: The requirement (C(API v2.1), C(max_version 2.95), C(GET /servers/{id} at 2.79)).
      type: str
    ok:
      description: Whether it is met.
      type: bool
    reason:
      description: Why, in words.
      type: str
    status:
      description:
        - For a call to a service RV(routes_release) has a route table of
          (compute, placement, identity, image) - C(served), C(gone)
          (answers 410), C(not present) (no such route) or C(outside
          range) (served at other microversions, named in
          RV(results[].reason)).
        - For a network extension - C(extension loaded), C(extension not
          loaded) or C(not checked) (the target's extensions are unknown).
      type: str
      returned: for calls judged by a route table, and for extensions
    fix:
      description: What would fix an unmet call judged by a route table, or an extension not loaded.
      type: str
      returned: for calls judged by a route table, and for extensions
unmet:
  description: The requirements not met (as in RV(results)).
  returned: when there is a profile
  type: list
  elements: dict
ok:
  description: Whether every requirement is met.
  returned: when there is a profile
  type: bool
profile:
  description: The profile checked, normalised (derived, with per-call counts, from O(access_log)).
  returned: when there is a profile
  type: dict
served:
  description:
    - What the checked cloud or release serves, in the shape of
      RV(stackroll.lifecycle.api_versions_info#module:served).
  returned: always
  type: dict
compared_to:
  description: What O(compare_to) named (C(cloud <name>) or C(release <series>)).
  returned: with O(compare_to)
  type: str
changes:
  description:
    - What O(compare_to) C(dropped), C(added) or C(deprecated) against the
      checked cloud or release, by service.
  returned: with O(compare_to)
  type: list
  elements: dict
  sample:
    - {service: compute, change: added, what: microversions, detail: '2.104'}
    - {service: identity, change: added, what: route, detail: 'DELETE /users/{user_id}/tokens'}
    - {service: network, change: added, what: extension, detail: extraroute-atomic}
'''

from ansible_collections.stackroll.lifecycle.plugins.module_utils._access_log_profiles import (
    profile_from_access_log,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_changes import (
    diff_extensions,
    diff_routes,
    diff_served,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_discovery import (
    gather_served,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profile_format import (
    ProfileError,
    validate_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profiles import (
    check_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_routes import (
    extensions,
    running_release,
    tables,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._cloud import (
    CloudModule,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    UnknownRelease,
    release,
    series_named,
)

try:
    import yaml
except ImportError:  # said when a profile file is to be read
    yaml = None


def release_served(series):
    """What a release serves, as a fresh copy."""
    return {service: dict(served) for service, served
            in release(series)['apis'].items()}


def read_profile(value):
    """The profile of option ``profile``: a mapping, or a YAML file's path."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise ProfileError('profile must be a mapping, or the path of a YAML '
                           'file holding one (got %s).' % type(value).__name__)
    if yaml is None:
        raise ProfileError('Reading a profile file needs PyYAML on the host '
                           'the module runs on; pass the profile as a mapping.')
    path = value
    try:
        with open(path, encoding='utf-8') as handle:
            loaded = yaml.safe_load(handle)
    except OSError as exc:
        raise ProfileError('Cannot read profile file %s: %s.'
                           % (path, exc.strerror or exc)) from None
    except yaml.YAMLError as exc:
        raise ProfileError('Profile file %s is not valid YAML: %s'
                           % (path, exc)) from None
    return loaded


def read_access_logs(paths, service=None):
    """The profile of every request in the access logs ``paths``."""
    lines = []
    for path in paths:
        try:
            with open(path, encoding='utf-8', errors='replace') as handle:
                lines.extend(handle)
        except OSError as exc:
            raise ProfileError('Cannot read access log %s: %s.'
                               % (path, exc.strerror or exc)) from None
    profile = profile_from_access_log(lines, service)
    if not profile['services']:
        raise ProfileError(
            'No API request of a known service found in %s: check the paths, '
            'and that the logs use the gunicorn format of the openstack role '
            'or a combined format; set access_log_service for one service\'s '
            'log whose paths do not tell it.' % ', '.join(paths))
    return profile


def unmet_message(unmet, total, checked):
    """The failure message, naming every unmet requirement."""
    return '%d of %d requirements unmet against %s: %s.' % (
        len(unmet), total, checked, '; '.join(
            '%s: %s (%s%s)' % (r['service'], r['requirement'], r['reason'],
                               ', fix: %s' % r['fix'] if r.get('fix') else '')
            for r in unmet))


class ApiCompatModule(CloudModule):
    argument_spec = dict(
        profile=dict(type='raw'),
        access_log=dict(type='list', elements='path'),
        access_log_service=dict(),
        release=dict(),
        compare_to=dict(),
        fail_on_unmet=dict(type='bool', default=True),
    )
    module_kwargs = dict(
        supports_check_mode=True,
        mutually_exclusive=[('profile', 'access_log')],
        required_one_of=[('profile', 'access_log', 'compare_to')],
    )

    def openstack_cloud_from_module(self):
        # A release checked on its own, or against another release, needs
        # no cloud: do not ask for one.
        if self.params['release'] is not None and (
                self.params['compare_to'] is None
                or series_named(self.params['compare_to'])):
            try:
                import openstack as sdk
            except ImportError:
                sdk = None
            return sdk, None
        return super().openstack_cloud_from_module()

    def served_by(self, name, option):
        """(label, served) of a release, or of a cloud (None: this one)."""
        series = series_named(name)
        if series:
            return 'release %s' % series, release_served(series)
        if name is not None and option == 'release':
            try:
                release(str(name))
            except UnknownRelease as exc:
                self.fail_json(msg='Option release: %s' % exc)
        conn = self.conn if name is None else self.connect_cloud(name, option)
        label = 'cloud %s' % (name or conn.config.name)
        return label, gather_served(conn)['served']

    @staticmethod
    def routes_release(name, served):
        """(series, reason) of the route tables that judge the release or
        cloud ``name`` (None: this cloud), which serves ``served``; series
        None when no table fits."""
        series = series_named(name)
        if series is None:
            return running_release(served)
        if not tables(series):
            return None, 'release %s has no route tables' % series
        return series, 'the tables of release %s itself' % series

    def cloud_extensions(self, label):
        """{'network': {target, aliases}} of the cloud checked: the
        extensions its network API lists; empty when it lists none."""
        try:
            aliases = frozenset(e.alias for e in self.conn.network.extensions())
        except self.sdk.exceptions.SDKException:
            return {}
        return {'network': {'target': label, 'aliases': aliases}}

    def run(self):
        params = self.params
        checked, served = self.served_by(params['release'], 'release')
        # A live cloud's calls are judged by the tables of the release its
        # microversion bounds tell, by range alone when they tell none.
        series, why = self.routes_release(params['release'], served)
        routes = tables(series)
        result = self.results = {'changed': False, 'checked': checked,
                                 'served': served, 'routes_release': series,
                                 'routes_reason': why}
        if params['compare_to'] is not None:
            other, other_served = self.served_by(params['compare_to'],
                                                 'compare_to')
            other_series, other_why = self.routes_release(
                params['compare_to'], other_served)
            changes = diff_served(served, other_served)
            changes.extend(diff_routes(routes, tables(other_series)))
            changes.extend(diff_extensions(
                extensions(series_named(params['release'])),
                extensions(series_named(params['compare_to']))))
            result.update(compared_to=other, changes=changes,
                          compared_routes_release=other_series,
                          compared_routes_reason=other_why)
        try:
            if params['access_log']:
                profile = read_access_logs(params['access_log'],
                                           params['access_log_service'])
            elif params['profile'] is not None:
                profile = read_profile(params['profile'])
            else:
                return result
            normalised = validate_profile(profile)
        except (ProfileError, ValueError) as exc:
            self.fail_json(msg=str(exc), **self.results_on_failure())
        # The derived profile keeps its call counts; validation drops none.
        result['profile'] = profile if params['access_log'] else normalised
        loaded = extensions(series_named(params['release']))
        if params['release'] is None and any(
                need.get('extensions')
                for need in normalised['services'].values()):
            loaded = self.cloud_extensions(checked)
        results = check_profile(normalised, served, routes, loaded)
        unmet = [r for r in results if not r['ok']]
        result.update(results=results, unmet=unmet, ok=not unmet)
        if unmet and params['fail_on_unmet']:
            self.fail_json(msg=unmet_message(unmet, len(results), checked),
                           **self.results_on_failure())
        result['msg'] = ('All %d requirements met by %s.'
                         % (len(results), checked) if not unmet else
                         unmet_message(unmet, len(results), checked))
        return result


def main():
    ApiCompatModule()()


if __name__ == '__main__':
    main()
