# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What keystone lacks for a service: compares one read of keystone with
what the catalog tasks would write, so that a rerun can skip their eight
openstack.cloud module runs when nothing drifted.

Documented in keystone_catalog_drift.yml beside this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

READ = ('role_assignments', 'users', 'services', 'endpoints')


def keystone_catalog_drift(keystone, service, url, user, region, roles, interfaces):
    """keystone read | keystone_catalog_drift(...) -> what differs, [] if nothing."""
    if not isinstance(keystone, dict) or not all(isinstance(keystone.get(key), list) for key in READ):
        raise AnsibleFilterError('keystone_catalog_drift expects {%s} as lists of resources, got %r.'
                                 % (', '.join(READ), keystone))
    drift = []
    assigned = [a for a in keystone['role_assignments']
                if (a.get('user') or {}).get('name') == user
                and ((a.get('scope') or {}).get('project') or {}).get('name') == 'service']
    project_ids = {a['scope']['project']['id'] for a in assigned}
    missing_roles = sorted(set(roles) - {(a.get('role') or {}).get('name') for a in assigned})
    if missing_roles:
        drift.append('user %s lacks the roles %s on project service' % (user, ', '.join(missing_roles)))
    if not any(u.get('name') == user and u.get('domain_id') == 'default'
               and u.get('default_project_id') in project_ids for u in keystone['users']):
        drift.append('user %s is missing or has another default project' % user)
    found = [s for s in keystone['services'] if s.get('name') == service['name']]
    if not any(s.get('type') == service['type'] and s.get('description') == service['description']
               and s.get('is_enabled') for s in found):
        drift.append('service %s (%s) is missing or differs' % (service['name'], service['type']))
    ids = {s['id'] for s in found}
    for interface in interfaces:
        if not any(e.get('service_id') in ids and e.get('interface') == interface and e.get('url') == url
                   and e.get('region_id') == region and e.get('is_enabled')
                   for e in keystone['endpoints']):
            drift.append('the %s endpoint of %s is missing or is not %s' % (interface, service['name'], url))
    return drift


class FilterModule:
    """stackroll.lifecycle's keystone catalog filter."""

    def filters(self):
        return {'keystone_catalog_drift': keystone_catalog_drift}
