# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The attributes of a module that only reads.

A module's own C(attributes) entry of the same name replaces the one here.
"""


class ModuleDocFragment:
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so has no diff.
    support: none
  idempotent:
    description: Changes nothing.
    support: full
'''
