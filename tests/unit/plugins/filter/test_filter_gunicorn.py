"""The gunicorn_listeners filter."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.gunicorn import gunicorn_listeners


@pytest.mark.parametrize('version, workers, listeners', [
    ('23.0.0', 2, 1),  # 2025.1 and 2025.2: the master's listener, shared
    ('22.0.0', 4, 1),
    ('24.0.0', 2, 2),  # from 24.0: one per worker
    ('25.2.0', 3, 3),
    ('26.0.0', '2', 2),
    ('27.0.1\n', 1, 1),
])
def test_listeners_per_version(version, workers, listeners):
    assert gunicorn_listeners(version, workers) == listeners


@pytest.mark.parametrize('version, workers, message', [
    ('', 2, "gunicorn's version"),
    ('latest', 2, "gunicorn's version"),
    ('25.2.0', 'two', 'whole number of workers'),
    ('25.2.0', 0, '1 worker or more'),
])
def test_bad_input_says_what_is_wrong(version, workers, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gunicorn_listeners(version, workers)
