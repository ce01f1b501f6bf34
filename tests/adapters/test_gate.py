"""The per-task gate (schema 2), max_scores, and hand-made results recorded with a prefix."""

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.evaluation.harness import EvalResult
from adapters.evaluation.report import (
    check_prefix,
    check_record_as,
    record_in_manifest,
    record_prefixed,
)
from adapters.gate import GateError, check_gate, gate_reasons
from adapters.manifest import HeldOutSet, Manifest, read_manifest
from adapters.registry import Registry, RegistryEntry
from tests.adapters.conftest import REGISTRY

EMAIL_OK = {
    "attribution_rate": 0.97,
    "type_fit_rate": 0.96,
    "instruction_rate": 0.85,
    "no_disputed_dunned_rate": 1.0,
}
CLASSIFIER_OK = {"macro_f1": 0.83, "handmade_macro_f1": 0.6, "ece_before": 0.10}


def _manifest(task: str, metrics: dict[str, float], **fields: Any) -> Manifest:
    """A schema-2 manifest (the default now) of the task, with these evaluation metrics."""
    data = read_manifest(REGISTRY / task / "1").model_dump()
    data.pop("schema_version")
    data |= {"evaluation": {"metrics": metrics}, "min_scores": {}, **fields}
    return Manifest.model_validate(data)


def test_new_manifests_are_schema_2_and_files_without_the_key_schema_1(tmp_path: Path) -> None:
    m = _manifest("dispute-classifier", {})
    assert m.schema_version == 2 and m.max_scores == {}
    data = json.loads((REGISTRY / "dispute-classifier" / "1" / "manifest.json").read_text())
    data.pop("schema_version")
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    assert read_manifest(tmp_path).schema_version == 1


@pytest.mark.parametrize("metric", sorted(EMAIL_OK))
def test_email_drafter_gate_fails_on_each_metric(metric: str) -> None:
    assert gate_reasons(_manifest("ar-email-drafter", EMAIL_OK)) == []
    low = _manifest("ar-email-drafter", EMAIL_OK | {metric: 0.5})
    (reason,) = gate_reasons(low)
    assert reason.startswith(f"{metric} 0.5000 is below the minimum ")
    missing = _manifest("ar-email-drafter", {k: v for k, v in EMAIL_OK.items() if k != metric})
    assert gate_reasons(missing) == [
        f"no evaluation result for {metric} (run arserve adapters eval ar-email-drafter@1)"
    ]
    with pytest.raises(GateError, match=metric):
        check_gate(low)


def test_classifier_gate_handmade_f1_and_ece() -> None:
    assert check_gate(_manifest("dispute-classifier", CLASSIFIER_OK)).passed
    low = _manifest("dispute-classifier", CLASSIFIER_OK | {"handmade_macro_f1": 0.5})
    assert gate_reasons(low) == ["handmade_macro_f1 0.5000 is below the minimum 0.5500"]
    high = _manifest("dispute-classifier", CLASSIFIER_OK | {"ece_before": 0.21})
    assert gate_reasons(high) == ["ece 0.2100 is above the maximum 0.1500"]
    # calibrated: the server routes with the calibrated confidence, so that ECE is gated
    calibrated = CLASSIFIER_OK | {"ece_before": 0.21, "ece_after": 0.03}
    assert gate_reasons(_manifest("dispute-classifier", calibrated)) == []
    bad_after = CLASSIFIER_OK | {"ece_before": 0.05, "ece_after": 0.16}
    assert gate_reasons(_manifest("dispute-classifier", bad_after)) == [
        "ece 0.1600 is above the maximum 0.1500"
    ]
    no_ece = {k: v for k, v in CLASSIFIER_OK.items() if k != "ece_before"}
    assert (
        "no evaluation result for ece" in gate_reasons(_manifest("dispute-classifier", no_ece))[0]
    )


def test_schema_1_is_judged_by_its_own_min_scores_only() -> None:
    old = _manifest("dispute-classifier", {"macro_f1": 0.83}, schema_version=1)
    old.min_scores = {"macro_f1": 0.8}
    assert gate_reasons(old) == []
    old.schema_version = 2
    assert "handmade_macro_f1" in " ".join(gate_reasons(old))


def test_committed_entries_pass_as_before() -> None:
    registry = Registry(REGISTRY)
    for ref in ("ar-email-drafter@6", "dispute-classifier@4"):
        m = registry.resolve(ref).manifest
        assert m.schema_version == 1 and check_gate(m).passed, ref


