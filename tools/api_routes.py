#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Build a release's API route tables from the release's own code.

    api_routes.py RELEASE SERVICE=VENV... [--check]

      RELEASE   the series (2026.2) whose table to write
      SERVICE   compute (VENV holds nova) or placement (openstack-placement)
      VENV      an installed service venv, as the lab builds and caches them
                (~/.cache/stackroll/venvs/<service>-<series>-*.tar.gz,
                extracted anywhere)
      --check   write nothing; exit 1 when the committed table differs

Writes plugins/module_utils/_api_routes_<series>.py, which
plugins/module_utils/_api_routes.py reads.  Every row is one route a
service's router dispatches: method, path template, the action name of an
action in the body (nova's POST .../action), the lowest and highest
microversion its handler serves, and whether it answers 410 Gone.

The sources are read with ``ast``, never imported: a venv's interpreter and
libraries need not run here, and a fixture tree with a few files is enough
to test this.  What is read:

- nova: nova/api/openstack/compute/routes.py (ROUTE_LIST and the
  functools.partial controller factories with their sub-controllers), each
  controller method's ``@wsgi.api_version(min, max)`` and
  ``@wsgi.removed`` (which answer 410), ``@wsgi.action(name)`` for the
  actions of the POST .../action routes, and the bounds in
  nova/api/openstack/api_version_request.py.
- placement: placement/handler.py (ROUTE_DECLARATIONS), each handler's
  ``@microversion.version_handler(min, max)`` (a handler may be defined
  once per range) and placement/microversion.py (VERSIONS).
"""

from __future__ import annotations

import argparse
import ast
import glob
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLUMNS = ('method', 'path', 'action', 'min', 'max', 'gone')


class SourceError(Exception):
    """The service's code is not laid out as this script expects."""


def site_packages(venv):
    """The site-packages directory of ``venv``."""
    found = sorted(glob.glob(os.path.join(venv, 'lib', 'python3*',
                                          'site-packages')))
    if not found:
        raise SourceError('%s holds no lib/python3*/site-packages' % venv)
    return found[-1]


def package_version(site, distribution):
    """The installed version of ``distribution`` (from its dist-info)."""
    pattern = os.path.join(site, '%s-*.dist-info'
                           % distribution.replace('-', '_'))
    found = glob.glob(pattern)
    if len(found) != 1:
        raise SourceError('no single %s in %s' % (pattern, site))
    return os.path.basename(found[0])[len(distribution) + 1:-len('.dist-info')]


class SourceTree:
    """The parsed modules of one site-packages, by dotted name."""

    def __init__(self, site):
        self.site = site
        self._modules = {}

    def module(self, name):
        """The ast of module ``name``."""
        if name not in self._modules:
            path = os.path.join(self.site, *name.split('.')) + '.py'
            try:
                with open(path, encoding='utf-8') as handle:
                    self._modules[name] = ast.parse(handle.read(), path)
            except OSError as exc:
                raise SourceError('cannot read %s: %s' % (path, exc)) from None
        return self._modules[name]

    def assignment(self, module, target):
        """The value node assigned to the module-level name ``target``."""
        for node in self.module(module).body:
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == target
                    for t in node.targets):
                return node.value
        raise SourceError('%s assigns no %s' % (module, target))

    def imports(self, module):
        """{local name: dotted name it stands for} of ``module``'s imports."""
        names = {}
        for node in self.module(module).body:
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    names[alias.asname or alias.name] = '%s.%s' % (
                        node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name] = alias.name
        return names

    def string(self, module, node):
        """The string ``node`` of ``module`` holds: a literal, or a constant
        of this or an imported module (MAX_PROXY_API_SUPPORT_VERSION)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            imported = self.imports(module).get(node.id)
            if imported:
                owner, name = imported.rsplit('.', 1)
                return self.string(owner, self.assignment(owner, name))
            return self.string(module, self.assignment(module, node.id))
        if isinstance(node, ast.Attribute) and isinstance(node.value,
                                                          ast.Name):
            owner = self.imports(module)[node.value.id]
            return self.string(owner, self.assignment(owner, node.attr))
        raise SourceError('%s: not a string: %s' % (module, ast.dump(node)))

    def resolve(self, module, node):
        """(module, name) that ``node`` (Name or module.Name) refers to."""
        if isinstance(node, ast.Attribute) and isinstance(node.value,
                                                          ast.Name):
            return self.imports(module)[node.value.id], node.attr
        if isinstance(node, ast.Name):
            imported = self.imports(module).get(node.id)
            if imported:
                return tuple(imported.rsplit('.', 1))
            return module, node.id
        raise SourceError('%s: cannot resolve %s' % (module, ast.dump(node)))

    def class_def(self, module, name):
        """The ClassDef ``name`` of ``module``."""
        for node in self.module(module).body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        raise SourceError('%s defines no class %s' % (module, name))

    def functions(self, module, name):
        """Every module-level definition of function ``name``, in order."""
        return [node for node in self.module(module).body
                if isinstance(node, ast.FunctionDef) and node.name == name]


def decorator_name(node):
    """The last name of a decorator: ``api_version`` of
    ``@wsgi.api_version('2.1')``, ``removed`` of ``@wsgi.removed(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def decorator_call(function, name):
    """The Call of the decorator ``name`` on ``function``, or None."""
    for node in function.decorator_list:
        if isinstance(node, ast.Call) and decorator_name(node) == name:
            return node
    return None


def raises_gone(function):
    """Whether ``function``'s body only raises HTTPGone (the removed APIs
    that carry no ``@wsgi.removed``, if any, still answer 410)."""
    statements = [s for s in function.body
                  if not (isinstance(s, ast.Expr)
                          and isinstance(s.value, ast.Constant))]
    return (len(statements) == 1 and isinstance(statements[0], ast.Raise)
            and statements[0].exc is not None
            and decorator_name(statements[0].exc) == 'HTTPGone')


def version_key(version):
    """'2.10' -> (2, 10)."""
    major, minor = version.split('.')
    return int(major), int(minor)


def merge_ranges(ranges):
    """Contiguous (min, max) ranges joined: a handler defined once for
    1.0-1.7 and once for 1.8-1.11 serves 1.0-1.11."""
    merged = []
    for low, high in sorted(ranges, key=lambda r: version_key(r[0])):
        if merged:
            last_major, last_minor = version_key(merged[-1][1])
            if version_key(low) <= (last_major, last_minor + 1):
                if version_key(high) > version_key(merged[-1][1]):
                    merged[-1] = (merged[-1][0], high)
                continue
        merged.append((low, high))
    return merged


# -- nova --------------------------------------------------------------------

NOVA_ROUTES = 'nova.api.openstack.compute.routes'
NOVA_VERSIONS = 'nova.api.openstack.api_version_request'


class NovaController:
    """A nova controller class: its methods and wsgi actions, with bases."""

    def __init__(self, tree, module, name):
        self.tree = tree
        self.module = module
        node = tree.class_def(module, name)
        self.methods = {f.name: f for f in node.body
                        if isinstance(f, ast.FunctionDef)}
        # Bases other than wsgi.Controller and object hold methods too
        # (VolumesBootController extends ServersController).
        self.bases = [NovaController(tree, *tree.resolve(module, base))
                      for base in node.bases
                      if decorator_name(base) not in ('Controller', 'object')]

    def method(self, name):
        """(module, FunctionDef) of method ``name``, found as getattr
        would, or None."""
        if name in self.methods:
            return self.module, self.methods[name]
        for base in self.bases:
            found = base.method(name)
            if found:
                return found
        return None

    def actions(self):
        """{action name: (module, FunctionDef)}, bases' first as nova's
        ControllerMetaclass collects them."""
        actions = {}
        for base in self.bases:
            actions.update(base.actions())
        for function in self.methods.values():
            call = decorator_call(function, 'action')
            if call:
                actions[self.tree.string(self.module, call.args[0])] = (
                    self.module, function)
        return actions


def nova_controllers(tree):
    """{factory name in routes.py: [main controller, sub-controllers...]}
    of the ``functools.partial(_create_controller, Main, [Subs])``."""
    factories = {}
    for node in tree.module(NOVA_ROUTES).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value,
                                                            ast.Call)
                and decorator_name(node.value) == 'partial'):
            continue
        _, main, subs = node.value.args
        classes = [main] + list(subs.elts)
        factories[node.targets[0].id] = [
            NovaController(tree, *tree.resolve(NOVA_ROUTES, c))
            for c in classes]
    return factories


