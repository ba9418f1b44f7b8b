"""``tt-build cache info|clean``: inspect or empty a project's lowering cache."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("cache", help="show or clean the lowering cache",
                              description="The lowering cache is content-addressed and shared by `pip install .` "
                                          "and `tt-build build` ([tool.tt-build] cache-dir, $TT_BUILD_CACHE_DIR, "
                                          "default <project>/.tt-build/cache).")
    p.add_argument("action", choices=("info", "clean"))
    p.add_argument("project", nargs="?", default=".", help="project directory (default: .)")
    p.add_argument("--dir", default=None, help="cache directory (instead of the project's)")
    p.add_argument("--older-than", type=float, default=None, metavar="DAYS",
                   help="clean: only entries unused for this many days")
    p.set_defaults(run=run)


def _cache_dir(args: argparse.Namespace) -> Path:
    if args.dir:
        return Path(args.dir).resolve()
    from tt_build.build.cache import default_cache_dir  # noqa: PLC0415

    if (Path(args.project) / "pyproject.toml").is_file():
        from tt_build.project import Project  # noqa: PLC0415

        return Project.load(Path(args.project)).cache_dir
    return default_cache_dir(Path(args.project).resolve())


def run(args: argparse.Namespace) -> int:
    from tt_build.build.cache import LoweringCache  # noqa: PLC0415

    cache = LoweringCache(_cache_dir(args))
    if args.action == "info":
        info = cache.info()
        print(f"cache:         {info['root']}")
        print(f"entries:       {info['entries']} ({info['committed']} committed)")
        print(f"size:          {info['bytes'] / 1024:.1f} KiB")
        print(f"staging dirs:  {info['staging_dirs']} (left by interrupted builds; removed by clean)")
        sdk = cache.root / "sdk"
        if sdk.is_dir():
            print(f"staged SDKs:   {', '.join(sorted(p.name for p in sdk.iterdir() if p.is_dir()))}")
        return 0
    older = args.older_than * 86400 if args.older_than is not None else None
    removed = cache.clean(older_than=older)
    print(f"removed {removed} entr{'y' if removed == 1 else 'ies'} from {cache.root}")
    return 0
