# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Fixtures the plugin tests share."""
from __future__ import annotations

import pytest
from openstack.config import loader

CLOUDS = """
clouds:
  lab:
    auth: {auth_url: http://127.0.0.1:5000/v3, username: admin, password: x,
           project_name: admin, user_domain_name: Default,
           project_domain_name: Default}
  prod:
    auth: {auth_url: http://127.0.0.1:5001/v3, username: admin, password: y,
           project_name: admin, user_domain_name: Default,
           project_domain_name: Default}
"""


@pytest.fixture(name='clouds_yaml')
def _clouds_yaml(tmp_path, monkeypatch):
    """A clouds.yaml with the clouds lab and prod, the only file a real
    openstacksdk config sees; no OS_* variable is set."""
    for var in ('OS_CLOUD', 'OS_CLIENT_CONFIG_FILE', 'OS_AUTH_URL',
                'OS_USERNAME', 'OS_PASSWORD', 'OS_CLOUD_NAME'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(loader, 'CONFIG_FILES', [str(tmp_path / 'none.yaml')])
    monkeypatch.setattr(loader, 'SECURE_FILES', [])
    monkeypatch.setattr(loader, 'VENDOR_FILES', [])
    path = tmp_path / 'clouds.yaml'
    path.write_text(CLOUDS)
    return path
