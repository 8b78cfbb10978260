# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Which release a service's package version belongs to, and back.

:func:`release_of` ('nova', '34.0.0' -> '2026.2'), :func:`version_of` (the
other way) and :func:`service_of` (the map's name of a service or its PyPI
package), over the release map (``_release_data``).
"""

from __future__ import annotations

import re

from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
    release,
    series_label,
    series_list,
)


class UnknownVersion(ValueError):
    """A package version that belongs to no release of the map."""


def _canonical(name):
    # PyPI's name normalisation (PEP 503): openstack_placement is
    # openstack-placement.
    return re.sub(r'[-_.]+', '-', str(name).strip()).lower()


def _split_requirement(requirement):
    name, _sep, version = requirement.partition('==')
    return name.strip(), version.strip()


def service_of(name):
    """The map's service name ('placement') for a service or PyPI package
    name ('openstack-placement', 'openstack_placement')."""
    wanted = _canonical(name)
    known = []
    for entry in RELEASES.values():
        for service, requirement in entry['packages'].items():
            package = _canonical(_split_requirement(requirement)[0])
            if wanted in (service, package):
                return service
            known.append(service)
    raise ValueError('Unknown service or package %r. Known services: %s.'
                     % (name, ', '.join(sorted(set(known)))))


def version_of(service, series):
    """The version of ``service`` (or its package) pinned by ``series``:
    version_of('nova', '2026.2') -> '34.0.0'."""
    service = service_of(service)
    entry = release(series)
    if service not in entry['packages']:
        raise ValueError('Release %s does not install %s.'
                         % (series_label(entry['series']), service))
    return _split_requirement(entry['packages'][service])[1]


def _major(version):
    match = re.match(r'^\s*(\d+)(?:\.|\s*$)', str(version))
    if not match:
        raise ValueError('Invalid package version %r: expected a version '
                         'like "34.0.0".' % (version,))
    return int(match.group(1))


def release_of(name, version=None):
    """The series a service's package version belongs to.

    ``release_of('nova', '34.0.0')`` and ``release_of('nova==34.0.0')`` give
    '2026.2'.  Every OpenStack release bumps each service's major version,
    so point releases the map does not pin (nova 33.0.1) belong to the
    series of their major (2026.1).  UnknownVersion for any other major.
    """
    if version is None:
        name, version = _split_requirement(str(name))
        if not version:
            raise ValueError('Give a version, or a requirement like '
                             '"nova==34.0.0" (got %r).' % (name,))
    service = service_of(name)
    major = _major(version)
    known = []
    for series in series_list():
        pinned = RELEASES[series]['packages'].get(service)
        if pinned is None:
            continue
        pinned_major = _major(_split_requirement(pinned)[1])
        if pinned_major == major:
            return series
        known.append('%d.x %s' % (pinned_major, series))
    raise UnknownVersion('%s %s belongs to no release of the map. Known: %s.'
                         % (service, version, ', '.join(known)))
