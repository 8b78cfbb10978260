#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: api_versions_info
short_description: Report the API versions and microversions a cloud serves
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - For every service of the keystone catalog, reads the version document
    at the endpoint's root (else at the catalog URL itself) and reports its
    API versions, deprecated versions and microversion range.
  - Understands nova's (C(version), C(min_version)), placement's
    (C(max_version), C(min_version)), keystone's (C(values) wrapping),
    glance's and neutron's documents.
  - Returns RV(served) in the shape M(stackroll.lifecycle.api_compat) and
    the C(diff_served) logic take, so a live cloud compares with a release.
  - Reports nova's service records. nova's API does not expose a service's
    version (C(os-services) has no such field, and the version lives only in
    nova's database), so each compute's service version comes from the
    release of the nova installed on its host, given in
    O(compute_releases) (M(stackroll.lifecycle.host_versions_facts) reads
    it). With them, the module reports the minimum compute service version
    and the compute RPC version nova pins to. Reading the database
    (C(nova-manage)) is out of scope.
  - Read-only. A service missing from the catalog, or whose version
    document cannot be read, is reported, never an error.
options:
  compute_releases:
    description:
      - The release series of the nova installed on each compute host, as a
        mapping of host name, as nova reports it, to series (for example
        V(cmp1) to V(2026.2)).
      - Needed for the service versions, the minimum and the RPC pin.
    type: dict
  controller_release:
    description:
      - The release series of the nova controllers (conductor, API).
      - Defaults to the release whose nova serves the compute API's
        microversion range, when only one does.
    type: str
  compute_services:
    description: Whether to list nova's service records.
    type: bool
    default: true
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackroll.lifecycle.cloud
  - stackroll.lifecycle.read_only
'''

EXAMPLES = r'''
- name: What does the cloud serve?
  stackroll.lifecycle.api_versions_info:
  register: apis

- name: Show nova's microversion range
  ansible.builtin.debug:
    msg: "compute {{ apis.served.compute.min_version }} to {{ apis.served.compute.max_version }}"

- name: With the releases the computes run (playbooks/probe.yml reads them with host_versions_facts)
  stackroll.lifecycle.api_versions_info:
    compute_releases: {cmp1: "2026.2", cmp2: "2026.1"}
    controller_release: "2026.2"
  register: apis

- name: Show the RPC pin
  ansible.builtin.debug:
    msg: "{{ apis.compute_report.rpc_pin if apis.compute_report else apis.compute_report_error }}"
'''

RETURN = r'''
served:
  description:
    - What each service serves, by service type. C(min_version) and
      C(max_version) only for services with microversions.
  returned: success
  type: dict
  sample:
    compute: {versions: [v2.0, v2.1], deprecated: [v2.0], min_version: '2.1', max_version: '2.104'}
    image: {versions: [v2.0, v2.1], deprecated: []}
endpoints:
  description:
    - Per service type, the catalog entry and the raw version entries read.
  returned: success
  type: dict
  contains:
    name:
      description: The service's name in the catalog.
      type: str
    catalog_type:
      description: The type as the catalog registers it (C(volumev3) for C(block-storage)).
      type: str
    url:
      description: The catalog URL, for the connection's interface and region.
      type: str
    root_url:
      description: Where the version document was read; null when none could be.
      type: str
    versions:
      description: The version entries as the service returned them.
      type: list
      elements: dict
    error:
      description: Why no version document could be read; null otherwise.
      type: str
absent:
  description: Core service types (identity, compute, placement, image, network) missing from the catalog.
  returned: success
  type: list
  elements: str
compute_services:
  description:
    - nova's service records. nova-compute records have C(release) and
      C(version) (the nova service version), from O(compute_releases); null
      when unknown.
  returned: when compute is in the catalog and O(compute_services=true)
  type: list
  elements: dict
compute_report:
  description:
    - What nova makes of its computes' service versions under the
      controllers' release; null when a release is unknown (see
      RV(compute_report_error)).
  returned: when compute is in the catalog and O(compute_services=true)
  type: dict
  contains:
    controller_release:
      description: The release of the controllers the report assumes.
      type: str
    min_version:
      description: The minimum nova-compute service version (forced-down services left out).
      type: int
    max_version:
      description: The maximum.
      type: int
    mixed:
      description: Whether the computes run different service versions.
      type: bool
    rpc_pin:
      description: The compute RPC version nova pins to (C([upgrade_levels] compute=auto)).
      type: str
    releases:
      description: Host to the release of its service version.
      type: dict
    too_old:
      description: Computes the controllers refuse.
      type: list
      elements: str
    too_new:
      description: Computes newer than the controllers.
      type: list
      elements: str
compute_report_error:
  description: Why RV(compute_report) is null.
  returned: when compute_report is null
  type: str
'''

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_discovery import (
    gather_served,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._cloud import (
    CloudModule,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova import (
    compute_service_records,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova_service_versions import (
    compute_report_from_records,
    controller_release_of,
)


class ApiVersionsInfoModule(CloudModule):
    argument_spec = dict(
        compute_releases=dict(type='dict'),
        controller_release=dict(),
        compute_services=dict(type='bool', default=True),
    )

    def run(self):
        result = dict(changed=False, **gather_served(self.conn))
        self.results = result
        if 'compute' in result['served'] and self.params['compute_services']:
            controller = (self.params['controller_release']
                          or controller_release_of(result['served']['compute']))
            records, report, error = compute_report_from_records(
                compute_service_records(self.conn),
                self.params['compute_releases'], controller)
            result.update(compute_services=records, compute_report=report)
            if error:
                result['compute_report_error'] = error
        return result


def main():
    ApiVersionsInfoModule()()


if __name__ == '__main__':
    main()
