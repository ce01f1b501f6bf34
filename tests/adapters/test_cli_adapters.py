import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli_adapters import app
from tests.adapters.conftest import REGISTRY, REPO, copy_entry

runner = CliRunner()


def test_list_shows_entries_and_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_entry(
        tmp_path,
        "dispute-classifier",
        "1",
        REGISTRY / "dispute-classifier" / "1",
        evaluation={"metrics": {"macro_f1": 0.5, "macro_f1_gain_over_baseline": 0.4}},
    )
    monkeypatch.setenv("ARSERVE_REGISTRY_DIR", str(tmp_path))
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert "dispute-classifier@1" in result.output
    assert "gate=FAIL: macro_f1 0.5000 is below the minimum 0.8000" in result.output
    monkeypatch.setenv("ARSERVE_REGISTRY_DIR", str(tmp_path / "empty"))
    assert "empty" in runner.invoke(app, ["list"]).output


def test_reference_registry_lists() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    assert "dispute-classifier@1" in result.output and "ar-email-drafter@1" in result.output


def test_data_command(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["data", "dispute-classifier", "--n", "120", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["cross_split_near_duplicates"] == 0
    assert (tmp_path / "train.jsonl").is_file() and (tmp_path / "build_report.json").is_file()
    extend = ["data", "dispute-classifier", "--extend", "--out", str(tmp_path), "--n", "40"]
    result = runner.invoke(app, extend)
    assert result.exit_code != 0 and "--extend needs --n and a new --seed" in result.output
    result = runner.invoke(app, [*extend, "--seed", str(report["seed"])])
    assert result.exit_code == 1 and "an extension needs a new seed" in result.output
    result = runner.invoke(app, [*extend, "--seed", "77"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["first_row"] == report["sizes"]["train"]


def test_train_refuses_pii_and_says_where(tmp_path: Path, base_model_dir: Path) -> None:
    for split in ("train", "validation"):
        (tmp_path / f"{split}.jsonl").write_text(
            json.dumps({"text": "Thanks, call +44 20 7946 0958", "label": "other"}) + "\n"
        )
    result = runner.invoke(
        app,
        [
            "train",
            "dispute-classifier",
            "--data-dir",
            str(tmp_path),
            "--base-model",
            str(base_model_dir),
        ],
    )
    assert result.exit_code == 1
    assert "train.jsonl:1: PHONE" in result.output


def test_eval_rejects_paths() -> None:
    result = runner.invoke(app, ["eval", "../../etc@1"])
    assert result.exit_code == 1 and "invalid adapter name" in result.output


def test_eval_of_another_test_file_leaves_the_committed_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.engine import config
    from server.engine.vllm_engine import VllmEngine
    from tests.server.fake_engine import ClassifierEngine

    source = REGISTRY / "dispute-classifier" / "3"
    folder = copy_entry(tmp_path, "dispute-classifier", "3", source)
    shutil.copytree(source / "eval", folder / "eval")
    committed = {p: p.read_bytes() for p in (folder / "eval").rglob("*") if p.is_file()}
    manifest = (folder / "manifest.json").read_bytes()
    rows = [
        {"id": f"x-{i}", "text": f"message {i}", "label": "other", "hard": i % 2 == 0}
        for i in range(4)
    ]
    check = tmp_path / "mine.jsonl"
    check.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setenv("ARSERVE_REGISTRY_DIR", str(tmp_path))
    monkeypatch.setattr(config, "apply_process_env", lambda *a: None)
    monkeypatch.setattr(VllmEngine, "create", staticmethod(lambda cfg: ClassifierEngine()))
    result = runner.invoke(app, ["eval", "dispute-classifier@3", "--test-file", str(check)])
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in committed} == committed
    assert (folder / "manifest.json").read_bytes() == manifest
    report = json.loads((folder / "eval" / "mine" / "report.json").read_text())
    assert report["test_set"]["path"] == "mine.jsonl" and report["n"] == 4
    assert report["slices"]["hard"] == {
        "false": {"n": 2, "accuracy": 0.0},
        "true": {"n": 2, "accuracy": 0.0},
    }
    assert report["confidence"]["ece_before"] > 0
    assert report["confidence"]["sweep"] == report["confidence"]["sweep_raw"]  # no calibration
    assert (
        "| raw confidence >= | routed | share | precision |"
        in (folder / "eval" / "mine" / "report.md").read_text()
    )


def test_calibrate_refuses_the_handmade_set_other_tasks_and_too_few_rows(tmp_path: Path) -> None:
    handmade = REPO / "adapters" / "datasets" / "dispute-classifier" / "handmade" / "check.jsonl"
    result = runner.invoke(app, ["calibrate", "dispute-classifier@3", "--data", str(handmade)])
    assert result.exit_code == 1 and "reports only" in result.output
    result = runner.invoke(app, ["calibrate", "ar-email-drafter@1"])
    assert result.exit_code == 1 and "only classifiers calibrate" in result.output
    few = tmp_path / "few.jsonl"
    few.write_text(json.dumps({"text": "x", "label": "other"}) + "\n")
    result = runner.invoke(app, ["calibrate", "dispute-classifier@3", "--data", str(few)])
    assert result.exit_code == 1 and "calibration needs 100" in result.output


def test_calibration_rows_record_the_data_and_the_cores_training_saw(tmp_path: Path) -> None:
    from server.eval_runner import calibration_rows

    rows = [{"id": f"v{i}", "text": "t", "label": "other", "core": f"c#{i}"} for i in range(8)]
    (tmp_path / "train.jsonl").write_text(json.dumps({"core": "c#0"}) + "\n")
    data = tmp_path / "validation.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    kept, fitted_on = calibration_rows(data, 2, None, 4)
    assert [r["id"] for r in kept] == [f"v{i}" for i in range(2, 8)]
    assert fitted_on["n"] == 6 and fitted_on["skipped"] == 2
    assert fitted_on["cores_seen_in_training"] == 0.0 and len(fitted_on["sha256"]) == 64
    _, fitted_on = calibration_rows(data, 0, None, 4)
    assert fitted_on["cores_seen_in_training"] == 0.125
    a, _ = calibration_rows(data, 0, "a", 0)
    b, _ = calibration_rows(data, 0, "b", 0)
    assert sorted(r["id"] for r in a + b) == sorted(r["id"] for r in rows)
    with pytest.raises(ValueError, match="calibration needs 100"):
        calibration_rows(data, 0, None, 100)
    # validation rows varied from training's own messages are refused
    (tmp_path / "train.jsonl").write_text(
        "".join(json.dumps({"core": r["core"]}) + "\n" for r in rows)
    )
    with pytest.raises(ValueError, match="100% of the rows share their core"):
        calibration_rows(data, 0, None, 4)
    assert calibration_rows(data, 0, None, 4, seen_cores=True)[1]["cores_seen_in_training"] == 1


def test_eval_record_as_merges_the_file_s_metrics_with_a_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.manifest import read_manifest
    from server.engine import config
    from server.engine.vllm_engine import VllmEngine
    from tests.server.fake_engine import ClassifierEngine

    folder = copy_entry(tmp_path, "dispute-classifier", "3", REGISTRY / "dispute-classifier" / "3")
    before = read_manifest(folder).evaluation
    check = tmp_path / "mine.jsonl"
    rows = [{"id": f"x-{i}", "text": f"message {i}", "label": "other"} for i in range(4)]
    check.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setenv("ARSERVE_REGISTRY_DIR", str(tmp_path))
    monkeypatch.setattr(config, "apply_process_env", lambda *a: None)
    monkeypatch.setattr(VllmEngine, "create", staticmethod(lambda cfg: ClassifierEngine()))
    cmd = ["eval", "dispute-classifier@3", "--test-file", str(check), "--record-as"]
    for bad in ("Hand-Made", "baseline"):
        result = runner.invoke(app, [*cmd, bad])
        assert result.exit_code == 2 and "record-as" in result.output
    result = runner.invoke(app, ["eval", "dispute-classifier@3", "--record-as", "handmade"])
    assert result.exit_code == 2 and "needs --test-file" in result.output
    assert read_manifest(folder).evaluation == before
    result = runner.invoke(app, [*cmd, "handmade"])
    assert result.exit_code == 0, result.output
    after = read_manifest(folder).evaluation
    assert after.test_set == before.test_set and after.n == before.n
    assert {k: v for k, v in after.metrics.items() if not k.startswith("handmade_")} == (
        before.metrics
    )
    assert "handmade_macro_f1" in after.metrics and "handmade_ece_before" in after.metrics
    assert after.recorded_as["handmade"].path == "mine.jsonl"
