# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What the health judges read: their arguments checked, and what a
registered command said (its output, its JSON).

A wrong argument raises InputError with the sentence the filter's user
sees. module_utils may import nothing of ansible but ansible.module_utils
(ansible-test's import test), so each judge is decorated with
input_errors_as(AnsibleFilterError) in its filter file.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping


class InputError(ValueError):
    """An argument a judge cannot read; its filter raises it as AnsibleFilterError."""


def input_errors_as(error):
    """A decorator: the filter, raising the ValueError of its input (an
    InputError, or a module_utils helper's refusal) as error, with its message."""
    def decorator(judge):
        @functools.wraps(judge)
        def wrapper(*args, **kwargs):
            try:
                return judge(*args, **kwargs)
            except ValueError as e:
                raise error(str(e)) from None
        return wrapper
    return decorator


def expect(filter_name, name, value, expected, ok):
    """value, where ok; else the error that filter_name expects name as expected."""
    if not ok:
        raise InputError('%s expects %s as %s, got %r.' % (filter_name, name, expected, value))
    return value


def whole_number(filter_name, name, value):
    """An int, or the text of one (what the role's argument spec lets through)."""
    expect(filter_name, name, value, 'a whole number', isinstance(value, (int, str)) and not isinstance(value, bool))
    try:
        return int(value)
    except ValueError:
        raise InputError('%s expects %s as a whole number, got %r.' % (filter_name, name, value)) from None


def strings(filter_name, name, value):
    return expect(filter_name, name, value, 'a list of strings',
                  isinstance(value, list) and all(isinstance(item, str) for item in value))


def command_result(filter_name, name, value):
    return expect(filter_name, name, value, 'the registered result of a command (with rc)',
                  isinstance(value, Mapping) and isinstance(value.get('rc'), int))


def _truncate(text, length=300, leeway=5):
    """As Jinja's truncate filter: a text over length + leeway is cut at a word, with '...'."""
    if len(text) <= length + leeway:
        return text
    return text[:length - 3].rsplit(' ', 1)[0] + '...'


def command_output(result):
    """What a failed command said, its error first, cut past 300 characters."""
    return _truncate(('%s' % (result.get('stderr') or result.get('stdout') or '',)).strip())


def json_output(filter_name, result, command, expected_type, expected):
    try:
        value = json.loads(result.get('stdout') or '')
    except ValueError:
        value = None
    expect(filter_name, 'the output of ' + command, result.get('stdout'), expected, isinstance(value, expected_type))
    return value
