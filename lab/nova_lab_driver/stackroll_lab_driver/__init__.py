# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""An honest fake nova compute driver for the stackroll lab."""