def nova_row(tree, method, path, action, found, bounds):
    """The row of a controller method ``found`` (module, FunctionDef)."""
    module, function = found
    low, high = bounds
    call = decorator_call(function, 'api_version')
    if call:
        if call.args:
            low = tree.string(module, call.args[0])
        if len(call.args) > 1:
            high = tree.string(module, call.args[1])
    gone = (decorator_call(function, 'removed') is not None
            or raises_gone(function))
    return (method, path, action, low, high, gone)


def nova_rows(site):
    """((lowest, highest microversion), rows) of the compute API of the
    nova in ``site``."""
    tree = SourceTree(site)
    bounds = (tree.string(NOVA_VERSIONS,
                          tree.assignment(NOVA_VERSIONS, '_MIN_API_VERSION')),
              tree.string(NOVA_VERSIONS,
                          tree.assignment(NOVA_VERSIONS, '_MAX_API_VERSION')))
    factories = nova_controllers(tree)
    rows = []
    for entry in tree.assignment(NOVA_ROUTES, 'ROUTE_LIST').elts:
        path_node, methods = entry.elts
        path = tree.string(NOVA_ROUTES, path_node)
        if not isinstance(methods, ast.Dict):
            continue  # a redirection ('' to '/'), not a route
        for key, value in zip(methods.keys, methods.values):
            method = tree.string(NOVA_ROUTES, key)
            controllers = factories[value.elts[0].id]
            name = tree.string(NOVA_ROUTES, value.elts[1])
            found = controllers[0].method(name)
            if found:
                rows.append(nova_row(tree, method, path, None, found,
                                     bounds))
                continue
            if name != 'action':
                raise SourceError('%s %s: no method %s on %s'
                                  % (method, path, name, value.elts[0].id))
            # nova's Resource dispatches by the body's key; sub-controllers
            # registered later win, as in register_subcontroller_actions.
            actions = {}
            for controller in controllers:
                actions.update(controller.actions())
            for action, found in actions.items():
                rows.append(nova_row(tree, method, path, action, found,
                                     bounds))
    return bounds, rows


