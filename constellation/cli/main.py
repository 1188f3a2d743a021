"""Entry point of the `okr` command. Each command's module is imported when the command is
looked up (see `constellation.cli.app`), so a command starts without loading the others."""

from __future__ import annotations

import sys

from constellation.cli.app import app


def main() -> None:
    """Run the `okr` command."""
    if sys.argv[1:] == ["classify"]:
        from constellation.cli.classify_command import classify_stdin_as_json

        sys.exit(classify_stdin_as_json())
    app()


if __name__ == "__main__":
    main()
