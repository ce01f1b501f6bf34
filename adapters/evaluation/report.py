"""JSON and Markdown reports of an evaluation, and its summary in the manifest."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from adapters.evaluation.harness import EvalResult
from adapters.manifest import Evaluation
from adapters.registry import RegistryEntry
from adapters.tasks import DISPUTE_CLASSIFIER

REPORT_DIR = "eval"
# What --record-as accepts: the name before `_` in e.g. handmade_macro_f1.
PREFIX_RE = re.compile(r"[a-z]+(_[a-z]+)*")


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _side_by_side(metrics: dict[str, dict[str, Any]], keys: list[str]) -> list[str]:
    a, b = metrics["adapter"], metrics["baseline"]
    rows = ["| metric | adapter | base model + prompt | difference |", "|---|---|---|---|"]
    for k in keys:
        diff = (
            a[k] - b[k]
            if isinstance(a.get(k), int | float) and isinstance(b.get(k), int | float)
            else ""
        )
        rows.append(f"| {k} | {_fmt(a.get(k))} | {_fmt(b.get(k))} | {_fmt(diff)} |")
    return rows


def _classifier_md(metrics: dict[str, dict[str, Any]]) -> list[str]:
    out = _side_by_side(metrics, ["accuracy", "macro_f1", "invalid"])
    for system in ("adapter", "baseline"):
        m = metrics[system]
        out += [
            "",
            f"### Per label ({system})",
            "",
            "| label | precision | recall | f1 | support |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {lab} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |"
            for lab, s in m["per_label"].items()
        ]
        labels = list(m["per_label"])
        short = [lab[:6] for lab in labels] + ["inval"]
        out += [
            "",
            f"### Confusion matrix ({system}; rows gold, columns predicted)",
            "",
            "| gold \\ pred | " + " | ".join(short) + " |",
            "|---" * (len(short) + 1) + "|",
        ]
        for g in labels:
            row = m["confusion"][g]
            out.append(f"| {g} | " + " | ".join(str(row[p]) for p in [*labels, "<invalid>"]) + " |")
    return out


def _confidence_md(result: EvalResult) -> list[str]:
    """ECE, the risk-coverage table and accuracy per slice of the classifier."""
    out: list[str] = []
    conf = result.confidence
    if conf:
        cal = conf["calibration"]
        out += ["", "### Confidence (adapter)", "", f"- ECE (10 bins) raw: {conf['ece_before']}"]
        if cal:
            point = conf["at_thresholds"]
            out += [
                f"- calibration: T={cal['temperature']} fitted on {cal['fitted_on']['path']} "
                f"({cal['fitted_on']['n']} rows); ECE calibrated: {conf['ece_after']}",
                f"- at the review thresholds (target precision {cal['target_precision']}): "
                f"{point['routed']} routed automatically, share {_fmt(point['coverage'])}, "
                f"precision {_fmt(point['precision'])}",
            ]
        sweeps = [("calibrated", conf["sweep"])] if cal else []
        for kind, sweep in [*sweeps, ("raw", conf["sweep_raw"])]:
            out += ["", f"| {kind} confidence >= | routed | share | precision |"]
            out += ["|---|---|---|---|"]
            out += [
                f"| {p['threshold']} | {p['routed']} | {_fmt(p['coverage'])} "
                f"| {_fmt(p['precision'])} |"
                for p in sweep
            ]
    for name, groups in (result.slices or {}).items():
        out += ["", f"### Accuracy by {name} (adapter)", "", "| value | n | accuracy |"]
        out += ["|---|---|---|"]
        out += [f"| {v} | {g['n']} | {g['accuracy']:.3f} |" for v, g in groups.items()]
    return out


def _email_md(result: EvalResult) -> list[str]:
    keys = [
        "grounded_rate",
        "required_elements_rate",
        "length_ok_rate",
        "style_rate",
        "subject_rate",
        "greeting_rate",
        "sign_off_rate",
        "no_outside_data_rate",
        "mean_words",
    ]
    out = _side_by_side(result.metrics, keys)
    for system in ("adapter", "baseline"):
        judge = result.metrics[system].get("judge")
        if judge:
            out.append(
                f"\nJudge ({system}): mean {judge['mean_score']} over {judge['n']} drafts "
                f"({judge['model']})"
            )
    bad = [p for p in result.predictions if p["adapter"]["unsupported"]][:5]
    if bad:
        out += ["", "### Adapter drafts with unsupported facts (first 5)", ""]
        out += [
            f"- {p['id']} ({p['email_type']}): {', '.join(p['adapter']['unsupported'])}"
            for p in bad
        ]
    return out


def markdown(result: EvalResult) -> str:
    shots = "few-shot examples" if result.task == DISPUTE_CLASSIFIER else "one example"
    test_set = result.test_set
    head = [
        f"# Evaluation of {result.ref}",
        "",
        f"- task: `{result.task}`; held-out examples: {result.n}; engine: {result.engine_model}",
        f"- test set: {test_set.path if test_set else '?'} "
        f"(sha256 {test_set.sha256[:12] if test_set else '?'}...)",
        "- baseline: the base model with the best prompt we could write (instructions, "
        f"definitions, {shots})",
        f"- created: {result.created_at}; {result.seconds} s",
        "",
    ]
    if result.task == DISPUTE_CLASSIFIER:
        body = _classifier_md(result.metrics) + _confidence_md(result)
    else:
        body = _email_md(result)
    return "\n".join(head + body) + "\n"


def write_report(result: EvalResult, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    data = asdict(result)
    data["test_set"] = result.test_set.model_dump() if result.test_set else None
    preds = data.pop("predictions")
    json_path, md_path = folder / "report.json", folder / "report.md"
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    with (folder / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        for p in preds:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path


def record_in_manifest(entry: RegistryEntry, result: EvalResult) -> None:
    """Store the summary (what the deployment gate reads) in the entry's manifest.json."""
    m = entry.manifest
    old = m.evaluation
    # The runs recorded under a prefix (e.g. the hand-made set) stay: the weights did not change.
    prefixes = tuple(f"{p}_" for p in old.recorded_as)
    kept = {k: v for k, v in old.metrics.items() if prefixes and k.startswith(prefixes)}
    extra = {"recorded_as": old.recorded_as} if old.recorded_as else {}
    m.evaluation = Evaluation(
        metrics=kept | result.summary,
        n=result.n,
        test_set=result.test_set,
        report=f"{REPORT_DIR}/report.md",
        engine_model=result.engine_model,
        evaluated_at=result.created_at,
        **extra,
    )
    m.write(entry.path)


