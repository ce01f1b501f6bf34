"""`arserve audit ...`: check the generation audit log's hash chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from server.settings import Settings

app = typer.Typer(help="The audit record of every generation.", no_args_is_help=True)


@app.command()
def verify(
    path: Annotated[
        Path | None, typer.Option(help="The log; default: audit_dir/audit.jsonl.")
    ] = None,
) -> None:
    """Check every record's hash and the chain: exit 0 when intact, 1 at the first bad line
    (edited, missing, reordered or bad JSON), 2 when the log cannot be read."""
    from server.audit.log import LOG_NAME
    from server.audit.verify import verify as verify_log

    target = path or Settings().resolved_audit_dir / LOG_NAME
    try:
        report = verify_log(target)
    except OSError as exc:
        typer.echo(f"error: cannot read {target}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(report.summary(target))
    if not report.ok:
        raise typer.Exit(1)
