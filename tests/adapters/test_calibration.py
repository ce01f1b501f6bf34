"""Temperature scaling, ECE, review thresholds and risk-coverage on known numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from adapters.evaluation.calibration import (
    Calibration,
    apply_temperature,
    expected_calibration_error,
    fit_calibration,
    fit_temperature,
    in_half,
    read_calibration,
    review_thresholds,
    risk_coverage,
)
from adapters.evaluation.confidence import confidence_metrics, slice_accuracy


def _softmax(z: np.ndarray) -> np.ndarray:
    w = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(w / w.sum(axis=1, keepdims=True))


def _synthetic(true_t: float, n: int = 6000, k: int = 6, seed: int = 7) -> tuple[np.ndarray, ...]:
    """Reported probabilities softmax(z) of labels drawn from softmax(z / true_t)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 3.0, size=(n, k))
    reported, truth = _softmax(z), _softmax(z / true_t)
    gold = np.array([rng.choice(k, p=p) for p in truth])
    return reported, gold


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_a_known_temperature(true_t: float) -> None:
    reported, gold = _synthetic(true_t)
    assert fit_temperature(reported, gold) == pytest.approx(true_t, rel=0.08)


def test_apply_temperature_keeps_the_order_and_zeros() -> None:
    raw = {"a": 0.7, "b": 0.2, "c": 0.1, "d": 0.0}
    assert apply_temperature(raw, 1.0) == pytest.approx(raw)
    soft = apply_temperature(raw, 2.0)
    assert sum(soft.values()) == pytest.approx(1.0) and soft["d"] == 0.0
    assert soft["a"] == pytest.approx(0.7**0.5 / (0.7**0.5 + 0.2**0.5 + 0.1**0.5))
    assert apply_temperature(raw, 0.5)["a"] > 0.7 > soft["a"]


def test_expected_calibration_error() -> None:
    # bin (0.8, 0.9]: accuracy 0.5 at confidence 0.9; bin (0.5, 0.6]: 1.0 at 0.6
    conf, ok = [0.9, 0.9, 0.6, 0.6], [True, False, True, True]
    assert expected_calibration_error(conf, ok) == pytest.approx(0.5 * 0.4 + 0.5 * 0.4)
    assert expected_calibration_error([0.75] * 4, [True, True, True, False]) == 0.0
    assert expected_calibration_error([1.0, 0.0], [True, False]) == 0.0
    assert expected_calibration_error([], []) == 0.0


def test_review_thresholds_pick_the_lowest_confidence_reaching_the_target() -> None:
    conf = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.97]
    ok = [True, True, True, True, False, True, False]
    pred = ["a"] * 6 + ["b"]
    labels = ["a", "b", "c"]
    # a at >= 0.6: 5 of 6 right (0.83); at >= 0.8: 4 of 4
    assert review_thresholds(pred, conf, ok, labels, 0.8, min_routed=1) == {
        "a": 0.6,
        "b": None,
        "c": None,
    }
    assert review_thresholds(pred, conf, ok, labels, 0.9, min_routed=1)["a"] == 0.8
    assert review_thresholds(pred, conf, ok, labels, 0.9, min_routed=5)["a"] is None
    # a tie routes both rows at that confidence: 1 of 2 is not 0.9
    tie = review_thresholds(["a", "a"], [0.9, 0.9], [True, False], ["a"], 0.9, min_routed=1)
    assert tie == {"a": None}


def test_risk_coverage_and_routing_at_the_thresholds() -> None:
    table = risk_coverage([0.95, 0.85, 0.55], [True, False, True], sweep=(0.5, 0.9, 0.99))
    assert table == [
        {"threshold": 0.5, "routed": 3, "coverage": 1.0, "precision": 0.6667},
        {"threshold": 0.9, "routed": 1, "coverage": 0.3333, "precision": 1.0},
        {"threshold": 0.99, "routed": 0, "coverage": 0.0, "precision": None},
    ]
    cal = Calibration("x@1", "sha", 1.0, 0.9, {"a": 0.8, "b": None}, {}, 0, 0, 0, 0)
    assert not cal.needs_review("a", 0.8) and cal.needs_review("a", 0.79)
    assert cal.needs_review("b", 1.0) and cal.needs_review("zzz", 1.0)
    dists = [{"a": 0.9, "b": 0.1}, {"a": 0.85, "b": 0.15}, {"a": 0.4, "b": 0.6}]
    out = confidence_metrics(["a", "b", "b"], dists, cal)
    assert out["at_thresholds"] == {"routed": 2, "coverage": 0.6667, "precision": 0.5}
    assert out["ece_before"] == out["ece_after"]  # T = 1 changes nothing


def test_fitted_calibration_lowers_the_error_of_an_overconfident_model(tmp_path: Path) -> None:
    reported, gold = _synthetic(2.5, n=3000)
    labels = [f"l{i}" for i in range(reported.shape[1])]
    dists = [dict(zip(labels, row, strict=True)) for row in reported]
    fit = fit_calibration(dists, [labels[g] for g in gold], labels, 0.9)
    assert fit["temperature"] == pytest.approx(2.5, rel=0.1)
    assert fit["ece_after"] < fit["ece_before"] / 3 and fit["nll_after"] < fit["nll_before"]
    point = fit["routed_at_thresholds"]
    assert point["precision"] >= 0.9 and point["routed"] > 20
    cal = Calibration("x@1", "sha", target_precision=0.9, fitted_on={}, **fit)
    cal.write(tmp_path)
    assert read_calibration(tmp_path) == cal
    assert read_calibration(tmp_path / "none") is None
    (tmp_path / "calibration.json").write_text(json.dumps({"temperature": 1.0}))
    with pytest.raises(ValueError, match="malformed"):
        read_calibration(tmp_path)


def test_slice_accuracy() -> None:
    rows = [{"hard": True, "language": "de"}, {"hard": False, "language": "en"}, {}]
    out = slice_accuracy(rows, [True, False, True])
    assert out == {
        "hard": {"false": {"n": 1, "accuracy": 0.0}, "true": {"n": 1, "accuracy": 1.0}},
        "language": {"de": {"n": 1, "accuracy": 1.0}, "en": {"n": 1, "accuracy": 0.0}},
    }
    assert slice_accuracy([{}], [True]) == {}


def test_halves_split_by_core() -> None:
    rows = [{"id": f"r{i}", "core": f"c#{i % 40}"} for i in range(400)]
    a = [r for r in rows if in_half(r, "a")]
    b = [r for r in rows if in_half(r, "b")]
    assert len(a) + len(b) == 400 and 100 < len(a) < 300
    assert not {r["core"] for r in a} & {r["core"] for r in b}
    with pytest.raises(ValueError):
        in_half(rows[0], "c")
