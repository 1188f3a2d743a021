"""`okr`: each command's module is imported when the command is looked up, and the table that
says which module registers which command stays true."""

from __future__ import annotations

import typer.main
from typer.testing import CliRunner

from constellation.cli.app import COMMAND_MODULES, app

runner = CliRunner()


def test_every_command_is_listed_with_the_module_that_registers_it() -> None:
    group = typer.main.get_command(app)
    names = list(group.commands)  # type: ignore[attr-defined]  (imports every command module)
    assert names == list(COMMAND_MODULES)
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__.replace("_", "-")
        assert info.callback.__module__ == f"constellation.cli.{COMMAND_MODULES[name]}", name
    for sub in app.registered_groups:
        assert sub.typer_instance is not None and sub.name is not None
        modules = {
            c.callback.__module__ for c in sub.typer_instance.registered_commands if c.callback
        }
        assert modules == {f"constellation.cli.{COMMAND_MODULES[sub.name]}"}, sub.name


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert f" {name} " in result.stdout, name


def test_a_mistyped_command_is_answered_with_the_closest_one() -> None:
    result = runner.invoke(app, ["lnt"])
    assert result.exit_code == 2
    assert "Did you mean 'lint'?" in result.output
