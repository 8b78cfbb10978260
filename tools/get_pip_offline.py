# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Offline stand-in for the get-pip.py script ansible-test downloads.

ansible-test bootstraps pip in each of its venvs by running a get-pip.py
fetched from ci-files.testing.ansible.com, which this project cannot reach.
It looks for a cached copy at ~/.ansible/test/cache/get_pip_<version>.py
first; the Makefile puts this file there.  It does what get-pip does with
the same arguments: bring up pip (here from the interpreter's ensurepip),
then install the requested packages, which come from PyPI.
"""

import ensurepip
import os
import subprocess
import sys

# get-pip options that a plain "pip install" does not take.
_GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')


def main(argv):
    # ensurepip points PIP_CONFIG_FILE at /dev/null in our environment; the
    # install must see the machine's pip configuration (index, CA bundle).
    env = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    args = [a for a in argv if a not in _GET_PIP_ONLY]
    return subprocess.call([sys.executable, '-m', 'pip', 'install'] + args, env=env)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
