#!/usr/bin/env python3
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Build a release's API route tables from the release's own code.

    api_routes.py RELEASE SERVICE=VENV... [--check]

      RELEASE   the series (2026.2) whose tables to write
      SERVICE   compute (VENV holds nova), placement (openstack-placement),
                identity (keystone), image (glance) or network (neutron)
      VENV      an installed service venv, as the lab builds and caches them
                (~/.cache/stackroll/venvs/<service>-<series>-*.tar.gz,
                extracted anywhere), or a directory holding the release's
                wheels unpacked in lib/python3.11/site-packages
      --check   write nothing; exit 1 when the committed tables of RELEASE
                differ from what its venvs give

Writes RELEASE's tables into plugins/module_utils/_api_routes_data.py, which
plugins/module_utils/_api_routes.py reads, and keeps the other releases'
tables there as they are.  That module holds every release: each row and
each extension alias once, with the releases that serve it, and each
release's packages, microversion bounds and the day its venvs were
installed.  Every row is one route a
service's router dispatches: method, path template (below the API's version
root), the action name of an action in the body (nova's POST .../action),
the lowest and highest microversion its handler serves (None for a service
without microversions), and whether it answers 410 Gone.  For network the
module holds the API extensions by alias instead (neutron's routes come
from the extensions it loads).

The sources are read with ``ast``, never imported: a venv's interpreter and
libraries need not run here, and a fixture tree with a few files is enough
to test this.  What is read:

- nova: nova/api/openstack/compute/routes.py (ROUTE_LIST and the
  functools.partial controller factories with their sub-controllers), each
  controller method's ``@wsgi.api_version(min, max)`` and
  ``@wsgi.removed`` (which answer 410), ``@wsgi.action(name)`` for the
  actions of the POST .../action routes, and the bounds in
  nova/api/openstack/api_version_request.py.  A method defined once per
  range under one name with ``@wsgi.Controller.api_version`` (nova's
  versioned dispatch, 2025.1 and older) serves the union of its ranges:
  one row per contiguous range.
- placement: placement/handler.py (ROUTE_DECLARATIONS), each handler's
  ``@microversion.version_handler(min, max)`` (a handler may be defined
  once per range) and placement/microversion.py (VERSIONS).
- keystone: the APIs keystone/server/flask/application.py registers
  (``__apis__``, each module's ``APIs``), their ``resources`` (collection
  and member paths) and ``resource_mapping`` (``construct_resource_map``
  with its url and alternate_urls), and the HTTP methods of each
  flask-restful Resource: one that only answers 405 is left out, one that
  only raises Gone answers 410, HEAD follows GET as werkzeug routes it.
- glance: glance/api/v2/router.py, each ``mapper.connect`` with its
  ``conditions={'method': [...]}``.
- neutron: the aliases of neutron/common/ovn/extensions.py's
  ML2_SUPPORTED_API_EXTENSIONS and ML2_SUPPORTED_API_EXTENSIONS_OVN_L3
  (constants of neutron_lib/api/definitions/*.py) that an extension in
  neutron/extensions/*.py declares.
"""

from __future__ import annotations

import argparse
import ast
import glob
import os
import re
import sys
import textwrap
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLUMNS = ('method', 'path', 'action', 'min', 'max', 'gone')
# pep8's, which the committed module keeps to.
LINE_LENGTH = 160


class SourceError(Exception):
    """The service's code is not laid out as this script expects."""


def site_packages(venv):
    """The site-packages directory of ``venv``."""
    found = sorted(glob.glob(os.path.join(venv, 'lib', 'python3*',
                                          'site-packages')))
    if not found:
        raise SourceError('%s holds no lib/python3*/site-packages' % venv)
    return found[-1]


def dist_info(site, distribution):
    """The dist-info directory of ``distribution`` in ``site``."""
    pattern = os.path.join(site, '%s-*.dist-info'
                           % distribution.replace('-', '_'))
    found = glob.glob(pattern)
    if len(found) != 1:
        raise SourceError('no single %s in %s' % (pattern, site))
    return found[0]


def package_version(site, distribution):
    """The installed version of ``distribution`` (from its dist-info)."""
    return os.path.basename(dist_info(site, distribution))[
        len(distribution) + 1:-len('.dist-info')]


def installed_on(site, distribution):
    """The day (UTC) ``distribution`` was installed in the venv: its
    dist-info's time, which the cached venv archives keep."""
    stamp = os.stat(dist_info(site, distribution)).st_mtime
    return time.strftime('%Y-%m-%d', time.gmtime(stamp))


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
        """The string ``node`` of ``module`` holds: a literal, a constant
        of this or an imported module (MAX_PROXY_API_SUPPORT_VERSION), or a
        sum of those."""
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
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            # neutron's quotasv2_detail: RESOURCE_NAME + '_' + ...
            return (self.string(module, node.left)
                    + self.string(module, node.right))
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


def raised_only(function):
    """The name of the exception ``function``'s body does nothing but
    raise (HTTPGone of ``raise exc.HTTPGone()``), or None."""
    statements = [s for s in function.body
                  if not (isinstance(s, ast.Expr)
                          and isinstance(s.value, ast.Constant))]
    if (len(statements) == 1 and isinstance(statements[0], ast.Raise)
            and statements[0].exc is not None):
        return decorator_name(statements[0].exc)
    return None


def raises_gone(function):
    """Whether ``function``'s body only raises HTTPGone (the removed APIs
    that carry no ``@wsgi.removed``, if any, still answer 410)."""
    return raised_only(function) == 'HTTPGone'


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
        # Every definition of each name, in order: nova's versioned
        # dispatch serves all of them (nova_ranges).
        self.methods = {}
        for function in node.body:
            if isinstance(function, ast.FunctionDef):
                self.methods.setdefault(function.name, []).append(function)
        # Bases other than wsgi.Controller and object hold methods too
        # (VolumesBootController extends ServersController).
        self.bases = [NovaController(tree, *tree.resolve(module, base))
                      for base in node.bases
                      if decorator_name(base) not in ('Controller', 'object')]

    def method(self, name):
        """(module, [FunctionDef...]) of method ``name``, found as getattr
        would: every definition of it in the class that has it, or None."""
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
        # The metaclass reads the class's namespace, where a name is bound
        # to its last definition, in the order of the first: the action
        # names the method, whose definitions nova then dispatches as any
        # method's (nova_ranges).
        for functions in self.methods.values():
            call = decorator_call(functions[-1], 'action')
            if call:
                actions[self.tree.string(self.module, call.args[0])] = (
                    self.module, functions)
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


def api_versions(tree, module, function, bounds):
    """(lowest, highest, dispatched) of each ``api_version`` decorator on
    ``function``, outermost first; a bound it leaves out is the service's
    (``bounds``).  ``dispatched`` is whether it is nova's versioned dispatch,
    ``@wsgi.Controller.api_version`` (2025.1 and older), rather than the
    plain wrapper ``@wsgi.api_version`` (2026.1 on)."""
    found = []
    for node in function.decorator_list:
        if not (isinstance(node, ast.Call)
                and decorator_name(node) == 'api_version'):
            continue
        low, high = bounds
        if node.args:
            low = tree.string(module, node.args[0])
        if len(node.args) > 1:
            high = tree.string(module, node.args[1])
        for item in node.keywords:
            if item.arg in ('min_ver', 'min_version'):
                low = tree.string(module, item.value)
            elif item.arg in ('max_ver', 'max_version'):
                high = tree.string(module, item.value)
        found.append((low, high, isinstance(node.func, ast.Attribute)
                      and decorator_name(node.func.value) == 'Controller'))
    return found


def is_gone(function):
    """Whether the definition ``function`` answers 410 Gone."""
    return (decorator_call(function, 'removed') is not None
            or raises_gone(function))


def nova_ranges(tree, found, bounds):
    """The (lowest, highest, gone) ranges that the definitions ``found``
    ((module, [FunctionDef...]), every one of a method's name in its class)
    serve, contiguous ones joined.

    ``@wsgi.Controller.api_version`` registers each definition it decorates
    under the method's name, and the controller answers that name with
    whichever registered definition the request's microversion matches: a
    method defined once per range (``def index`` for 2.1-2.56 and again,
    ``# noqa``, from 2.57) serves all of them, each of its decorators adding
    one range.  Without it (2026.1 on, ``@wsgi.api_version`` wraps the
    function and refuses other versions), Python keeps the last definition,
    and each of its decorators narrows its range."""
    module, functions = found
    dispatched = [(low, high, is_gone(function)) for function in functions
                  for low, high, dispatch in api_versions(tree, module,
                                                          function, bounds)
                  if dispatch]
    if not dispatched:
        function = functions[-1]
        wrappers = api_versions(tree, module, function, bounds) or [
            bounds + (False,)]
        # The bounds as the code states them: quota_sets' defaults says
        # '2.0', below the service's lowest, and the table keeps it.
        low = max((r[0] for r in wrappers), key=version_key)
        high = min((r[1] for r in wrappers), key=version_key)
        if version_key(low) > version_key(high):
            return []
        dispatched = [(low, high, is_gone(function))]
    ranges = []
    for gone in (False, True):
        ranges.extend(low_high + (gone,) for low_high in merge_ranges(
            [(low, high) for low, high, flag in dispatched if flag == gone]))
    return sorted(ranges, key=lambda r: version_key(r[0]))


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
                rows.extend((method, path, None) + served
                            for served in nova_ranges(tree, found, bounds))
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
                rows.extend((method, path, action) + served
                            for served in nova_ranges(tree, found, bounds))
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


# -- keystone ----------------------------------------------------------------

KEYSTONE_APPLICATION = 'keystone.server.flask.application'
# flask-restful dispatches these methods to a Resource's functions of the
# same name.
HTTP_METHODS = ('get', 'head', 'post', 'put', 'patch', 'delete')
# <string:user_id> in a flask rule, {user_id} in the table.
FLASK_VARIABLE = re.compile(r'<(?:[a-z]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>')


def flask_path(rule):
    return FLASK_VARIABLE.sub(r'{\1}', rule)


def class_attribute(tree, module, node, name):
    """The value node of class ``node``'s attribute ``name``, looked up
    through its keystone bases as Python would, or None."""
    for statement in node.body:
        if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name
                for t in statement.targets):
            return statement.value
        if isinstance(statement, ast.AnnAssign) and isinstance(
                statement.target, ast.Name) and statement.target.id == name:
            return statement.value
    for base_module, base in keystone_bases(tree, module, node):
        found = class_attribute(tree, base_module, base, name)
        if found is not None:
            return found
    return None


def class_string(tree, module, node, name, default=None):
    """The string class attribute ``name`` of ``node``, or ``default``
    when it is not set or None."""
    value = class_attribute(tree, module, node, name)
    if value is None or (isinstance(value, ast.Constant)
                         and value.value is None):
        return default
    return tree.string(module, value)


def keystone_bases(tree, module, node):
    """(module, ClassDef) of each base of ``node`` that keystone's api
    package defines (ks_flask.ResourceBase and flask_restful.Resource
    route no method)."""
    bases = []
    for base in node.bases:
        owner, name = tree.resolve(module, base)
        if owner.startswith('keystone.api'):
            bases.append((owner, tree.class_def(owner, name)))
    return bases


def resource_handlers(tree, module, name):
    """{HTTP method: FunctionDef} of the flask-restful Resource ``name``,
    its own over its bases' as getattr finds them."""
    node = tree.class_def(module, name)
    handlers = {}
    for base_module, base in reversed(keystone_bases(tree, module, node)):
        handlers.update(resource_handlers(tree, base_module, base.name))
    handlers.update((f.name.upper(), f) for f in node.body
                    if isinstance(f, ast.FunctionDef)
                    and f.name in HTTP_METHODS)
    return handlers


def refuses(function):
    """Whether ``function`` only answers 405 (keystone's special cases:
    GET of /users/{user_id}/password, the OAuth2 token's other methods)."""
    if raised_only(function) == 'MethodNotAllowed':
        return True
    statements = [s for s in function.body
                  if not (isinstance(s, ast.Expr)
                          and isinstance(s.value, ast.Constant))]
    return (len(statements) == 1 and isinstance(statements[0], ast.Expr)
            and decorator_name(statements[0].value) == '_method_not_allowed')


def accepts(function, path):
    """Whether ``function`` can be called with the variables of ``path`` as
    flask passes them, by keyword: a Resource mounted on a collection and
    a member path serves a method at the one whose ids it takes."""
    arguments = function.args
    names = [a.arg for a in arguments.args[1:] + arguments.kwonlyargs]
    positional = arguments.args[1:]
    required = [a.arg for a in positional[:len(positional)
                                          - len(arguments.defaults)]]
    required += [a.arg for a, default in zip(arguments.kwonlyargs,
                                             arguments.kw_defaults)
                 if default is None]
    variables = set(re.findall(r'{([^}]+)}', path))
    return set(required) <= variables and (
        arguments.kwarg is not None or variables <= set(names))


def resource_rows(tree, module, name, path):
    """The rows of the flask-restful Resource ``name`` mounted at ``path``:
    a method it refuses (405) is not a route, one that only raises Gone
    answers 410, and werkzeug answers HEAD with GET's handler where the
    Resource has no head."""
    handlers = resource_handlers(tree, module, name)
    if 'HEAD' not in handlers and 'GET' in handlers:
        handlers['HEAD'] = handlers['GET']
    return [(method, path, None, None, None,
             raised_only(function) == 'Gone')
            for method, function in handlers.items()
            if not refuses(function) and accepts(function, path)]


def keyword(call, name):
    """The value node of keyword argument ``name`` of ``call``, or None."""
    for item in call.keywords:
        if item.arg == name:
            return item.value
    return None


def keystone_api_rows(tree, module, api):
    """The rows of the keystone APIBase subclass ``api`` of ``module``:
    its ``resources`` (collection and member paths from collection_key
    and member_key) and ``resource_mapping`` (construct_resource_map)."""
    node = tree.class_def(module, api)
    prefix_node = class_attribute(tree, module, node, '_api_url_prefix')
    prefix = tree.string(module, prefix_node) if prefix_node else ''
    routes = []  # (path, resource module, resource class)
    resources = class_attribute(tree, module, node, 'resources')
    for element in (resources.elts if resources is not None else ()):
        owner, name = tree.resolve(module, element)
        resource = tree.class_def(owner, name)
        collection = class_string(tree, owner, resource, 'collection_key')
        member = class_string(tree, owner, resource, 'member_key')
        # APIBase._add_resources skips a resource whose keys are missing
        # or whose api_prefix is not the API's.
        if not collection or not member or class_string(
                tree, owner, resource, 'api_prefix', '') != prefix:
            continue
        member_id = class_string(tree, owner, resource,
                                 '_id_path_param_name_override',
                                 '%s_id' % member)
        routes.append(('/%s' % collection, owner, name))
        routes.append(('/%s/{%s}' % (collection, member_id), owner, name))
    mapping = class_attribute(tree, module, node, 'resource_mapping')
    for call in (mapping.elts if mapping is not None else ()):
        owner, name = tree.resolve(module, keyword(call, 'resource'))
        # construct_resource_map puts a slash before a url without one.
        urls = ['/' + tree.string(module, keyword(call, 'url')).lstrip('/')]
        alternates = keyword(call, 'alternate_urls')
        # APIBase._add_mapped_resources adds alternate URLs only to an API
        # without a prefix.
        if alternates is not None and not prefix \
                and isinstance(alternates, ast.List):
            for alternate in alternates.elts:
                for key, value in zip(alternate.keys, alternate.values):
                    if tree.string(module, key) == 'url':
                        urls.append(tree.string(module, value))
        routes.extend((flask_path(url), owner, name) for url in urls)
    rows = []
    for path, owner, name in routes:
        rows.extend(resource_rows(tree, owner, name, prefix + path))
    return rows


def blueprint_rows(tree, module):
    """The rows of the plain flask routes (``@blueprint.route(rule)``) of
    ``module``: keystone's discovery, / and /v3."""
    rows = []
    for node in tree.module(module).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        call = decorator_call(node, 'route')
        if call is None:
            continue
        methods = keyword(call, 'methods')
        names = ([tree.string(module, m) for m in methods.elts]
                 if methods is not None else ['GET'])
        if 'GET' in names:
            names.append('HEAD')
        path = flask_path(tree.string(module, call.args[0]))
        rows.extend((method, path, None, None, None, False)
                    for method in names)
    return rows


def keystone_rows(site):
    """((None, None): keystone has no microversions, rows) of the identity
    API of the keystone in ``site``: every flask-restful resource of the
    APIs keystone.server.flask.application registers.  Paths are below
    /v3, as the table's paths of other services are below their version
    root; the discovery routes / and /v3 are both '/' then."""
    tree = SourceTree(site)
    rows = []
    for element in tree.assignment(KEYSTONE_APPLICATION, '__apis__').elts:
        module, name = tree.resolve(KEYSTONE_APPLICATION, element)
        module = '%s.%s' % (module, name)  # a module: keystone.api.users
        apis = [tree.resolve(module, api)[1]
                for api in tree.assignment(module, 'APIs').elts]
        for api in apis:
            node = tree.class_def(module, api)
            if not node.bases:  # DiscoveryAPI: a plain flask blueprint
                rows.extend((method, re.sub(r'^/v3(?=/|$)', '', path) or '/',
                             None, None, None, False)
                            for method, path, *_ in blueprint_rows(tree,
                                                                   module))
                continue
            rows.extend(keystone_api_rows(tree, module, api))
    return (None, None), rows


# -- glance ------------------------------------------------------------------

GLANCE_ROUTER = 'glance.api.v2.router'


def glance_rows(site):
    """((None, None): glance has no microversions, its v2.x version
    documents name releases of one API, rows) of the image API of the
    glance in ``site``: each ``mapper.connect(path, ...,
    conditions={'method': [...]})`` of the v2 router.  The connects
    without conditions route every other method to the reject controller
    (405), and are not routes."""
    tree = SourceTree(site)
    router = tree.class_def(GLANCE_ROUTER, 'API')
    rows = []
    for node in ast.walk(router):
        if not (isinstance(node, ast.Call)
                and decorator_name(node) == 'connect'):
            continue
        conditions = keyword(node, 'conditions')
        if conditions is None:
            continue
        path = tree.string(GLANCE_ROUTER, node.args[0])
        if not isinstance(conditions, ast.Dict):
            raise SourceError('%s: the conditions of %s are not a dict '
                              'literal' % (GLANCE_ROUTER, path))
        for key, value in zip(conditions.keys, conditions.values):
            if tree.string(GLANCE_ROUTER, key) == 'method':
                rows.extend((tree.string(GLANCE_ROUTER, m), path, None,
                             None, None, False) for m in value.elts)
    return (None, None), rows


# -- neutron -----------------------------------------------------------------

NEUTRON_OVN_EXTENSIONS = 'neutron.common.ovn.extensions'
NEUTRON_EXTENSIONS = 'neutron.extensions'


def neutron_shipped_aliases(tree):
    """The aliases of the API extensions neutron itself ships: one per
    neutron/extensions/<name>.py, in the class <Name> that neutron's
    ExtensionManager loads, its alias from ``api_definition`` (a
    neutron_lib definition's ALIAS) or its ``get_alias``."""
    aliases = set()
    folder = os.path.join(tree.site, *NEUTRON_EXTENSIONS.split('.'))
    for path in sorted(glob.glob(os.path.join(folder, '*.py'))):
        name = os.path.basename(path)[:-3]
        if name.startswith('_'):
            continue
        module = '%s.%s' % (NEUTRON_EXTENSIONS, name)
        try:
            node = tree.class_def(module, name[0].upper() + name[1:])
        except SourceError:
            continue  # a helper module, not an extension
        definition = class_attribute(tree, module, node, 'api_definition')
        if definition is not None:
            owner = tree.imports(module)[definition.id] \
                if isinstance(definition, ast.Name) else None
            if owner is None:
                raise SourceError('%s: api_definition is not a module'
                                  % module)
            aliases.add(tree.string(owner, tree.assignment(owner, 'ALIAS')))
            continue
        for function in node.body:
            if isinstance(function, ast.FunctionDef) \
                    and function.name == 'get_alias':
                returned = [s for s in function.body
                            if isinstance(s, ast.Return)]
                aliases.add(tree.string(module, returned[0].value))
    return aliases


def neutron_extensions(site):
    """The API extensions, by alias, an ML2/OVN neutron in ``site`` can
    load: those the OVN mechanism driver lets the ML2 plugin serve
    (ML2_SUPPORTED_API_EXTENSIONS) and the OVN L3 plugin's
    (ML2_SUPPORTED_API_EXTENSIONS_OVN_L3), that neutron itself ships.
    Which of them a cloud loads also depends on its service_plugins and
    extension_drivers: an alias missing here is not loaded by any ML2/OVN
    cloud of the release, one present may still be off in a given cloud.
    The aliases of other projects' extensions (VPNaaS, BGP, FWaaS, TaaS),
    which the OVN driver's list also names, are not in this set."""
    tree = SourceTree(site)
    supported = set()
    for name in ('ML2_SUPPORTED_API_EXTENSIONS',
                 'ML2_SUPPORTED_API_EXTENSIONS_OVN_L3'):
        supported.update(
            tree.string(NEUTRON_OVN_EXTENSIONS, element)
            for element in tree.assignment(NEUTRON_OVN_EXTENSIONS,
                                           name).elts)
    return sorted(supported & neutron_shipped_aliases(tree))


# service type: (the distributions its source names, the function reading
# its routes: ((lowest, highest microversion), rows)).
ROUTE_SERVICES = {
    'compute': (('nova',), nova_rows),
    'identity': (('keystone',), keystone_rows),
    'image': (('glance',), glance_rows),
    'placement': (('openstack-placement',), placement_rows),
}
# service type: (the distributions, the function reading its extensions).
EXTENSION_SERVICES = {
    'network': (('neutron', 'neutron-lib'), neutron_extensions),
}
SERVICES = dict(ROUTE_SERVICES, **EXTENSION_SERVICES)


def row_key(row):
    method, path, action, low = row[:4]
    return (path, method, action or '', version_key(low) if low else (0, 0))


def row_order(row):
    """row_key, then the rest of the row: a total order, so that two rows
    of one route from the same microversion still sort the same way."""
    return row_key(row) + (repr(row[4:]),)


def route_tables(venvs):
    """({service: 'distribution version, ...'}, {service: (lowest,
    highest microversion)}, {service: sorted rows}, {service: sorted
    extension aliases}, the latest day a venv was installed) of ``venvs``
    ({service type: venv directory})."""
    sources, bounds, tables, extensions = {}, {}, {}, {}
    days = []
    for service in sorted(venvs):
        distributions, read = SERVICES[service]
        site = site_packages(venvs[service])
        sources[service] = ', '.join(
            '%s %s' % (name, package_version(site, name))
            for name in distributions)
        days.append(installed_on(site, distributions[0]))
        if service in EXTENSION_SERVICES:
            extensions[service] = read(site)
            continue
        bounds[service], rows = read(site)
        tables[service] = sorted(set(rows), key=row_order)
    return sources, bounds, tables, extensions, max(days)


# -- the committed module ---------------------------------------------------
#
# One module holds every release: each route row and each extension alias
# once, with the releases that serve it.  A row's highest microversion that
# is its release's highest is stored as LATEST, so that a route every
# release serves up to its own maximum is one row.

LATEST = 'latest'
DATA_PATH = os.path.join(REPO, 'plugins', 'module_utils',
                         '_api_routes_data.py')


def release_order(series):
    """'2026.2' -> (2026, 2), to sort releases oldest first."""
    return version_key(series)


def read_data(path=DATA_PATH):
    """{series: (sources, bounds, tables, extensions, installed)}, as
    :func:`route_tables` returns them, of the module at ``path`` (read with
    ``ast``, not imported); empty when there is none."""
    try:
        with open(path, encoding='utf-8') as handle:
            tree = ast.parse(handle.read(), path)
        data = {target.id: ast.literal_eval(node.value)
                for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets}
        return releases_of(data)
    except FileNotFoundError:
        return {}
    except (SyntaxError, ValueError, KeyError, IndexError) as exc:
        raise SourceError('%s is not a module this script writes: %r'
                          % (path, exc)) from None


def releases_of(data):
    """{series: :func:`route_tables`} of the module's variables ``data``."""
    releases = {}
    for series, installed in data['INSTALLED'].items():
        sources, bounds = data['SOURCES'][series], data['BOUNDS'][series]
        tables = {}
        for service, (_low, high) in bounds.items():
            tables[service] = sorted(
                (row[:4] + (high if row[4] == LATEST else row[4], row[5])
                 for row in data['ROUTES'].get(service, ())
                 if series in row[6]), key=row_order)
        extensions = {service: [alias for alias, serving in aliases
                                if series in serving]
                      for service, aliases in data['EXTENSIONS'].items()
                      if service in sources}
        releases[series] = (sources, bounds, tables, extensions, installed)
    return releases


def stored_rows(releases):
    """({service: [row + (releases,)]}, {service: [(alias, releases)]}):
    each distinct row and alias of ``releases`` once, sorted, with the
    releases, oldest first, that serve it."""
    routes, aliases = {}, {}
    for series in sorted(releases, key=release_order):
        _sources, bounds, tables, extensions, _installed = releases[series]
        for service, rows in tables.items():
            high = bounds[service][1]
            serving = routes.setdefault(service, {})
            for row in rows:
                top = LATEST if high is not None and row[4] == high else row[4]
                serving.setdefault(row[:4] + (top, row[5]), []).append(series)
        for service, names in extensions.items():
            serving = aliases.setdefault(service, {})
            for alias in names:
                serving.setdefault(alias, []).append(series)
    return ({service: [row + (tuple(rows[row]),)
                       for row in sorted(rows, key=row_order)]
             for service, rows in routes.items()},
            {service: [(alias, tuple(names[alias])) for alias in sorted(names)]
             for service, names in aliases.items()})


def render(releases):
    """The Python source of the module holding ``releases`` ({series:
    :func:`route_tables`})."""
    order = sorted(releases, key=release_order)
    routes, aliases = stored_rows(releases)
    named = ' and '.join([', '.join(order[:-1])] + order[-1:]) \
        if len(order) > 1 else ''.join(order)
    lines = [
        '# Copyright: Contributors to the stackroll.lifecycle project',
        '# Apache License 2.0 (see LICENSE)',
        '"""The API routes of releases %s, generated by' % named,
        'tools/api_routes.py from the service venvs the lab installed (or',
        'the same packages\' wheels unpacked), with these packages; do not',
        'edit.',
        '',
    ]
    for series in order:
        sources, _bounds, _tables, _extensions, installed = releases[series]
        lines.extend(textwrap.wrap(
            '%s (installed %s): %s' % (series, installed, ', '.join(
                sources[service] for service in sorted(sources))),
            width=79, initial_indent='- ', subsequent_indent='  ',
            break_on_hyphens=False))
    lines += [
        '',
        'Each route row and each extension alias is here once, with the',
        "releases that serve it.  A row's max %r is the highest" % LATEST,
        'microversion of the release (BOUNDS)."""',
        '',
    ]

    def per_release(comments, name, field):
        return (['# %s' % comment for comment in comments]
                + ['%s = {' % name]
                + ['    %r: %r,' % (series, releases[series][field])
                   for series in order] + ['}'])

    lines += per_release(["The day each release's venvs were installed."],
                         'INSTALLED', 4)
    lines += ["# The packages each release's tables were read from.",
              'SOURCES = {']
    for series in order:
        lines.append('    %r: {' % series)
        lines.extend('        %r: %r,' % item
                     for item in sorted(releases[series][0].items()))
        lines.append('    },')
    lines.append('}')
    lines += per_release(['The lowest and highest microversion of each '
                          'service (None: it has',
                          'no microversions).'], 'BOUNDS', 1)
    lines += ['COLUMNS = %r' % (COLUMNS + ('releases',),), 'ROUTES = {']
    for service in sorted(routes):
        lines.append('    %r: (' % service)
        for row in routes[service]:
            line = '        %r,' % (row,)
            if len(line) > LINE_LENGTH:  # the releases on a line of their own
                line = '        %s,\n         %r),' % (repr(row[:-1])[:-1],
                                                     row[-1])
            lines.append(line)
        lines.append('    ),')
    lines.append('}')
    lines.append('# The API extensions, by alias, an ML2/OVN deployment can '
                 'load.')
    lines.append('EXTENSIONS = {')
    for service in sorted(aliases):
        lines.append('    %r: (' % service)
        lines.extend('        %r,' % (item,) for item in aliases[service])
        lines.append('    ),')
    lines.append('}')
    return '\n'.join(lines) + '\n'


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
    parser.add_argument('--data', default=DATA_PATH, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        read = route_tables(dict(args.venvs))
        releases = read_data(args.data)
    except SourceError as exc:
        print('api_routes.py: %s' % exc, file=sys.stderr)
        return 2
    _sources, _bounds, tables, extensions, _installed = read
    if args.check:
        # The day the venvs were installed is provenance, not content: a
        # release's venvs installed on another day must check the same.
        same = releases.get(args.release, ())[:4] == read[:4]
        print('%s: release %s %s' % (args.data, args.release,
                                     'up to date' if same else 'differs'))
        return 0 if same else 1
    releases[args.release] = read
    with open(args.data, 'w', encoding='utf-8') as handle:
        handle.write(render(releases))
    counts = ['%s %d rows' % (service, len(rows))
              for service, rows in tables.items()]
    counts += ['%s %d extensions' % (service, len(aliases))
               for service, aliases in extensions.items()]
    print('%s: release %s, %s' % (args.data, args.release, ', '.join(counts)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
