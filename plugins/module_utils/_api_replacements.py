# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What replaces nova's proxy APIs and its removed ones.

:data:`REPLACED_BY` maps a route, by its literal segment or the body's
action, to the service and route that replace it and why;
:func:`replacement` looks a route table's row up there.
``_api_routes.check_call`` names it in the fix of a route that is gone or
served only at other microversions.
"""

from __future__ import annotations

# What replaces nova's proxy APIs (404 from 2.36, 2.39 or 2.44) and its
# removed ones (410): by the route's literal segment, last first, or by the
# body's action: (service type, route, why).  A service type None means
# nothing replaces it.  Read from each controller in
# nova/api/openstack/compute/ of nova 31.3.1 to 34.0.0, and from
# api_version_request.py's history of 2.6, 2.36, 2.39, 2.43 and 2.44:
REPLACED_BY = {'compute': {
    # images.py and image_metadata.py call nova.image.glance.API (glance v2).
    'images': ('image', '/v2/images', "nova's /images proxied glance"),
    # networks.py, tenant_networks.py, floating_ips.py, security_groups.py
    # (through nova.network.security_group_api) call neutron; the pools of
    # floating_ip_pools.py are neutron's external networks
    # (neutron.API.get_floating_ip_pools lists router:external networks).
    'os-networks': ('network', '/v2.0/networks',
                    "nova's os-networks proxied neutron"),
    'os-tenant-networks': ('network', '/v2.0/networks',
                           "nova's os-tenant-networks proxied neutron"),
    'os-floating-ips': ('network', '/v2.0/floatingips',
                        "nova's os-floating-ips proxied neutron"),
    'os-floating-ip-pools': ('network', '/v2.0/networks?router:external=true',
                             "nova's pools are neutron's external networks"),
    'os-security-groups': ('network', '/v2.0/security-groups',
                           "nova's os-security-groups proxied neutron"),
    'os-security-group-rules': ('network', '/v2.0/security-group-rules',
                                "nova's os-security-group-rules proxied "
                                "neutron"),
    # volumes.py and snapshots.py (volumes.py's SnapshotController up to
    # nova 31) call nova.volume.cinder.API.
    'os-volumes': ('block-storage', '/v3/{project_id}/volumes',
                   "nova's os-volumes proxied cinder"),
    'os-snapshots': ('block-storage', '/v3/{project_id}/snapshots',
                     "nova's os-snapshots proxied cinder"),
    # baremetal_nodes.py reads ironic's nodes and ports through openstacksdk.
    'os-baremetal-nodes': ('baremetal', '/v1/nodes',
                           "nova's os-baremetal-nodes proxied ironic"),
    # 2.43 deprecated os-hosts; hosts.py reads the service records
    # (service_get_all) and compute nodes that those two list.
    'os-hosts': ('compute', '/os-services and /os-hypervisors',
                 'they list the hosts os-hosts listed'),
    # 2.44 deprecated os-virtual-interfaces and multinic.py's actions, which
    # call compute_api.add_fixed_ip/remove_fixed_ip (ports of the server);
    # floating IPs are neutron's (neutron.API.associate_floating_ip updates
    # the floating IP's port_id).
    'os-virtual-interfaces': ('compute', '/servers/{server_id}/os-interface',
                              "it lists the server's ports"),
    'addFixedIp': ('compute', 'POST /servers/{server_id}/os-interface',
                   'it attaches a port'),
    'removeFixedIp': ('compute',
                      'DELETE /servers/{server_id}/os-interface/{port_id}',
                      'it detaches a port'),
    'addFloatingIp': ('network', 'PUT /v2.0/floatingips/{floatingip_id}',
                      "with the server's port_id"),
    'removeFloatingIp': ('network', 'PUT /v2.0/floatingips/{floatingip_id}',
                         'with port_id null'),
    # 2.6 consolidated the remote consoles (remote_consoles.py).
    'os-getVNCConsole': ('compute', 'POST /servers/{server_id}/remote-consoles',
                         'from 2.6'),
    'os-getSPICEConsole': ('compute',
                           'POST /servers/{server_id}/remote-consoles',
                           'from 2.6'),
    'os-getSerialConsole': ('compute',
                            'POST /servers/{server_id}/remote-consoles',
                            'from 2.6'),
    # The _removal_reason of fping.py, cells.py, agents.py and
    # remote_consoles.py: what they served is gone with nova-network, cells
    # v1, the Xen and the Hyper-V drivers.
    'os-fping': (None, None, 'it only worked with nova-network'),
    'os-cells': (None, None, 'it only worked with cells v1'),
    'os-agents': (None, None, 'it only worked with the Xen driver'),
    'os-getRDPConsole': (None, None, 'it only worked with the Hyper-V driver'),
}}


def replacement(service, row):
    """``{service, route, why}`` of what replaces the route of ``row``
    (:data:`REPLACED_BY`); service None when nothing does; None when the
    map does not know the route."""
    known = REPLACED_BY.get(service, {})
    keys = [row['action']] if row['action'] else [
        s for s in reversed(row['path'].split('/')) if s and not _is_template(s)]
    for key in keys:
        if key in known:
            return dict(zip(('service', 'route', 'why'), known[key]))
    return None


def _is_template(segment):
    return segment.startswith('{') and segment.endswith('}')
