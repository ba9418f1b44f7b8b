"""The jinja2 environment over ``templates/`` (every generated text file comes from there)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from tt_build import __version__
from tt_build._resources import templates_dir

__all__ = ["cmake_quoted", "comment_text", "environment", "render"]

#: Characters no generated CMake string may hold: CMake splits lists on ``;`` even inside a quoted
#: argument once the value is expanded unquoted, and a line break or NUL ends the text.
_CMAKE_FORBIDDEN = {";": "';'", "\n": "a line break", "\r": "a carriage return", "\0": "a NUL character"}


def cmake_quoted(value: object) -> str:
    """``value`` as one CMake quoted argument, quotes included: ``\\``, ``"`` and ``$`` escaped (no
    variable reference, no end of the argument). A value CMake cannot carry (``;``, a line break,
    NUL) is a :class:`~tt_build.errors.ConfigError` naming the value, never a silently altered path."""
    from tt_build.errors import ConfigError  # noqa: PLC0415

    text = str(value)
    for ch, what in _CMAKE_FORBIDDEN.items():
        if ch in text:
            msg = (f"{text!r} contains {what}, which a CMake build cannot carry in a path or setting; "
                   "rename or move it")
            raise ConfigError(msg)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


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
