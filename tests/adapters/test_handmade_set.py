"""The hand-made dispute check set: well-formed, covers the taxonomy and both other languages,
shares no phrasing with the generated splits, and stays out of training and data extension."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from adapters.data import extend as extend_module
from adapters.data.build import DATA_ROOT, SPLITS, BuildConfig
from adapters.data.neardup import near_duplicate_pairs, shingles
from adapters.data.records import read_jsonl
from adapters.tasks import DISPUTE_CLASSIFIER
from adapters.training import run as run_module
from retrieval.taxonomy import DISPUTE_REASONS

DATA_DIR = DATA_ROOT / DISPUTE_CLASSIFIER
HANDMADE = DATA_DIR / "handmade"
CHECK_FILE = HANDMADE / "check.jsonl"
FIELDS = {"id": str, "text": str, "label": str, "language": str, "hard": bool, "note": str}
LANGUAGES = ("en", "de", "fr")


class _Stop(Exception):
    """Raised by a patched step once the code under test has read its inputs."""


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    with CHECK_FILE.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_rows_are_well_formed(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        for name, kind in FIELDS.items():
            assert isinstance(r.get(name), kind), (r.get("id"), name)
        assert r["text"].strip() and r["note"].strip(), r["id"]
        assert r["language"] in LANGUAGES, r["id"]
        assert r["label"] in DISPUTE_REASONS, (r["id"], r["label"])
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))


def test_size_labels_and_languages(rows: list[dict[str, Any]]) -> None:
    assert len(rows) >= 150
    labels = Counter(r["label"] for r in rows)
    assert set(labels) == set(DISPUTE_REASONS)
    assert min(labels.values()) >= 12, labels
    languages = Counter(r["language"] for r in rows)
    assert languages["de"] >= 20 and languages["fr"] >= 20, languages
    assert sum(r["hard"] for r in rows) >= 40


def test_no_near_duplicate_of_a_generated_row(rows: list[dict[str, Any]]) -> None:
    threshold = BuildConfig().threshold  # the builder's own threshold and digit masking
    ours: set[str] = set().union(*(shingles(r["text"]) for r in rows))
    generated = [r["text"] for s in SPLITS for r in read_jsonl(DATA_DIR / f"{s}.jsonl")]
    # Jaccard >= t needs t of a row's shingles in the other text, so a generated row with
    # fewer of them among all of ours cannot pair; this keeps MinHash to the few that can
    candidates = [t for t in generated if _share(shingles(t), ours) >= threshold]
    texts = [r["text"] for r in rows] + candidates
    n = len(rows)
    pairs = near_duplicate_pairs(texts, threshold, mask_digits=True)
    leaks = [(rows[p.a]["id"], p.b - n, p.similarity) for p in pairs if p.a < n <= p.b]
    within = [(rows[p.a]["id"], rows[p.b]["id"]) for p in pairs if p.b < n]
    assert not leaks, leaks
    assert not within, within


def _share(sh: frozenset[str], pool: set[str]) -> float:
    return len(sh & pool) / len(sh)


def _recording_reader(seen: list[Path]) -> Any:
    def read(path: Path, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        seen.append(Path(path))
        return read_jsonl(path, *args, **kwargs)

    return read


def _assert_only_splits(seen: list[Path], expected: tuple[str, ...]) -> None:
    assert seen, "nothing was read"
    assert all(HANDMADE not in p.parents and "handmade" not in p.parts for p in seen), seen
    assert sorted(p.name for p in seen) == sorted(f"{s}.jsonl" for s in expected)


def test_training_reads_only_train_and_validation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[Path] = []
    checked: list[Path] = []
    monkeypatch.setattr(run_module, "read_jsonl", _recording_reader(seen))
    monkeypatch.setattr(run_module, "require_clean", lambda task, files: checked.extend(files))

    def stop(base_model: Path) -> tuple[str, str]:
        raise _Stop

    monkeypatch.setattr(run_module, "base_model_identity", stop)
    with pytest.raises(_Stop):  # the default data folder, which holds handmade/
        run_module.train_task(DISPUTE_CLASSIFIER, tmp_path / "no-model")
    _assert_only_splits(seen, ("train", "validation"))
    _assert_only_splits(checked, ("train", "validation"))


def test_extension_reads_only_the_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []
    monkeypatch.setattr(extend_module, "read_jsonl", _recording_reader(seen))

    def stop(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        raise _Stop

    monkeypatch.setattr(extend_module, "generate_records", stop)
    with pytest.raises(_Stop):  # stops before anything is generated or written
        extend_module.extend(DISPUTE_CLASSIFIER, 1, seed=1)
    _assert_only_splits(seen, SPLITS)
    assert "handmade" not in SPLITS


def test_no_training_or_data_code_names_the_folder() -> None:
    root = Path(run_module.__file__).resolve().parents[1]
    sources = [*(root / "training").glob("*.py"), *(root / "data").glob("*.py")]
    sources += [*(root / "configs").glob("*.json")]
    assert sources
    naming = [p.name for p in sources if "handmade" in p.read_text(encoding="utf-8")]
    assert not naming, naming
