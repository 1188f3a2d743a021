"""The `okr` Typer application and what its commands share."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="okr",
    help="Constellation: OKRs that align instead of cascading, kept as files, coached and scored.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Findings and tables go to standard output; problems with the input go to standard error.
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
