"""The `okr` Typer application and what its commands share.

Each command registers itself on `app` from its own module, and a command's module is imported
only when that command is looked up: `okr classify` starts without loading the server, the
coach or the OKR file formats. Listing the commands (`okr --help`, a mistyped name, or reading
the group's `commands`) imports every command module.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click import Command

# The module (under constellation.cli) that registers each command, in the order `okr --help`
# lists them. A command missing here still works: looking it up imports every module.
COMMAND_MODULES = {
    "lint": "lint_command",
    "import": "server_commands",
    "export": "server_commands",
    "migrate": "server_commands",
    "backup": "backup_commands",
    "restore": "backup_commands",
    "classify": "classify_command",
    "demo": "demo_commands",
    "serve": "demo_commands",
    "fmt": "file_commands",
    "new": "file_commands",
    "report": "report_command",
    "rescore": "rescore_command",
    "score": "score_command",
    "worker": "worker_command",
    "org": "account_commands",
    "user": "account_commands",
    "token": "token_commands",
    "webhook": "webhook_commands",
}


class _Commands(MutableMapping[str, "Command"]):
    """The group's commands, built from the command modules as they are needed: looking up one
    name imports its module alone; iterating imports them all."""

    def __init__(self, built: MutableMapping[str, Command]) -> None:
        self.built = dict(built)
        self.complete = False

    def _load(self, modules: list[str]) -> None:
        """Import `modules` and take the commands they registered on `app`."""
        for module in modules:
            importlib.import_module(f"constellation.cli.{module}")
        group = typer.main.get_command(app)  # a group, for `app` has a callback
        assert isinstance(group, TyperGroup) and isinstance(group.commands, _Commands)
        for name, command in group.commands.built.items():
            self.built.setdefault(name, command)

    def _load_all(self) -> None:
        if not self.complete:
            self._load(list(dict.fromkeys(COMMAND_MODULES.values())))
            self.complete = True

    def __getitem__(self, name: str) -> Command:
        if name not in self.built:
            module = COMMAND_MODULES.get(name)
            if module is not None:
                self._load([module])
            if name not in self.built:
                self._load_all()
        return self.built[name]

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        listed = [name for name in COMMAND_MODULES if name in self.built]
        return iter(listed + [name for name in self.built if name not in COMMAND_MODULES])

    def __len__(self) -> int:
        self._load_all()
        return len(self.built)

    def __setitem__(self, name: str, command: Command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]


class _LazyGroup(TyperGroup):
    """The `okr` group, whose commands are imported on demand (see `_Commands`)."""

    def __init__(self, *, commands: Any = None, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(commands or {})


def version() -> str:
    """The installed package's version ("0" when run from a tree that was never installed)."""
    from importlib import metadata

    try:
        return metadata.version("constellation-okr")
    except metadata.PackageNotFoundError:
        return "0"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"okr (constellation-okr) {version()}")
        raise typer.Exit()


def _group(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """The `okr` group's own option is `--version` (a callback also keeps it a group however
    few of its commands are loaded)."""


app = typer.Typer(
    name="okr",
    help="Constellation: OKRs that align instead of cascading, kept as files, coached and scored.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
    callback=_group,
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


def __getattr__(name: str) -> Console:
    """`console` and `err_console`, made when a command first takes them: findings and tables
    go to standard output, problems with the input to standard error. Rich takes a while to
    import, and `okr classify` writing JSON lines needs neither."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    made = Console(stderr=name == "err_console", highlight=False)
    globals()[name] = made
    return made