# -- placement ---------------------------------------------------------------

PLACEMENT_HANDLER = 'placement.handler'
PLACEMENT_VERSIONS = 'placement.microversion'


def placement_rows(site):
    """((lowest, highest microversion), rows) of the placement API in
    ``site``."""
    tree = SourceTree(site)
    versions = tree.assignment(PLACEMENT_VERSIONS, 'VERSIONS').elts
    lowest = tree.string(PLACEMENT_VERSIONS, versions[0])
    highest = tree.string(PLACEMENT_VERSIONS, versions[-1])
    declarations = tree.assignment(PLACEMENT_HANDLER, 'ROUTE_DECLARATIONS')
    rows = []
    for path_node, methods in zip(declarations.keys, declarations.values):
        path = tree.string(PLACEMENT_HANDLER, path_node)
        if path == '':
            continue  # the root without its slash, '/' is in the table
        for key, value in zip(methods.keys, methods.values):
            module, name = tree.resolve(PLACEMENT_HANDLER, value)
            functions = tree.functions(module, name)
            if not functions:
                raise SourceError('%s defines no %s' % (module, name))
            ranges = []
            for function in functions:
                call = decorator_call(function, 'version_handler')
                if call is None:
                    ranges.append((lowest, highest))
                    continue
                args = call.args
                ranges.append((tree.string(module, args[0]),
                               tree.string(module, args[1])
                               if len(args) > 1 else highest))
            for low, high in merge_ranges(ranges):
                rows.append((tree.string(PLACEMENT_HANDLER, key), path, None,
                             low, high, False))
    return (lowest, highest), rows


