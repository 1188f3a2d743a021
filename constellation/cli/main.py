"""Entry point of the `okr` command: imports every command module so it registers itself."""

from __future__ import annotations

from constellation.cli import (  # noqa: F401  (imported for their commands)
    account_commands,
    classify_command,
    demo_commands,
    file_commands,
    lint_command,
    report_command,
    rescore_command,
    score_command,
    server_commands,
    token_commands,
    worker_command,
)
from constellation.cli.app import app


def main() -> None:
    """Run the `okr` command."""
    app()


if __name__ == "__main__":
    main()
