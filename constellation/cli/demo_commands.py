"""`okr demo` (a ready-made organisation to explore) and `okr serve` (the production server)."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from constellation.cli.app import EXIT_BAD_INPUT, app, console, err_console

DEFAULT_DEMO_DIR = Path.home() / ".constellation" / "demo"
_DEFAULT_ALLOWED = {"localhost", "127.0.0.1", "::1"}


def is_loopback(host: str) -> bool:
    """Whether a host name or address only answers on this machine."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _url(host: str, port: int) -> str:
    """The address to open in a browser for a bound host and port."""
    shown = "localhost" if host in {"0.0.0.0", "::", ""} else host.strip("[]")
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _bind(host: str, port: int) -> str:
    """Gunicorn's bind string (IPv6 addresses in brackets)."""
    name = host.strip("[]")
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def _check_port(host: str, port: int) -> None:
    """Exit 2 with a clear message when the address cannot be bound (in use, unknown host)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        _bad_input(f"cannot listen on host {host!r}: {error.strerror}")
    family, _, _, _, address = infos[0]
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as error:
        _bad_input(f"cannot listen on {host}:{port}: {error.strerror}; choose another --port")
    finally:
        probe.close()


def _bad_input(message: str) -> NoReturn:
    err_console.print(f"error: {message}")
    raise typer.Exit(EXIT_BAD_INPUT)


def _warn_allowed_hosts(host: str) -> None:
    """Django answers only to ALLOWED_HOSTS; say so when listening beyond the defaults."""
    if is_loopback(host) or os.environ.get("ALLOWED_HOSTS", "").strip():
        return
    err_console.print(
        "note: requests are answered only for the host names in ALLOWED_HOSTS "
        f"(default: {', '.join(sorted(_DEFAULT_ALLOWED))}); set ALLOWED_HOSTS to the name "
        "people use to reach this server."
    )


def run_gunicorn(host: str, port: int, *, workers: int, threads: int) -> None:
    """Serve the Django app with gunicorn in this process until Ctrl-C."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": _bind(host, port),
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "errorlog": "-",
                "loglevel": "warning",
                "graceful_timeout": 5,
                "proc_name": "okr",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from constellation.server.wsgi import application

            return application

    # Workers are forked from this process: they must not share its database connections.
    connections.close_all()
    _Server().run()


def _prepare(data_dir: Path | None, *, migrate: bool = True) -> None:
    """Point the server at its data directory, set up Django and migrate (or check that
    nothing is left to migrate), then open the periods that are due."""
    if data_dir is not None:
        os.environ["OKR_DATA_DIR"] = str(data_dir.expanduser().resolve())
    from constellation.cli.server_commands import (
        open_periods_and_rescore,
        require_migrated,
        setup_django,
    )

    try:
        setup_django() if migrate else require_migrated()
    except typer.Exit:
        raise
    except Exception as error:  # a database that cannot be reached or migrated
        _bad_input(f"cannot prepare the database: {type(error).__name__}: {error}")
    from django.conf import settings

    open_periods_and_rescore()
    # Whitenoise warns at every start when its static root is missing; it serves from finders.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]
NoWorkerOption = Annotated[
    bool,
    typer.Option(
        "--no-worker", help="Do not run a job worker in-process (run `okr worker` elsewhere)."
    ),
]


def serve_with_worker(host: str, port: int, *, workers: int, worker: bool) -> None:
    """Serve the web app, with one `okr worker` child process unless told not to."""
    from constellation.cli.worker_command import start_background_worker, stop_background_worker

    child = start_background_worker() if worker else None
    try:
        run_gunicorn(host, port, workers=workers, threads=2)
    finally:
        stop_background_worker(child)


DEFAULT_WORKERS = (os.cpu_count() or 1) * 2 + 1


@app.command("demo")
def demo(
    port: PortOption = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            file_okay=False,
            help="Where the demo's database lives (default: $OKR_DATA_DIR, else "
            "~/.constellation/demo, kept apart from real data).",
        ),
    ] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Build (or top up) the demo, do not serve it.")
    ] = False,
    no_worker: NoWorkerOption = False,
) -> None:
    """Build (or reuse) the demo organisation and serve it; log in as demo / demo."""
    if data_dir is None and not os.environ.get("OKR_DATA_DIR", "").strip():
        data_dir = DEFAULT_DEMO_DIR
    if not no_serve:
        _check_port(host, port)
        # Links in the demo's emails (reminders, alerts) point at this very server.
        os.environ.setdefault("SITE_URL", _url(host, port).rstrip("/"))
    _prepare(data_dir)
    from django.utils import timezone

    from constellation.server.demo import DEMO_PASSWORD, build_demo

    loopback = is_loopback(host)
    result = build_demo(timezone.localdate(), password=DEMO_PASSWORD if loopback else None)
    from constellation.server.okrs.actions import do_open_periods

    # Like every organisation, the demo's next quarter opens six weeks before it starts.
    do_open_periods(result.organization)
    if result.created:
        console.print(
            f"Built the demo organisation '{result.organization.slug}' ({result.period})."
        )
    else:
        console.print(
            f"Reusing the demo organisation '{result.organization.slug}' "
            f"({result.check_ins_added} new check-ins)."
        )
    url = _url(host, port)
    if loopback and no_serve:
        console.print("Serve it with `okr demo` and log in as demo / demo")
    elif loopback:
        console.print(f"Open {url} and log in as demo / demo")
    else:
        console.print(
            "The demo login is only offered on a loopback address (--host 127.0.0.1); "
            "here the demo people have no usable password."
        )
        _warn_allowed_hosts(host)
    if no_serve:
        return
    if loopback:
        from django.conf import settings

        # The login page lists the demo's people and roles to visitors on this machine.
        settings.DEMO_ORGANIZATION = result.organization.slug
    console.print(f"Serving on {url} (Ctrl-C to stop)")
    serve_with_worker(host, port, workers=2, worker=not no_worker)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "0.0.0.0",
    port: PortOption = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = (
        DEFAULT_WORKERS
    ),
    no_worker: NoWorkerOption = False,
    no_migrate: Annotated[
        bool,
        typer.Option(
            "--no-migrate",
            help="Do not migrate: refuse to start while migrations are pending (run "
            "`okr migrate` once before starting several servers).",
        ),
    ] = False,
) -> None:
    """Run the production server (gunicorn, static files by whitenoise) after migrating."""
    # A production server never shows Django's debug pages, whatever the environment says.
    os.environ["OKR_DEBUG"] = "0"
    _check_port(host, port)
    # Links in emails and the setup link point at this server unless SITE_URL says otherwise.
    os.environ.setdefault("SITE_URL", _url(host, port).rstrip("/"))
    _prepare(None, migrate=not no_migrate)
    _warn_allowed_hosts(host)
    from constellation.cli.server_commands import announce_setup_link

    announce_setup_link()
    console.print(f"Serving on {_url(host, port)} with {workers} workers (Ctrl-C to stop)")
    serve_with_worker(host, port, workers=workers, worker=not no_worker)