def check_prefix(prefix: str) -> str:
    """The prefix if it is lowercase letters and single underscores, else ValueError."""
    if prefix == "baseline":  # the main run's summary already has baseline_* keys
        raise ValueError("--record-as baseline would mix with the base model's metrics")
    if not PREFIX_RE.fullmatch(prefix):
        raise ValueError(
            f"invalid --record-as {prefix!r}: use lowercase letters and underscores, e.g. handmade"
        )
    return prefix


def check_record_as(prefix: str | None, one_whole_file: bool) -> None:
    """ValueError unless a --record-as run is valid: a valid prefix, on a whole --test-file."""
    if prefix is None:
        return
    if not one_whole_file:
        raise ValueError("--record-as needs --test-file, without --half or --report-dir")
    check_prefix(prefix)


def record_prefixed(entry: RegistryEntry, result: EvalResult, prefix: str) -> dict[str, float]:
    """Merge the summary as `<prefix>_<metric>` into the manifest's metrics (the main
    test-set metrics and test_set stay as they are); returns what was recorded."""
    check_prefix(prefix)
    m = entry.manifest
    recorded = {f"{prefix}_{k}": v for k, v in result.summary.items()}
    # A copy keeps which fields were recorded: an entry never run on its test set gets
    # only these, not a default test_set or report.
    evaluation = m.evaluation.model_copy(deep=True)
    old = {k for k in evaluation.metrics if k.startswith(f"{prefix}_")}
    evaluation.metrics = {k: v for k, v in evaluation.metrics.items() if k not in old} | recorded
    if result.test_set is not None:
        evaluation.recorded_as = evaluation.recorded_as | {prefix: result.test_set}
    m.evaluation = evaluation
    m.write(entry.path)
    return recorded
