"""The varied dispute generator: every label in German and French, noise that keeps the
message, deterministic for a seed, held-out test phrasings never generated, and the
extension that uses it recorded so a rebuild replays it."""

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from faker import Faker

from adapters.data import dispute_noise, dispute_variety, disputes
from adapters.data import extend as extend_mod
from adapters.data.build import BuildConfig, build, generate_records
from adapters.tasks import DISPUTE_LABELS

TASK = "dispute-classifier"


def _slots(seed: int) -> dict[str, str]:
    fake = Faker(disputes.LOCALES)
    fake.seed_instance(seed)
    return disputes._slots(random.Random(seed), fake)


def test_every_label_appears_in_german_and_french() -> None:
    rows = dispute_variety.generate(1500, seed=11)
    seen = Counter((x.register.split(":")[0], x.label) for x in rows)
    for lang in ("de", "fr"):
        missing = [label for label in DISPUTE_LABELS if seen[(lang, label)] == 0]
        assert not missing, f"{lang}: {missing}"
    assert any(x.core_id.startswith("short_shipment/de#") for x in rows)
    assert any(x.core_id.startswith("other/fr#") for x in rows)


def test_deterministic_for_a_seed_and_different_across_seeds() -> None:
    a = [(x.text, x.label) for x in dispute_variety.generate(300, seed=4)]
    b = [(x.text, x.label) for x in dispute_variety.generate(300, seed=4)]
    c = [(x.text, x.label) for x in dispute_variety.generate(300, seed=5)]
    assert a == b
    assert a != c


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
@pytest.mark.parametrize("name", sorted(dispute_noise.WRAPPERS))
def test_wrappers_keep_the_message_text(name: str, lang: str) -> None:
    slots = _slots(3)
    core, _ = dispute_variety.core(lang, "short_shipment", random.Random(1), slots)
    wrap, _ = dispute_noise.WRAPPERS[name]
    out = wrap(core, lang, random.Random(2), slots)
    assert core in out
    assert len(out) > len(core)


def test_wrapper_shapes() -> None:
    slots, rng = _slots(3), random.Random(0)
    fwd = dispute_noise.forwarded("X", "de", rng, slots)
    assert "-----Ursprüngliche Nachricht-----" in fwd and fwd.endswith("X")
    reply = dispute_noise.quoted_reply("X", "en", rng, slots)
    assert reply.startswith("X") and "\n> " in reply
    assert "-----Original Message-----" in dispute_noise.forwarded("X", "en", rng, slots)


def test_character_noise_changes_form_not_words() -> None:
    text = "Invoice 123 was short, we got 4 of 10. Please credit!"
    rng = random.Random(0)
    assert dispute_noise.lowercase(text, rng) == text.lower()
    assert (
        dispute_noise.no_punctuation(text, rng)
        == "Invoice 123 was short we got 4 of 10 Please credit"
    )
    assert len(dispute_noise.typos(text, rng).split(" ")) == len(text.split(" "))


def test_noise_kinds_and_shapes_all_occur() -> None:
    rows = dispute_variety.generate(1500, seed=12)
    kinds = Counter(k for x in rows for k in x.register.split("+")[1:])
    assert set(dispute_noise.WRAPPERS) | set(dispute_noise.CHAR_NOISE) <= set(kinds)
    shapes = {x.register.split(":")[1].split("+")[0] for x in rows}
    assert set(dispute_variety.SHAPES) | {"base"} <= shapes
    assert any(x.core_id.split("#")[0].endswith("/hard") for x in rows)


def test_holding_messages_label_the_held_issue_and_never_other() -> None:
    rows = [x for x in dispute_variety.generate(1500, seed=13) if ":holding" in x.register]
    assert rows
    assert all(x.label != "other" for x in rows)
    for x in rows:  # the labelled statement is in the message, the side issue is another's
        assert x.core_id.split("/")[0].split("#")[0] == x.label


def test_held_out_test_phrasings_are_never_generated() -> None:
    rows = dispute_variety.generate(2000, seed=14)
    base_ids = [x.core_id for x in rows if "/" not in x.core_id]
    assert base_ids
    assert not [c for c in base_ids if disputes.is_heldout_core(c)]


def test_unknown_generator_is_refused() -> None:
    with pytest.raises(ValueError):
        generate_records(TASK, 5, 1, generator="nope")
    with pytest.raises(ValueError):
        generate_records("ar-email-drafter", 5, 1, generator=dispute_variety.GENERATOR)


def test_extension_records_its_generator_and_rebuild_replays_it(tmp_path: Path) -> None:
    build(TASK, tmp_path, BuildConfig(n=300, seed=5))
    report = extend_mod.extend(TASK, 150, seed=6, data_dir=tmp_path)
    assert report.generator == dispute_variety.GENERATOR
    train = (tmp_path / "train.jsonl").read_text()
    new = [json.loads(x) for x in train.splitlines()[report.first_row :]]
    assert {r["register"].split(":")[0] for r in new} >= {"en", "de", "fr"}
    extend_mod.rebuild(TASK, tmp_path, BuildConfig(n=300, seed=5))
    assert (tmp_path / "train.jsonl").read_text() == train
