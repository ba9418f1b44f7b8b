"""The jinja2 environment over ``templates/`` (every generated text file comes from there)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from tt_build import __version__
from tt_build._resources import templates_dir

__all__ = ["environment", "render"]


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
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a path relative to ``templates/``) with ``version`` predefined."""
    return environment().get_template(template).render(version=__version__, **context)
