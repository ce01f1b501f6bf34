import json
from pathlib import Path

from adapters.data import disputes, email_real
from adapters.data.build import BuildConfig, build
from adapters.data.neardup import components, jaccard, near_duplicate_pairs, shingles
from adapters.evaluation.email_draft import check_draft
from adapters.pii import find_pii
from adapters.tasks import DISPUTE_LABELS, EMAIL_TYPES
from retrieval.block import parse_block


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def test_disputes_are_deterministic_balanced_and_varied() -> None:
    a, b = disputes.generate(200, seed=7), disputes.generate(200, seed=7)
    assert [x.text for x in a] == [x.text for x in b]
    assert {x.label for x in a} == set(DISPUTE_LABELS)
    assert len({x.text for x in a}) == 200
    registers = {x.register.split("+")[0] for x in a}
    assert {"terse", "ticket", "remittance", "two_issues", "long", "email"} <= registers
    assert any("non_native" in x.register for x in a)
    assert len({x.core_id for x in a}) > 80  # many phrasings, not one template per label


def test_reference_emails_pass_their_own_checks() -> None:
    for e in email_real.generate(80, seed=3):
        d = check_draft(e.email, e.context, e.email_type, e.language, instructions=e.instructions)
        assert d.check.grounded, d.check.unsupported
        assert not d.problems, d.problems
        assert not d.check.missing_elements and d.check.style_ok and d.check.length_ok
    assert {e.email_type for e in email_real.generate(40, seed=1)} == set(EMAIL_TYPES)


def test_near_duplicates() -> None:
    assert jaccard(shingles("a b c d"), shingles("a b c d")) == 1.0
    texts = [
        "The unit price on invoice 123 is 5.00 EUR, contract says 4.00 EUR.",
        "The unit price on invoice 987 is 7.10 EUR, contract says 6.00 EUR.",
        "We never received the goods, please send a proof of delivery.",
    ]
    pairs = near_duplicate_pairs(texts, 0.7, mask_digits=True)
    assert [(p.a, p.b) for p in pairs] == [(0, 1)]
    assert sorted(map(sorted, components(3, pairs))) == [[0, 1], [2]]


def test_build_splits_have_no_cross_split_near_duplicates(tmp_path: Path) -> None:
    report = build("dispute-classifier", tmp_path, BuildConfig(n=300, seed=5))
    assert report.cross_split_near_duplicates == 0
    splits = {s: _rows(tmp_path / f"{s}.jsonl") for s in ("train", "validation", "test")}
    assert sum(map(len, splits.values())) == 300 - report.exact_duplicates_dropped
    train_texts = [r["text"] for r in splits["train"]]
    test_texts = [r["text"] for r in splits["test"]]
    pairs = near_duplicate_pairs(train_texts + test_texts, 0.7)
    assert not [p for p in pairs if (p.a < len(train_texts)) != (p.b < len(train_texts))]
    # held-out phrasings appear only in the test split
    assert all(not disputes.is_heldout_core(r["core"]) for r in splits["train"])
    assert all(disputes.is_heldout_core(r["core"]) for r in splits["test"])
    for rows in splits.values():
        assert all(find_pii(r["text"]) == [] for r in rows)
    assert report.pii_replaced.get("PERSON", 0) > 0


def test_email_build(tmp_path: Path) -> None:
    report = build("ar-email-drafter", tmp_path, BuildConfig(n=60, seed=2))
    assert report.cross_split_near_duplicates == 0
    rows = _rows(tmp_path / "train.jsonl")
    assert rows and {"context", "email", "email_type"} <= set(rows[0])
    test = _rows(tmp_path / "test.jsonl")
    assert test and all(parse_block(r["context"]).fact_lines for r in rows + test)
