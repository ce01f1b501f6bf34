"""Extending train.jsonl: new rows are appended with continuing ids, validation and test are
untouched, and a new row that (near-)duplicates an evaluation row never reaches train."""

import json
from pathlib import Path

import pytest

from adapters.data import extend as extend_mod
from adapters.data.build import BuildConfig, build
from adapters.data.neardup import near_duplicate_pairs
from adapters.pii import find_pii

TASK = "dispute-classifier"


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    build(TASK, tmp_path, BuildConfig(n=300, seed=5))
    return tmp_path


def test_extend_appends_and_leaves_eval_splits_alone(data_dir: Path) -> None:
    before = {s: (data_dir / f"{s}.jsonl").read_bytes() for s in ("validation", "test")}
    old_train = _rows(data_dir / "train.jsonl")
    report = extend_mod.extend(TASK, 120, seed=6, data_dir=data_dir)
    train = _rows(data_dir / "train.jsonl")
    assert train[: len(old_train)] == old_train
    assert report.first_row == len(old_train)
    assert len(train) == len(old_train) + report.appended
    assert [r["id"] for r in train] == [f"train-{i:05d}" for i in range(len(train))]
    assert report.appended > 0
    dropped = report.duplicates_dropped + report.near_duplicates_of_eval_dropped
    assert report.appended == 120 - dropped
    assert {s: (data_dir / f"{s}.jsonl").read_bytes() for s in before} == before
    new = [r["text"] for r in train[len(old_train) :]]
    assert all(find_pii(t) == [] for t in new)
    evals = [r["text"] for s in ("validation", "test") for r in _rows(data_dir / f"{s}.jsonl")]
    pairs = near_duplicate_pairs(new + evals, 0.7)
    assert not [p for p in pairs if (p.a < len(new)) != (p.b < len(new))]
    build_report = json.loads((data_dir / "build_report.json").read_text())
    assert build_report["sizes"]["train"] == len(train)
    assert build_report["extensions"][-1]["seed"] == 6
    assert sum(build_report["label_counts"]["train"].values()) == len(train)


def test_rows_leaking_into_eval_are_dropped(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    val = max(_rows(data_dir / "validation.jsonl"), key=lambda r: len(r["text"]))
    copy = {k: v for k, v in val.items() if k != "id"}
    near = {**copy, "text": copy["text"] + " Please advise."}
    text = "Our auditors see invoice 4471 booked twice in your statement; we paid it once."
    other = {**copy, "text": text}
    monkeypatch.setattr(extend_mod, "generate_records", lambda *_: [copy, near, other])
    report = extend_mod.extend(TASK, 3, seed=8, data_dir=data_dir)
    assert (report.duplicates_dropped, report.near_duplicates_of_eval_dropped) == (1, 1)
    assert report.appended == 1
    assert _rows(data_dir / "train.jsonl")[-1]["text"] == other["text"]


def test_seeds_are_checked(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="built the data set"):
        extend_mod.extend(TASK, 10, seed=5, data_dir=data_dir)
    extend_mod.extend(TASK, 10, seed=6, data_dir=data_dir)
    with pytest.raises(ValueError, match="already extended"):
        extend_mod.extend(TASK, 10, seed=6, data_dir=data_dir)


def test_rebuild_replays_extensions(data_dir: Path) -> None:
    extend_mod.extend(TASK, 60, seed=6, data_dir=data_dir)
    extend_mod.extend(TASK, 60, seed=9, data_dir=data_dir)
    files = ("train.jsonl", "validation.jsonl", "test.jsonl", "build_report.json")
    before = {f: (data_dir / f).read_bytes() for f in files}
    _, replayed = extend_mod.rebuild(TASK, data_dir, BuildConfig(n=300, seed=5))
    assert [e.seed for e in replayed] == [6, 9]
    assert {f: (data_dir / f).read_bytes() for f in files} == before
    report, replayed = extend_mod.rebuild(TASK, data_dir, BuildConfig(n=300, seed=5), False)
    assert not replayed and len(_rows(data_dir / "train.jsonl")) == report.sizes["train"]