# service type: (distribution, the function reading its routes)
SERVICES = {
    'compute': ('nova', nova_rows),
    'placement': ('openstack-placement', placement_rows),
}


def route_tables(venvs):
    """({service: 'distribution version'}, {service: (lowest, highest
    microversion)}, {service: sorted rows}) of ``venvs`` ({service type:
    venv directory})."""
    sources, bounds, tables = {}, {}, {}
    for service in sorted(venvs):
        distribution, read_rows = SERVICES[service]
        site = site_packages(venvs[service])
        sources[service] = '%s %s' % (distribution,
                                      package_version(site, distribution))
        bounds[service], rows = read_rows(site)
        tables[service] = sorted(
            set(rows), key=lambda r: (r[1], r[0], r[2] or '', version_key(r[3])))
    return sources, bounds, tables


def render(series, sources, bounds, tables):
    """The Python source of the table module of release ``series``."""
    lines = [
        '# Copyright: Contributors to the stackroll.lifecycle project',
        '# Apache License 2.0 (see LICENSE)',
        '"""The API routes of release %s, generated by tools/api_routes.py'
        % series,
        'from %s; do not edit."""' % ', '.join(
            sources[service] for service in sorted(sources)),
        '',
        'SOURCES = %r' % (sources,),
        '# The lowest and highest microversion of each service.',
        'BOUNDS = %r' % (bounds,),
        'COLUMNS = %r' % (COLUMNS,),
        'ROUTES = {',
    ]
    for service in sorted(tables):
        lines.append('    %r: (' % service)
        lines.extend('        %r,' % (row,) for row in tables[service])
        lines.append('    ),')
    lines.append('}')
    return '\n'.join(lines) + '\n'


def table_path(series):
    """Where the table module of release ``series`` is committed."""
    return os.path.join(REPO, 'plugins', 'module_utils',
                        '_api_routes_%s.py' % series.replace('.', '_'))


def parse_venv(value):
    """'compute=/tmp/nova-2026.2' -> ('compute', '/tmp/nova-2026.2')."""
    service, sep, venv = value.partition('=')
    if not sep or service not in SERVICES:
        raise argparse.ArgumentTypeError(
            'expected SERVICE=VENV with SERVICE one of %s'
            % ', '.join(sorted(SERVICES)))
    return service, venv


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n', 2)[0])
    parser.add_argument('release')
    parser.add_argument('venvs', nargs='+', type=parse_venv,
                        metavar='SERVICE=VENV')
    parser.add_argument('--check', action='store_true')
    args = parser.parse_args(argv)
    try:
        sources, bounds, tables = route_tables(dict(args.venvs))
    except SourceError as exc:
        print('api_routes.py: %s' % exc, file=sys.stderr)
        return 2
    text = render(args.release, sources, bounds, tables)
    path = table_path(args.release)
    if args.check:
        try:
            with open(path, encoding='utf-8') as handle:
                same = handle.read() == text
        except FileNotFoundError:
            same = False
        print('%s: %s' % (path, 'up to date' if same else 'differs'))
        return 0 if same else 1
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    print('%s: %s' % (path, ', '.join('%s %d rows' % (service, len(rows))
                                      for service, rows in tables.items())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
