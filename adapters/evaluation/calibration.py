"""Calibration of the classifier's label distribution: temperature scaling, expected
calibration error, per-label review thresholds and risk-coverage.

Pure functions on probabilities; no engine. `calibration.json` in a registry version's folder
holds what `arserve adapters calibrate` fitted, and serving applies it per request.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_FILE = "calibration.json"
ECE_BINS = 10
# Bounds of the temperature search; outside them the distribution is all or nothing.
T_MIN, T_MAX = 0.05, 20.0
SWEEP = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)


def _log_probs(probs: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.clip(probs, 0.0, 1.0))


def scaled(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T) row by row: T > 1 softens, T < 1 sharpens, zeros stay zero."""
    logits = _log_probs(probs) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return np.asarray(weights / weights.sum(axis=-1, keepdims=True))


def apply_temperature(probs: Mapping[str, float], temperature: float) -> dict[str, float]:
    """One distribution (label -> probability) rescaled by `temperature`."""
    labels = list(probs)
    out = scaled(np.array([[probs[k] for k in labels]], dtype=float), temperature)[0]
    return {k: float(p) for k, p in zip(labels, out, strict=True)}


def nll(probs: np.ndarray, gold: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood of the gold labels (indices) at `temperature`."""
    p = scaled(probs, temperature)[np.arange(len(gold)), gold]
    return float(-np.mean(np.log(np.maximum(p, 1e-300))))


def fit_temperature(probs: np.ndarray, gold: np.ndarray, iterations: int = 80) -> float:
    """The T minimising the NLL (golden-section search on log T; the NLL is convex in 1/T,
    hence unimodal in log T)."""
    if len(gold) == 0:
        raise ValueError("no rows to fit a temperature on")
    lo, hi = math.log(T_MIN), math.log(T_MAX)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(probs, gold, math.exp(a)), nll(probs, gold, math.exp(b))
    for _ in range(iterations):
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(probs, gold, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(probs, gold, math.exp(b))
    return math.exp((lo + hi) / 2)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS
) -> float:
    """Sum over equal-width confidence bins of |accuracy - mean confidence| x bin share."""
    conf, ok = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    if len(conf) == 0:
        return 0.0
    # bin b holds (b/bins, (b+1)/bins]; a confidence of 0 goes to the first bin
    index = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += abs(ok[mask].mean() - conf[mask].mean()) * mask.sum() / len(conf)
    return round(float(total), 4)


def review_thresholds(
    predicted: Sequence[str],
    confidences: Sequence[float],
    correct: Sequence[bool],
    labels: Sequence[str],
    target_precision: float,
    min_routed: int = 5,
) -> dict[str, float | None]:
    """Per predicted label, the lowest confidence at and above which the predictions of that
    label reach `target_precision` (at least `min_routed` of them); None: always review."""
    out: dict[str, float | None] = {}
    for label in labels:
        rows = zip(predicted, confidences, correct, strict=True)
        pairs = sorted(((c, ok) for p, c, ok in rows if p == label), key=lambda x: -x[0])
        best: float | None = None
        hits = 0
        for i, (conf, ok) in enumerate(pairs):
            hits += bool(ok)
            # ties: a threshold routes every prediction at that confidence
            if i + 1 < len(pairs) and pairs[i + 1][0] == conf:
                continue
            if i + 1 >= min_routed and hits / (i + 1) >= target_precision:
                best = float(conf)
        out[label] = best
    return out


def routed(label: str, confidence: float, thresholds: Mapping[str, float | None]) -> bool:
    """Auto-routed: the label has a threshold and the confidence reaches it."""
    t = thresholds.get(label)
    return t is not None and confidence >= t


def coverage_point(routed_mask: Sequence[bool], correct: Sequence[bool]) -> dict[str, Any]:
    """Share of rows routed automatically and the precision of those."""
    mask, ok = np.asarray(routed_mask, dtype=bool), np.asarray(correct, dtype=bool)
    n = int(mask.sum())
    return {
        "routed": n,
        "coverage": round(n / len(mask), 4) if len(mask) else 0.0,
        "precision": round(float(ok[mask].mean()), 4) if n else None,
    }


def risk_coverage(
    confidences: Sequence[float], correct: Sequence[bool], sweep: Sequence[float] = SWEEP
) -> list[dict[str, Any]]:
    """Coverage and precision when every label is routed at confidence >= t, per t."""
    conf = np.asarray(confidences, dtype=float)
    return [{"threshold": t, **coverage_point(list(conf >= t), correct)} for t in sweep]


def in_half(row: Mapping[str, Any], half: str) -> bool:
    """Half `a` or `b` of a split, by a stable hash of the row's `core` (the message a
    generated row was varied from; the id without one), so no core lands in both halves."""
    if half not in ("a", "b"):
        raise ValueError(f"half must be 'a' or 'b', not {half!r}")
    key = str(row.get("core") or row.get("id") or row.get("text", ""))
    even = hashlib.sha256(key.encode()).digest()[0] % 2 == 0
    return even == (half == "a")


def top(dist: Mapping[str, float]) -> tuple[str, float]:
    """The most probable label and its probability (the first of a tie, as serving ranks)."""
    label = max(dist, key=lambda k: dist[k])
    return label, dist[label]


def fit_calibration(
    distributions: Sequence[Mapping[str, float]],
    gold: Sequence[str],
    labels: Sequence[str],
    target_precision: float,
    min_routed: int = 5,
) -> dict[str, Any]:
    """Fit T on the rows, then the thresholds on the calibrated confidences; with the ECE and
    NLL before and after and the routed share and precision at the thresholds."""
    probs = np.array([[d.get(k, 0.0) for k in labels] for d in distributions], dtype=float)
    index = np.array([list(labels).index(g) for g in gold])
    # rounded first: the thresholds are picked on the confidences serving will compute
    temperature = round(fit_temperature(probs, index), 4)
    predicted = [labels[i] for i in probs.argmax(axis=1)]
    correct = [p == g for p, g in zip(predicted, gold, strict=True)]
    before = probs.max(axis=1)
    after = scaled(probs, temperature).max(axis=1)
    thresholds = review_thresholds(
        predicted, list(after), correct, labels, target_precision, min_routed
    )
    mask = [routed(p, float(c), thresholds) for p, c in zip(predicted, after, strict=True)]
    return {
        "temperature": temperature,
        "thresholds": thresholds,
        "ece_before": expected_calibration_error(list(before), correct),
        "ece_after": expected_calibration_error(list(after), correct),
        "nll_before": round(nll(probs, index, 1.0), 4),
        "nll_after": round(nll(probs, index, temperature), 4),
        "routed_at_thresholds": coverage_point(mask, correct),
    }


@dataclass
class Calibration:
    """What `calibration.json` holds: T, the review thresholds and how they were fitted."""

    adapter: str  # NAME@VERSION
    adapter_sha256: str
    temperature: float
    target_precision: float
    thresholds: dict[str, float | None]
    fitted_on: dict[str, Any]  # path, sha256, n, skipped (rows training used)
    ece_before: float
    ece_after: float
    nll_before: float
    nll_after: float
    routed_at_thresholds: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""

    def probabilities(self, raw: Mapping[str, float]) -> dict[str, float]:
        return apply_temperature(raw, self.temperature)

    def needs_review(self, label: str, confidence: float) -> bool:
        return not routed(label, confidence, self.thresholds)

    def write(self, folder: Path) -> Path:
        path = folder / CALIBRATION_FILE
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return path


def read_calibration(folder: Path) -> Calibration | None:
    """The folder's calibration, or None when it has none. Raises ValueError when malformed."""
    path = folder / CALIBRATION_FILE
    if not path.is_file():
        return None
    try:
        cal = Calibration(**json.loads(path.read_text()))
    except (TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name} is malformed: {exc}") from exc
    if not T_MIN <= cal.temperature <= T_MAX:
        raise ValueError(f"{path.name}: temperature {cal.temperature} is out of range")
    return cal
