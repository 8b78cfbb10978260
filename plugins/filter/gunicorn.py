# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""How many listeners a gunicorn of a given version opens on its port.

Documented in ``gunicorn_listeners.yml`` beside this file.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

# From gunicorn 24.0 on, with reuse_port, each worker binds a listener of
# its own as it starts; before, the workers share the master's one.
PER_WORKER_SINCE = (24, 0)


def gunicorn_listeners(version, workers):
    """'25.2.0' | gunicorn_listeners(2) -> 2; '23.0.0' | gunicorn_listeners(2) -> 1."""
    match = re.match(r'^\s*(\d+)\.(\d+)', str(version))
    if not match:
        raise AnsibleFilterError("gunicorn_listeners expects gunicorn's version, such as '25.2.0', got %r." % (version,))
    try:
        count = int(workers)
    except (TypeError, ValueError):
        raise AnsibleFilterError('gunicorn_listeners expects a whole number of workers, got %r.' % (workers,))
    if count < 1:
        raise AnsibleFilterError('gunicorn_listeners expects 1 worker or more, got %d.' % count)
    return count if (int(match.group(1)), int(match.group(2))) >= PER_WORKER_SINCE else 1


class FilterModule:
    """stackroll.lifecycle's gunicorn filters."""

    def filters(self):
        return {'gunicorn_listeners': gunicorn_listeners}
