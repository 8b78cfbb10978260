# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Documentation shared by every module that talks to a cloud.

The connection options themselves are openstack.cloud's, documented once in
its C(openstack.cloud.openstack) fragment; this one adds how the cloud is
chosen and the action group.
"""


class ModuleDocFragment:
    DOCUMENTATION = r'''
requirements:
  - python >= 3.9
  - openstacksdk >= 1.0.0
notes:
  - The cloud is chosen by the O(cloud) option, else by the E(OS_CLOUD)
    environment variable, else it is the only cloud in C(clouds.yaml).
  - C(clouds.yaml) is read from E(OS_CLIENT_CONFIG_FILE) when set (AWX's
    OpenStack credential sets only that variable), else from the standard
    paths (C(./clouds.yaml), C(~/.config/openstack/clouds.yaml),
    C(/etc/openstack/clouds.yaml)).
  - A cloud name that is not defined fails before anything is done, with
    the list of known clouds and the files searched.
attributes:
  action_group:
    description: Use C(group/stackroll.lifecycle.openstack) in
      C(module_defaults) to set the cloud options once.
    support: full
    membership:
      - stackroll.lifecycle.openstack
'''
