"""Subcommands of the ``tt-build`` CLI; each module exposes ``register(subparsers)``."""
