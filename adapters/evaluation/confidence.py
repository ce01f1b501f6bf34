"""The classifier's confidence on a held-out set: ECE before and after calibration, the
risk-coverage table (at the review thresholds and at a sweep), and accuracy per slice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.evaluation.calibration import (
    Calibration,
    coverage_point,
    expected_calibration_error,
    risk_coverage,
    top,
)
from adapters.prompts import Record

SLICE_FIELDS = ("hard", "language")


def slice_accuracy(rows: Sequence[Record], correct: Sequence[bool]) -> dict[str, Any]:
    """Accuracy per value of each slice field the rows carry (`hard`, `language`)."""
    out: dict[str, Any] = {}
    for name in SLICE_FIELDS:
        groups: dict[str, list[bool]] = {}
        for row, ok in zip(rows, correct, strict=True):
            if name in row:
                groups.setdefault(str(row[name]).lower(), []).append(ok)
        if groups:
            out[name] = {
                value: {"n": len(oks), "accuracy": round(sum(oks) / len(oks), 4)}
                for value, oks in sorted(groups.items())
            }
    return out


def confidence_metrics(
    gold: Sequence[str],
    distributions: Sequence[Mapping[str, float]],
    calibration: Calibration | None,
) -> dict[str, Any]:
    """ECE of the raw (and calibrated) confidences and who would be routed automatically."""
    raw = [top(d) for d in distributions]
    correct = [label == g for (label, _), g in zip(raw, gold, strict=True)]
    out: dict[str, Any] = {
        "ece_before": expected_calibration_error([c for _, c in raw], correct),
        "calibration": None,
    }
    conf = [c for _, c in raw]
    if calibration is not None:
        calibrated = [top(calibration.probabilities(d)) for d in distributions]
        conf = [c for _, c in calibrated]
        mask = [not calibration.needs_review(lab, c) for lab, c in calibrated]
        out |= {
            "calibration": {
                "temperature": calibration.temperature,
                "target_precision": calibration.target_precision,
                "fitted_on": calibration.fitted_on,
            },
            "ece_after": expected_calibration_error(conf, correct),
            "at_thresholds": coverage_point(mask, correct),
        }
    out["sweep"] = risk_coverage(conf, correct)
    out["sweep_raw"] = risk_coverage([c for _, c in raw], correct)
    return out


def confidence_summary(metrics: Mapping[str, Any]) -> dict[str, float]:
    """The flat figures of `confidence_metrics` for the evaluation summary."""
    out = {"ece_before": float(metrics["ece_before"])}
    if "ece_after" in metrics:
        out["ece_after"] = float(metrics["ece_after"])
        point = metrics["at_thresholds"]
        out["routed_share"] = float(point["coverage"])
        if point["precision"] is not None:
            out["routed_precision"] = float(point["precision"])
    return out
