"""The jinja2 environment over ``templates/`` (every generated text file comes from there)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2

from tt_build import __version__
from tt_build._resources import templates_dir

__all__ = ["cmake_quoted", "cmake_value_problem", "comment_text", "environment", "render"]

#: What no path or setting that reaches CMake may hold: CMake splits lists on ``;`` even inside a quoted
#: argument once the value is expanded unquoted; a line break or NUL ends the text; CMake turns ``\\``
#: into ``/`` in paths and reads ``"`` as a list separator in source paths; and it expands variable
#: references (``${…}``, ``$ENV{…}``, ``$CACHE{…}``) and generator expressions (``$<…>``) in source
#: file paths however they are quoted.
_CMAKE_FORBIDDEN = re.compile(r"[;\"\\\x00-\x1f\x7f]|\$(?:\{|<|[A-Za-z_]+\{)")


def cmake_value_problem(value: object) -> str | None:
    """What in ``value`` CMake cannot carry verbatim (None: nothing)."""
    m = _CMAKE_FORBIDDEN.search(str(value))
    if m is None:
        return None
    bad = m.group(0)
    if bad.startswith("$"):
        return f"{bad!r}, which CMake expands"
    return {";": "';'", '"': "a double quote", "\\": "a backslash", "\n": "a line break",
            "\r": "a carriage return", "\0": "a NUL character"}.get(bad, f"the control character {bad!r}")


def cmake_quoted(value: object) -> str:
    """``value`` as one CMake quoted argument, quotes included (``$`` escaped: no variable reference).
    A value CMake cannot carry verbatim (:func:`cmake_value_problem`) is a
    :class:`~tt_build.errors.ConfigError` naming the value, never a silently altered path."""
    from tt_build.errors import ConfigError  # noqa: PLC0415

    text = str(value)
    problem = cmake_value_problem(text)
    if problem is not None:
        msg = f"{text!r} contains {problem}: a CMake build cannot carry it in a path or setting; rename or move it"
        raise ConfigError(msg)
    return '"' + text.replace("$", "\\$") + '"'


def comment_text(value: object) -> str:
    """``value`` safe inside a ``#`` (CMake, Python) or ``//`` (C++) comment: every non-printable
    character (line breaks end a comment) and the backslash (a C++ line splice) written as ``<U+XXXX>``."""
    return "".join(ch if ch.isprintable() and ch != "\\" else f"<U+{ord(ch):04X}>" for ch in str(value))


@cache
def environment() -> jinja2.Environment:
    """StrictUndefined (a missing variable is an error, never an empty string), no autoescape."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - C++, CMake and Python sources, not HTML
    )
    env.filters["pyrepr"] = repr
    env.filters["tuple_repr"] = lambda xs: repr(tuple(xs))
    env.filters["cmake_quoted"] = cmake_quoted
    env.filters["comment"] = comment_text
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a path relative to ``templates/``) with ``version`` predefined."""
    return environment().get_template(template).render(version=__version__, **context)
