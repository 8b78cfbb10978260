# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The control plane's settings in the inventory, judged before any change:
an odd number of controllers or a Galera arbitrator, and the load
balancer's virtual IP on the management network. The judgement is in
module_utils/_control_plane.py.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils._control_plane import (
    control_plane_problems as _control_plane_problems,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import input_errors_as


@input_errors_as(AnsibleFilterError)
def control_plane_problems(controllers, vip, management_network, host_addresses, arbitrator):
    """groups['controllers'] | control_plane_problems(vip=..., management_network=..., host_addresses=...,
    arbitrator=...) -> problems, [] if none."""
    return _control_plane_problems(controllers, vip, management_network, host_addresses, arbitrator)


class FilterModule:
    """stackroll.lifecycle's filters of the control plane's settings."""

    def filters(self):
        return {'control_plane_problems': control_plane_problems}
