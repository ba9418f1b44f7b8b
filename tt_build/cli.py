"""The ``tt-build`` command.

Each subcommand lives in its own module under :mod:`tt_build.commands` and exposes
``register(subparsers)``; the module is imported only when the CLI starts, and the chosen
command's ``run(args) -> int`` is called. A :class:`~tt_build.errors.TTBuildError` is printed
as a clean ``error:`` message with exit code 1, never as a traceback; a closed output pipe
(``tt-build lower FILE | head``) ends the command quietly with status 141.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import TYPE_CHECKING

from tt_build import __version__
from tt_build.errors import TTBuildError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

# One module per subcommand (or group of subcommands). Missing modules are skipped so the
# CLI keeps working while a command is being developed on another branch.
_COMMAND_MODULES = (
    "tt_build.commands.lower",
    "tt_build.commands.check",
    "tt_build.commands.build",
    "tt_build.commands.new",
    "tt_build.commands.cache",
    "tt_build.commands.matrix",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tt-build", description="Build TileLang kernels for Tenstorrent devices.")
    parser.add_argument("--version", action="version", version=f"tt-build {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except TTBuildError as exc:
        print(exc.user_message(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`tt-build lower FILE | head`): stop quietly, as a pipeline expects.
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141  # 128 + SIGPIPE, what the shell reports for a command killed by it


if __name__ == "__main__":
    sys.exit(main())
