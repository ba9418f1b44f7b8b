"""PEP 517 build backend of kernel projects: ``build-backend = "tt_build.backend"``.

scikit-build-core's documented wrapping pattern: star-import its hooks, redefine only what
changes. Each redefined hook validates ``[tool.tt-build]``, writes the generated CMakeLists.txt
(zero-config projects have none), fills in tt-build's scikit-build-core settings
(:func:`tt_build.build.pep517.config_settings_for`) and delegates. No state is kept between
hooks. User errors (bad configuration, a kernel that does not parse) end the build with one
``ERROR:`` message, not a traceback. ``build_wheel`` returns the project's previous wheel when
no input of the build changed (:mod:`tt_build.build.wheel_reuse`).
"""

from __future__ import annotations

import scikit_build_core.build as _skbuild
from scikit_build_core.build import *  # noqa: F403

# No prepare_metadata_for_build_wheel: without it, frontends take the metadata from the wheel
# build_wheel returns (PEP 517). That hook would cost an extra interpreter + scikit-build-core
# start in every `pip install .`, a fifth of an isolated no-op rebuild that reuses its last wheel.
__all__ = [name for name in _skbuild.__all__ if name != "prepare_metadata_for_build_wheel"]
globals().pop("prepare_metadata_for_build_wheel", None)


def _cs(config_settings: dict | None, hook: str) -> dict:  # type: ignore[type-arg]
    from tt_build.build.pep517 import clean_errors, config_settings_for  # noqa: PLC0415

    with clean_errors():
        return config_settings_for(config_settings, hook=hook)


def build_wheel(wheel_directory: str, config_settings: dict | None = None,  # type: ignore[type-arg]
                metadata_directory: str | None = None) -> str:
    from tt_build.build.pep517 import build_lock, clean_errors, remember_wheel, reuse_wheel  # noqa: PLC0415

    with build_lock():  # one build of a project at a time, `tt-build build` included
        with clean_errors():
            reused, key = reuse_wheel(wheel_directory, config_settings)
        if reused is not None:
            return reused
        name = _skbuild.build_wheel(wheel_directory, _cs(config_settings, "wheel"), metadata_directory)
        remember_wheel(key, wheel_directory, name)
        return name


def build_editable(wheel_directory: str, config_settings: dict | None = None,  # type: ignore[type-arg]
                   metadata_directory: str | None = None) -> str:
    from tt_build.build.pep517 import build_lock  # noqa: PLC0415

    with build_lock():
        return _skbuild.build_editable(wheel_directory, _cs(config_settings, "editable"), metadata_directory)


def build_sdist(sdist_directory: str, config_settings: dict | None = None) -> str:  # type: ignore[type-arg]
    return _skbuild.build_sdist(sdist_directory, _cs(config_settings, "sdist"))


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:  # type: ignore[type-arg]
    return _skbuild.get_requires_for_build_wheel(_cs(config_settings, "requires"))


def get_requires_for_build_editable(config_settings: dict | None = None) -> list[str]:  # type: ignore[type-arg]
    return _skbuild.get_requires_for_build_editable(_cs(config_settings, "requires"))


def get_requires_for_build_sdist(config_settings: dict | None = None) -> list[str]:  # type: ignore[type-arg]
    return _skbuild.get_requires_for_build_sdist(_cs(config_settings, "requires"))


if hasattr(_skbuild, "prepare_metadata_for_build_editable"):

    def prepare_metadata_for_build_editable(metadata_directory: str,
                                            config_settings: dict | None = None) -> str:  # type: ignore[type-arg]
        return _skbuild.prepare_metadata_for_build_editable(metadata_directory, _cs(config_settings, "metadata"))
