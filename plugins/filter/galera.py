# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""How MariaDB's Galera cluster starts on the controllers: which node
bootstraps it when it runs nowhere, and in what order the others join it or
restart. The plan is made in module_utils/_galera.py.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils._galera import galera_bootstrap as _galera_bootstrap
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import input_errors_as


@input_errors_as(AnsibleFilterError)
def galera_bootstrap(states, controllers):
    """{host: state} | galera_bootstrap(groups['controllers']) -> the plan: problems, bootstrap, join, restart, ..."""
    return _galera_bootstrap(states, controllers)


class FilterModule:
    """stackroll.lifecycle's filters of MariaDB's Galera cluster."""

    def filters(self):
        return {'galera_bootstrap': galera_bootstrap}
