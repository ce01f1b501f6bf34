"""`arserve data ...`: ingest, demo, erase and eval for the retrieval store (ingest and erase
also through a running server's records API with --url)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from retrieval.errors import RetrievalError
from server.settings import Settings

if TYPE_CHECKING:
    # Imported inside the commands: the store pulls in LlamaIndex, which `--help` does not need.
    from retrieval.store import RetrievalStore
    from server.data_client import DataClient
    from server.progress import Progress

T = TypeVar("T")
app = typer.Typer(help="Load, inspect and erase AR data in the retrieval store.")


def _open_store() -> RetrievalStore:
    from retrieval.store import RetrievalStore
    from server.retrieval_runtime import retrieval_config

    try:
        return RetrievalStore.open(retrieval_config(Settings()))
    except RetrievalError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _demo_dir(out: Path | None) -> Path:
    return out or Settings().demo_dir


UrlOpt = Annotated[
    str | None,
    typer.Option(
        help="A running arserve (e.g. http://127.0.0.1:8000): go through its records API, "
        "with the key's tenant, instead of opening the store."
    ),
]
KeyOpt = Annotated[
    str | None, typer.Option(envvar="ARSERVE_API_KEY", help="API key with the data scope.")
]


def _remote(url: str, api_key: str | None) -> DataClient:
    from server.data_client import DataClient

    return DataClient(url, api_key)


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="JSONL/CSV file or a folder of them.")],
    tenant: Annotated[str | None, typer.Option(help="Reject rows of any other tenant.")] = None,
    url: UrlOpt = None,
    api_key: KeyOpt = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per request (--url).")] = 500,
) -> None:
    """Validate and upsert records; bad rows are listed, good rows still land."""
    if url:
        _ingest_remote(path, url, api_key, batch_size)
        return
    from retrieval.ingest import ingest_path

    with _open_store() as store:
        report = _with_progress(
            path, "ingest", lambda bar: ingest_path(store, path, tenant, progress=bar.to)
        )
    w = report.written
    _summary(
        report.errors,
        f"{report.rows} rows from {len(report.files)} files in {report.seconds:.1f}s: "
        f"{w.inserted} inserted, {w.updated} updated, {w.unchanged} unchanged, "
        f"{w.stale} stale, {len(report.errors)} bad, "
        f"{report.suppressed} skipped (erased customers)",
    )


def _with_progress(path: Path, desc: str, run: Callable[[Progress], T]) -> T:
    """run(bar) with a progress bar over path's rows; a retrieval error exits 2."""
    from retrieval.ingest import count_rows
    from server.progress import Progress

    bar = Progress(count_rows(path) if path.exists() else None, desc)
    try:
        return run(bar)
    except RetrievalError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        bar.close()


def _summary(errors: Sequence[object], line: str) -> None:
    """Bad rows on stderr, the totals on stdout; exit 1 when a row was bad."""
    for err in errors:
        typer.echo(f"bad row {err}", err=True)
    typer.echo(line)
    if errors:
        raise typer.Exit(1)


def _ingest_remote(path: Path, url: str, api_key: str | None, batch_size: int) -> None:
    client = _remote(url, api_key)
    report = _with_progress(
        path, f"ingest via {url}", lambda bar: client.ingest(path, batch_size, bar.to)
    )
    c = report.counts
    _summary(
        report.errors,
        f"{report.num_rows} rows from {len(report.files)} files via {url}: {c['ok']} written, "
        f"{c['unchanged']} unchanged, {c['stale']} stale, {len(report.errors)} bad, "
        f"{c['suppressed']} skipped (erased customers)",
    )


@app.command()
def demo(
    scale: Annotated[int, typer.Option(min=1, help="x200 customers; 10 gives >100k chunks.")] = 1,
    out: Annotated[Path | None, typer.Option(help="Default: cache_dir/demo-data.")] = None,
    load: Annotated[bool, typer.Option(help="Also ingest it into the store.")] = False,
    seed: int = 7,
) -> None:
    """Generate the seeded demo dataset (3 tenants, 200 customers, 5,000 invoices per scale)."""
    from retrieval.bootstrap import write_demo

    folder = _demo_dir(out)
    counts = write_demo(folder, scale, seed)
    typer.echo(f"wrote {folder}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    if load:
        ingest(folder)


@app.command()
def erase(
    customer: Annotated[str, typer.Option(help="Customer id within the tenant.")],
    tenant: Annotated[str | None, typer.Option(help="Tenant id (without --url).")] = None,
    url: UrlOpt = None,
    api_key: KeyOpt = None,
) -> None:
    """Remove every record and point of one customer of one tenant, verified."""
    if url:
        try:
            out = _remote(url, api_key).erase(customer)
        except RetrievalError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(json.dumps(out, indent=1))
        return
    if not tenant:
        raise typer.BadParameter("--tenant is required without --url", param_hint="--tenant")
    from retrieval.erasure import erase_customer

    with _open_store() as store:
        try:
            report = erase_customer(store, tenant, customer)
        except RetrievalError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
    typer.echo(json.dumps(report.as_dict(), indent=1))


@app.command()
def unsuppress(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    customer: Annotated[str, typer.Option(help="Customer id within the tenant.")],
    reason: Annotated[str, typer.Option(help="Why it may exist again (no personal data).")],
    by: Annotated[str | None, typer.Option(help="Who decided; default: the OS user.")] = None,
) -> None:
    """Let an erased customer be ingested again (a lawful re-creation), in the erasure log."""
    import getpass

    from retrieval.erasure import unsuppress as release
    from server.retrieval_runtime import retrieval_config

    try:
        entry = release(
            retrieval_config(Settings()), tenant, customer, reason, by or getpass.getuser()
        )
    except RetrievalError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(entry, indent=1))


@app.command("eval")
def evaluate(
    queries: Annotated[Path | None, typer.Option(help="Labelled queries JSON.")] = None,
) -> None:
    """Print hit@1, hit@5, MRR and nDCG@10 for dense, sparse and hybrid retrieval."""
    from retrieval.bootstrap import QUERIES_FILE
    from retrieval.evaluation import HEADER, evaluate
    from retrieval.retriever import Retriever

    path = queries or _demo_dir(None) / QUERIES_FILE
    if not path.is_file():
        typer.echo(f"error: no query file at {path} (run `arserve data demo --load`)", err=True)
        raise typer.Exit(2)
    items = json.loads(path.read_text(encoding="utf-8"))
    with _open_store() as store:
        typer.echo(f"{len(items)} queries, {store.total_points()} points")
        typer.echo(HEADER)
        evaluate(Retriever(store), items, progress=typer.echo)
