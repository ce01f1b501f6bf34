"""`arserve adapters ...`: data, train, eval and list for the adapter lifecycle."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from server.settings import Settings

if TYPE_CHECKING:
    # Imported inside the commands: keeps `arserve --help` fast.
    from adapters.evaluation.harness import EvalOptions
    from adapters.registry import Registry, RegistryEntry

MIN_CALIBRATION_ROWS = 100  # ten per label: fewer leaves the thresholds to chance

app = typer.Typer(
    help="Adapter lifecycle: data, training, evaluation, registry.", no_args_is_help=True
)


def _check_half(half: str | None) -> None:
    if half not in (None, "a", "b"):
        raise typer.BadParameter("--half is a or b")


def _registry(settings: Settings) -> Registry:
    from adapters.registry import Registry

    return Registry(settings.registry_dir)


def _verified(settings: Settings, ref: str) -> RegistryEntry:
    """The registry entry `ref` names, its weights' sha256 checked; exit 1 with the reason."""
    from adapters.registry import RegistryError

    try:
        return _registry(settings).resolve_verified(ref)
    except RegistryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc


def _base_model(settings: Settings) -> Path:
    from server.startup import base_model_folder, resolve_base_model

    return base_model_folder(resolve_base_model(settings))


@app.command("data")
def data(
    task: str,
    n: Annotated[int | None, typer.Option(help="Examples to generate before dedup/split.")] = None,
    seed: Annotated[int | None, typer.Option()] = None,
    out: Annotated[
        Path | None, typer.Option(help="Data set folder (default adapters/datasets/TASK).")
    ] = None,
    extend: Annotated[
        bool, typer.Option(help="Append --n new rows from a new --seed to train.jsonl only.")
    ] = False,
    replay_extensions: Annotated[
        bool, typer.Option(help="After a rebuild, replay the extensions the old report lists.")
    ] = True,
) -> None:
    """Generate, PII-scrub, deduplicate and split the synthetic data set of TASK."""
    from adapters.data.build import BuildConfig, default_config
    from adapters.data.extend import extend as extend_train
    from adapters.data.extend import rebuild
    from server.retrieval_runtime import retrieval_config

    if extend and (n is None or seed is None):
        raise typer.BadParameter("--extend needs --n and a new --seed")
    cfg: BuildConfig = default_config(task)
    cfg.n = cfg.n if n is None else n
    cfg.seed = cfg.seed if seed is None else seed
    # contexts are budgeted in the tokens the server counts them in
    cfg.tokenizer_path = retrieval_config(Settings()).tokenizer_path
    try:
        if extend:
            result = asdict(extend_train(task, cfg.n, cfg.seed, out, cfg.tokenizer_path))
        else:
            report, extensions = rebuild(task, out, cfg, replay=replay_extensions)
            result = {**asdict(report), "extensions": [asdict(e) for e in extensions]}
    except (ValueError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(result, indent=2))


