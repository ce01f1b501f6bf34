"""A short training run on a tiny data slice, into a temporary registry."""

import json
from pathlib import Path

import pytest

from adapters.data.records import read_jsonl
from adapters.manifest import WEIGHTS_FILE, read_manifest, sha256_file
from adapters.pii_check import PiiFoundError
from adapters.registry import Registry
from adapters.training.batches import Encoded, collate
from adapters.training.config import TrainConfig
from adapters.training.run import train_task

ROWS = [
    ("We got 40 of 50 cartons on PO-1.", "short_shipment"),
    ("Unit price billed 5.10, contract 4.90.", "pricing_discrepancy"),
    ("Two cases arrived crushed.", "damaged_goods"),
    ("Please send a copy of invoice 4471.", "other"),
]


def _data(folder: Path, rows: list[tuple[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for split, part in (("train", rows), ("validation", rows[:2])):
        (folder / f"{split}.jsonl").write_text(
            "".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in part)
        )
    return folder


def _cfg() -> TrainConfig:
    return TrainConfig(
        task="dispute-classifier",
        rank=4,
        alpha=8,
        epochs=1,
        batch_size=4,
        learning_rate=1e-3,
        max_length=128,
        seed=7,
        autocast_bf16=False,
        min_scores={"macro_f1": 0.8},
    )


@pytest.mark.timeout(2400)  # three tiny runs: about a minute on an idle 2-core machine
def test_short_training_run_is_a_registry_entry_and_deterministic(
    tmp_path: Path, base_model_dir: Path
) -> None:
    data = _data(tmp_path / "data", ROWS)
    reg = Registry(tmp_path / "registry")
    first = train_task("dispute-classifier", base_model_dir, _cfg(), reg, data, name="tiny")
    second = train_task("dispute-classifier", base_model_dir, _cfg(), reg, data, name="tiny")
    assert (first.name, second.name) == ("1", "2")
    assert sha256_file(first / WEIGHTS_FILE) == sha256_file(second / WEIGHTS_FILE)
    m = read_manifest(first)
    assert (m.name, m.version, m.task, m.rank, m.alpha) == ("tiny", "1", "dispute-classifier", 4, 8)
    assert m.adapter_sha256 == sha256_file(first / WEIGHTS_FILE)
    assert m.base_model_id == base_model_dir.name and len(m.base_model_sha256) == 64
    assert m.training_data_size == {"train": 4, "validation": 2}
    assert m.training_config["seed"] == 7 and m.min_scores == {"macro_f1": 0.8}
    assert m.prompt_template_version == "dispute-classifier/1"
    summary = m.training_summary
    assert len(summary["val_loss"]) == 1 and summary["val_loss"][0] < summary["val_loss_before"]
    config = json.loads((first / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == base_model_dir.name
    assert reg.resolve_verified("tiny@2").version == "2"
    assert not list((tmp_path / "registry" / "tiny").glob(".tmp-*"))
    # retraining: continue from tiny@1
    cfg = _cfg()
    cfg.init_adapter = "tiny@1"
    third = train_task("dispute-classifier", base_model_dir, cfg, reg, data, name="tiny")
    m3 = read_manifest(third)
    assert m3.training_config["init_adapter"] == "tiny@1"
    assert m3.training_summary["val_loss_before"] < summary["val_loss_before"]
    cfg.rank = 8
    with pytest.raises(ValueError, match="rank 4"):
        train_task("dispute-classifier", base_model_dir, cfg, reg, data, name="tiny")


def test_training_refuses_data_with_personal_data(tmp_path: Path, base_model_dir: Path) -> None:
    rows = [*ROWS, ("Wrong VAT. Call me: +44 20 7946 0958, Oliver Smith", "tax_discrepancy")]
    data = _data(tmp_path / "data", rows)
    with pytest.raises(PiiFoundError, match=r"train.jsonl:5: PHONE"):
        train_task("dispute-classifier", base_model_dir, _cfg(), Registry(tmp_path / "r"), data)
    assert not (tmp_path / "r").exists()


def test_collate_targets_are_the_completion_tokens() -> None:
    items = [Encoded([1, 2, 3, 4, 5], 2), Encoded([6, 7, 8], 1)]
    b = collate(items, pad_id=0)
    assert b.input_ids.tolist() == [[1, 2, 3, 4, 5], [6, 7, 8, 0, 0]]
    assert b.attention_mask.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]
    # position p predicts token p + 1: completion tokens 4, 5 and 8
    assert list(zip(b.rows.tolist(), b.cols.tolist(), b.targets.tolist(), strict=True)) == [
        (0, 2, 4),
        (0, 3, 5),
        (1, 1, 8),
    ]


def test_config_files_load() -> None:
    for task in ("dispute-classifier", "ar-email-drafter"):
        cfg = TrainConfig.for_task(task)
        assert cfg.task == task and cfg.rank <= 16 and cfg.min_scores
    with pytest.raises(ValueError, match="unknown training config keys"):
        TrainConfig.from_dict({"task": "x", "ranks": 3})


def test_read_jsonl_skips_the_rows_an_init_adapter_saw(tmp_path: Path) -> None:
    f = tmp_path / "train.jsonl"
    f.write_text("".join(json.dumps({"i": i}) + "\n" + ("\n" if i == 2 else "") for i in range(6)))
    assert [r["i"] for r in read_jsonl(f, limit=2, skip=3)] == [3, 4]
    assert [r["i"] for r in read_jsonl(f, skip=4)] == [4, 5]
    assert read_jsonl(f, skip=6) == []


def test_training_refuses_an_empty_slice(tmp_path: Path, base_model_dir: Path) -> None:
    data = _data(tmp_path / "data", ROWS)
    cfg = _cfg()
    cfg.skip_train_examples = len(ROWS)
    with pytest.raises(ValueError, match="no training rows left"):
        train_task("dispute-classifier", base_model_dir, cfg, Registry(tmp_path / "r"), data)
    assert not (tmp_path / "r").exists()