def test_the_template_2_candidate_stays_below_its_gate() -> None:
    """ar-email-drafter@7 (88 steps on the template-2 data) is registered with its evaluation
    and refused: start-up and the live tests serve @6."""
    m = Registry(REGISTRY).resolve("ar-email-drafter@7").manifest
    reasons = " ".join(gate_reasons(m))
    assert m.schema_version == 2 and m.languages == ["de", "en"]
    for metric in ("attribution_rate", "required_elements_rate", "merge_field_rate"):
        assert metric in reasons, metric


def test_max_scores_and_the_stricter_duplicate() -> None:
    m = _manifest("ar-email-drafter", EMAIL_OK | {"mean_words": 180.0})
    m.max_scores = {"mean_words": 150.0}
    assert gate_reasons(m) == ["mean_words 180.0000 is above the maximum 150.0000"]
    m.max_scores = {"mean_words": 200.0}
    assert gate_reasons(m) == []
    # own minimum stricter than the house's wins, and a looser one does not weaken it
    m.min_scores = {"instruction_rate": 0.9}
    assert gate_reasons(m) == ["instruction_rate 0.8500 is below the minimum 0.9000"]
    m.min_scores = {"instruction_rate": 0.5}
    m.evaluation.metrics = EMAIL_OK | {"instruction_rate": 0.7, "mean_words": 180.0}
    assert gate_reasons(m) == ["instruction_rate 0.7000 is below the minimum 0.8000"]
    c = _manifest("dispute-classifier", CLASSIFIER_OK, max_scores={"ece": 0.05})
    assert gate_reasons(c) == ["ece 0.1000 is above the maximum 0.0500"]


def _entry(tmp_path: Path, evaluation: dict[str, Any]) -> RegistryEntry:
    m = _manifest("dispute-classifier", {})
    m = Manifest.model_validate(m.model_dump() | {"evaluation": evaluation})
    m.write(tmp_path)
    return RegistryEntry(m.name, m.version, tmp_path, read_manifest(tmp_path))


def _result(summary: dict[str, float], path: str = "check.jsonl") -> EvalResult:
    test_set = HeldOutSet(path=path, sha256="ab" * 32, n=7)
    return EvalResult(
        "dispute-classifier@1", "dispute-classifier", 7, {}, summary, test_set=test_set
    )


def test_record_as_merges_prefixed_metrics(tmp_path: Path) -> None:
    main = {"macro_f1": 0.83, "ece_before": 0.1}
    main_set = {"path": "test.jsonl", "sha256": "cd" * 32, "n": 400}
    entry = _entry(tmp_path, {"metrics": main, "n": 400, "test_set": main_set})
    recorded = record_prefixed(entry, _result({"macro_f1": 0.6, "ece_before": 0.2}), "handmade")
    assert recorded == {"handmade_macro_f1": 0.6, "handmade_ece_before": 0.2}
    ev = read_manifest(tmp_path).evaluation
    assert ev.metrics == main | recorded and ev.n == 400
    assert ev.test_set is not None and ev.test_set.path == "test.jsonl"
    assert ev.recorded_as["handmade"].path == "check.jsonl"
    # a rerun replaces that prefix's metrics only
    record_prefixed(entry, _result({"macro_f1": 0.58}), "handmade")
    assert read_manifest(tmp_path).evaluation.metrics == main | {"handmade_macro_f1": 0.58}
    # the main run, recorded again, keeps the prefixed results
    record_in_manifest(entry, _result({"macro_f1": 0.84, "ece_before": 0.09}, "test.jsonl"))
    ev = read_manifest(tmp_path).evaluation
    assert ev.metrics == {"macro_f1": 0.84, "ece_before": 0.09, "handmade_macro_f1": 0.58}
    assert set(ev.recorded_as) == {"handmade"}
    assert check_gate(read_manifest(tmp_path)).passed


def test_record_as_on_an_unevaluated_entry_writes_only_metrics(tmp_path: Path) -> None:
    entry = _entry(tmp_path, {})
    record_prefixed(entry, _result({"macro_f1": 0.6}), "handmade")
    written = json.loads((tmp_path / "manifest.json").read_text())["evaluation"]
    assert set(written) == {"metrics", "recorded_as"}
    assert written["metrics"] == {"handmade_macro_f1": 0.6}


@pytest.mark.parametrize(
    "bad", ["Handmade", "hand-made", "hand made", "_x", "x_", "", "v2", "baseline"]
)
def test_record_as_prefix_is_validated(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="record-as"):
        check_prefix(bad)
    entry = _entry(tmp_path, {})
    with pytest.raises(ValueError):
        record_prefixed(entry, _result({"macro_f1": 0.6}), bad)
    assert check_prefix("hand_made") == "hand_made"


def test_record_as_needs_one_whole_test_file() -> None:
    check_record_as(None, False)
    check_record_as("handmade", True)
    with pytest.raises(ValueError, match="needs --test-file"):
        check_record_as("handmade", False)
