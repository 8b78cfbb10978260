# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""nova imports a compute driver only as "nova.virt." + compute_driver, so
this alias installs as nova/virt/stackroll_lab.py and
``compute_driver = stackroll_lab.LabDriver`` finds the lab driver."""

from stackroll_lab_driver.driver import LabDriver  # noqa: F401