@app.command("train")
def train(
    task: str,
    config: Annotated[Path | None, typer.Option(help="Training config JSON.")] = None,
    name: Annotated[str | None, typer.Option(help="Registry name (default: the task).")] = None,
    data_dir: Annotated[Path | None, typer.Option()] = None,
    base_model: Annotated[str | None, typer.Option(help="HF folder of the base model.")] = None,
) -> None:
    """Fine-tune a LoRA adapter for TASK and write the next registry version."""
    from adapters.pii_check import PiiFoundError
    from adapters.training.config import TrainConfig
    from adapters.training.run import train_task

    settings = Settings(base_model=base_model) if base_model else Settings()
    cfg = TrainConfig.load(config) if config else TrainConfig.for_task(task)
    if cfg.task != task:
        raise typer.BadParameter(f"config is for task {cfg.task!r}, not {task!r}")
    try:
        folder = train_task(
            task, _base_model(settings), cfg, _registry(settings), data_dir, name, log=typer.echo
        )
    except (PiiFoundError, FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(str(folder))


@app.command("eval")
def evaluate(
    ref: Annotated[str, typer.Argument(help="NAME@VERSION from the registry.")],
    max_examples: Annotated[int | None, typer.Option()] = None,
    concurrency: Annotated[int, typer.Option()] = 16,
    half: Annotated[
        str | None, typer.Option(help="Only half a or b of the rows, split by their core.")
    ] = None,
    test_file: Annotated[
        Path | None,
        typer.Option(
            help="Default: the task's test.jsonl. An explicit file reports into "
            "eval/<file stem>/ and is recorded in manifest.json only with --record-as."
        ),
    ] = None,
    record_as: Annotated[
        str | None,
        typer.Option(help="With --test-file: record its metrics as PREFIX_<metric>."),
    ] = None,
    report_dir: Annotated[
        Path | None, typer.Option(help="Write the report here instead (implies --no-record).")
    ] = None,
    record: Annotated[bool, typer.Option(help="Write the results into manifest.json.")] = True,
    judge_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL.")] = None,
    judge_model: Annotated[str | None, typer.Option()] = None,
    judge_key_env: Annotated[
        str | None, typer.Option(help="Env var holding the judge key.")
    ] = None,
) -> None:
    """Run the held-out set through the real engine, adapter beside the base-model baseline."""
    from adapters.evaluation.harness import EvalOptions
    from adapters.evaluation.judge import JudgeConfig

    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    entry = _verified(settings, ref)
    judge = None
    if judge_url and judge_model:
        key = os.environ.get(judge_key_env) if judge_key_env else None
        judge = JudgeConfig(judge_url, judge_model, key)
    options = EvalOptions(concurrency=concurrency, max_examples=max_examples, judge=judge)
    _check_half(half)
    from adapters.evaluation.report import REPORT_DIR, check_record_as

    try:
        check_record_as(record_as, test_file is not None and not half and report_dir is None)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    # Only the task's own test set is the committed report the manifest points to.
    folder = entry.path / REPORT_DIR
    if report_dir is not None:
        folder = report_dir
    elif test_file is not None:
        folder = folder / test_file.stem
    if half is not None and report_dir is None:
        folder = folder / f"half-{half}"
    if folder != entry.path / REPORT_DIR:
        record = False
    args = (settings, entry, options, test_file, folder, record, half, record_as)
    typer.echo(asyncio.run(_run_eval(*args)))


async def _run_eval(
    settings: Settings,
    entry: RegistryEntry,
    options: EvalOptions,
    test_file: Path | None,
    folder: Path,
    record: bool,
    half: str | None = None,
    record_as: str | None = None,
) -> str:
    from adapters.data.build import DATA_ROOT
    from adapters.data.records import read_jsonl
    from adapters.evaluation.harness import evaluate
    from adapters.evaluation.report import record_in_manifest, record_prefixed, write_report

    test_path = test_file or DATA_ROOT / entry.manifest.task / "test.jsonl"
    from adapters.evaluation.calibration import in_half

    rows = [r for r in read_jsonl(test_path) if half is None or in_half(r, half)]
    from server.eval_runner import open_runner

    async with open_runner(settings, entry) as runner:
        model = runner.engine.model_name
        result = await evaluate(entry, runner, rows, options, test_path, model)
    _, md_path = write_report(result, folder)
    if record:
        record_in_manifest(entry, result)
    if record_as is not None:
        record_prefixed(entry, result, record_as)
    return md_path.read_text()


@app.command("calibrate")
def calibrate(
    ref: Annotated[str, typer.Argument(help="NAME@VERSION of a dispute-classifier entry.")],
    data: Annotated[Path | None, typer.Option(help="Default: the task's validation.jsonl.")] = None,
    skip: Annotated[
        int | None,
        typer.Option(help="Rows to leave out first. Default: those training validated on."),
    ] = None,
    target_precision: Annotated[
        float | None, typer.Option(help="Default: the dispute_review_precision setting.")
    ] = None,
    min_routed: Annotated[int, typer.Option(help="Fewest routed rows a threshold rests on.")] = 5,
    concurrency: Annotated[int, typer.Option()] = 16,
    half: Annotated[
        str | None, typer.Option(help="Only half a or b of the rows, split by their core.")
    ] = None,
    seen_cores: Annotated[
        bool, typer.Option(help="Calibrate even on rows whose cores training used.")
    ] = False,
) -> None:
    """Fit temperature scaling and per-label review thresholds; write calibration.json."""
    from adapters.data.build import DATA_ROOT
    from adapters.tasks import DISPUTE_CLASSIFIER
    from server.eval_runner import calibrate_entry, calibration_rows, open_runner

    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    entry = _verified(settings, ref)
    path = data or DATA_ROOT / DISPUTE_CLASSIFIER / "validation.jsonl"
    refusal = None
    if entry.manifest.task != DISPUTE_CLASSIFIER:
        refusal = f"{ref} is a {entry.manifest.task}; only classifiers calibrate"
    elif "handmade" in path.resolve().parts:
        refusal = "the hand-made check set is for reports only, never for fitting"
    if refusal:
        typer.echo(f"error: {refusal}", err=True)
        raise typer.Exit(1)
    if skip is None:
        skip = entry.manifest.training_data_size.get("validation", 0) if data is None else 0
    target = settings.dispute_review_precision if target_precision is None else target_precision
    _check_half(half)
    if not 0 < target <= 1:
        raise typer.BadParameter("--target-precision must be in (0, 1]")
    try:
        rows, fitted_on = calibration_rows(path, skip, half, MIN_CALIBRATION_ROWS, seen_cores)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc

    async def run() -> dict[str, object]:
        async with open_runner(settings, entry) as runner:
            return await calibrate_entry(
                runner, entry, rows, fitted_on, target, min_routed, concurrency
            )

    out = asyncio.run(run())
    typer.echo(json.dumps(out, indent=2))


LISTED = (  # the metrics `list` shows
    "macro_f1", "macro_f1_gain_over_baseline", "grounded_rate", "style_rate",
    "required_elements_rate", "handmade_macro_f1", "attribution_rate",
)  # fmt: skip


@app.command("list")
def list_adapters() -> None:
    """Registry entries with their task, rank, gate status and key metrics."""
    from adapters.gate import gate_reasons

    entries = _registry(Settings()).list()
    if not entries:
        typer.echo("the registry is empty")
        return
    for e in entries:
        m, reasons = e.manifest, gate_reasons(e.manifest)
        shown = ", ".join(f"{k}={v}" for k, v in m.evaluation.metrics.items() if k in LISTED)
        gate = "pass" if not reasons else "FAIL: " + "; ".join(reasons)
        typer.echo(
            f"{e.ref:28} task={m.task} rank={m.rank} created={m.created_at} gate={gate} {shown}"
        )
