"""Error hierarchy of tt-build.

Every failure a user can cause is a :class:`TTBuildError`; the CLI and the build backend print
its message and exit non-zero instead of showing a Python traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CacheError",
    "ConfigError",
    "FrontendError",
    "PassError",
    "SourceLocation",
    "TTBuildError",
    "ToolError",
    "VerifyError",
]


_LOCATED = re.compile(r"^[^\n]+?:\d+(?::\d+)?: error(?: in pass \w+)?: ")


@dataclass(frozen=True)
class SourceLocation:
    """A position in a kernel source file (1-based line, 1-based column)."""

    file: str
    line: int
    col: int
    source_line: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class TTBuildError(Exception):
    """Base class of every error tt-build reports to its user."""

    def user_message(self) -> str:
        """The text shown to the user: ``error: ...``, unless the message is already a located
        diagnostic (``file:line[:col]: error: ...``) or starts with ``error``."""
        text = str(self)
        if text.startswith("error") or _LOCATED.match(text):
            return text
        return f"error: {text}"


class FrontendError(TTBuildError):
    """A kernel's source uses something the language does not support."""

    def __init__(self, msg: str, loc: SourceLocation | None = None, hint: str | None = None,
                 others: list[FrontendError] | None = None) -> None:
        self.msg = msg
        self.loc = loc
        self.hint = hint
        #: further independent errors of the same kernel (reported in the same run, after this one)
        self.others = list(others or [])
        super().__init__(self.format() + "".join("\n" + o.format() for o in self.others))

    def format(self) -> str:
        head = f"{self.loc}: error: {self.msg}" if self.loc else f"error: {self.msg}"
        lines = [head]
        if self.loc and self.loc.source_line:
            text = self.loc.source_line.rstrip("\n")
            lines.append(f"    {text}")
            lines.append("    " + " " * max(self.loc.col - 1, 0) + "^")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class PassError(TTBuildError):
    """A lowering pass could not handle its input (names the pass)."""

    def __init__(self, pass_name: str, msg: str, loc: SourceLocation | None = None, hint: str | None = None) -> None:
        self.pass_name = pass_name
        self.msg = msg
        self.loc = loc
        self.hint = hint
        where = f"{loc}: " if loc else ""
        lines = [f"{where}error in pass {pass_name}: {msg}"]
        if loc is not None and loc.source_line:  # the kernel's line with a caret under the column
            lines += ["    " + loc.source_line.rstrip("\n"), "    " + " " * max(loc.col - 1, 0) + "^"]
        if hint:
            lines.append(f"hint: {hint}")
        super().__init__("\n".join(lines))


class VerifyError(TTBuildError):
    """VerifyTTIR rejected the IR; names the pass that produced it."""

    def __init__(self, producer: str, problems: list[str]) -> None:
        self.producer = producer
        self.problems = problems
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"VerifyTTIR rejected the IR produced by {producer}:\n{body}")


class ConfigError(TTBuildError):
    """The project's [tool.tt-build] configuration is invalid."""


class CacheError(TTBuildError):
    """The lowering cache could not be read or written."""


class ToolError(TTBuildError):
    """An external command (compiler, cmake, ninja) failed."""

    def __init__(self, cmd: list[str], returncode: int, output: str = "") -> None:
        self.cmd = cmd
        self.returncode = returncode
        self.output = output
        indented = "\n".join("    " + line for line in output.rstrip().splitlines())
        msg = f"command failed with exit code {returncode}: {' '.join(cmd)}"
        if indented:
            msg += "\n" + indented
        super().__init__(msg)
