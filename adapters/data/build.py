"""Build a task's data set: generate, scrub PII, drop duplicates, split by near-duplicate
groups so no near-duplicate text crosses splits, check, and write JSONL files."""

from __future__ import annotations

import json
import random
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from adapters.data import dispute_variety, disputes, email_real
from adapters.data.neardup import components, near_duplicate_pairs, normalize
from adapters.data.records import dedup_key, text_fields
from adapters.pii import scrub
from adapters.prompts import Record
from adapters.tasks import DISPUTE_CLASSIFIER, check_task
from retrieval.tokens import make_token_counter

SPLITS = ("train", "validation", "test")
DATA_ROOT = Path(__file__).resolve().parent.parent / "datasets"


@dataclass
class BuildConfig:
    n: int = 3000
    seed: int = 20261128
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    threshold: float = 0.7  # shingle Jaccard at or above which two texts are near-duplicates
    # the base model's tokenizer folder: e-mail contexts are budgeted in its tokens, as the
    # server budgets them (None: the retrieval layer's estimate)
    tokenizer_path: Path | None = None


@dataclass
class BuildReport:
    task: str
    generated: int
    exact_duplicates_dropped: int
    near_duplicate_pairs: int
    near_duplicate_groups: int
    cross_split_near_duplicates: int
    sizes: dict[str, int]
    pii_replaced: dict[str, int]
    label_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seed: int | None = None  # the generator seed: an extension must use another


def default_config(task: str) -> BuildConfig:
    """The settings the committed data sets were built with."""
    if check_task(task) == DISPUTE_CLASSIFIER:
        return BuildConfig(n=4500, seed=20261128)
    return BuildConfig(n=1500, seed=20261129)


BASE_GENERATOR = "base"


def generate_records(
    task: str,
    n: int,
    seed: int,
    tokenizer_path: Path | None = None,
    generator: str = BASE_GENERATOR,
) -> list[Record]:
    """Rows from the task's base generator, or for disputes from `dispute_variety`."""
    if generator not in (BASE_GENERATOR, dispute_variety.GENERATOR) or (
        generator != BASE_GENERATOR and task != DISPUTE_CLASSIFIER
    ):
        raise ValueError(f"no generator {generator!r} for {task}")
    if task == DISPUTE_CLASSIFIER:
        gen = disputes.generate if generator == BASE_GENERATOR else dispute_variety.generate
        return [
            {"text": e.text, "label": e.label, "register": e.register, "core": e.core_id}
            for e in gen(n, seed)
        ]
    return [e.row() for e in email_real.generate(n, seed, count=make_token_counter(tokenizer_path))]


def scrub_records(task: str, records: list[Record]) -> Counter[str]:
    """Replace personal data in the text fields in place; count replacements by kind."""
    pii: Counter[str] = Counter()
    for rec in records:
        for f in text_fields(task):
            rec[f], found = scrub(rec[f])
            pii.update(x.kind for x in found)
    return pii


def drop_exact_duplicates(task: str, records: list[Record], seen: set[str]) -> list[Record]:
    """Records whose normalized text is not in seen (which grows as they are kept)."""
    out = []
    for rec in records:
        key = normalize(dedup_key(task, rec), mask_digits=False)
        if key not in seen:
            seen.add(key)
            out.append(rec)
    return out


def _assign(groups: list[list[int]], fractions: tuple[float, ...], rng: random.Random) -> list[int]:
    """Split index per item; whole groups go to one split, large groups to train."""
    total = sum(len(g) for g in groups)
    targets = [f * total for f in fractions]
    filled = [0.0] * len(fractions)
    rng.shuffle(groups)
    groups.sort(key=len, reverse=True)
    split_of = [0] * total
    for g in groups:
        if len(g) > max(2, int(0.01 * total)):
            k = 0
        else:
            k = max(range(len(fractions)), key=lambda j: targets[j] - filled[j])
        filled[k] += len(g)
        for i in g:
            split_of[i] = k
    return split_of


def _heldout_split(
    records: list[Record], groups: list[list[int]], split_of: list[int], cfg: BuildConfig
) -> list[int]:
    """Test: groups touching a held-out core phrasing; the rest keeps train or validation."""
    out = list(split_of)
    val_share = cfg.fractions[1] / (cfg.fractions[0] + cfg.fractions[1])
    for g in groups:
        held = any(disputes.is_heldout_core(records[i]["core"]) for i in g)
        for i in g:
            out[i] = (
                2
                if held
                else (
                    1
                    if split_of[i] == 1
                    or (split_of[i] == 2 and hash_share(records[i]["text"]) < val_share)
                    else 0
                )
            )
    return out


def hash_share(text: str) -> float:
    return (zlib.crc32(text.encode()) % 10_000) / 10_000


def build(task: str, out_dir: Path | None = None, cfg: BuildConfig | None = None) -> BuildReport:
    task = check_task(task)
    cfg = cfg or default_config(task)
    out_dir = out_dir or DATA_ROOT / task
    rng = random.Random(cfg.seed)
    raw = generate_records(task, cfg.n, cfg.seed, cfg.tokenizer_path)
    pii = scrub_records(task, raw)
    records = drop_exact_duplicates(task, raw, set())
    mask = task == DISPUTE_CLASSIFIER
    keys = [dedup_key(task, r) for r in records]
    pairs = near_duplicate_pairs(keys, cfg.threshold, mask_digits=mask)
    groups = components(len(records), pairs)
    split_of = _assign(groups, cfg.fractions, rng)
    if task == DISPUTE_CLASSIFIER:  # held-out phrasings go to test, whatever their group
        split_of = _heldout_split(records, groups, split_of, cfg)
    cross = sum(1 for p in pairs if split_of[p.a] != split_of[p.b])
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes, labels = {}, {}
    for k, name in enumerate(SPLITS):
        rows = [r for r, s in zip(records, split_of, strict=True) if s == k]
        with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for i, r in enumerate(rows):
                fh.write(json.dumps({"id": f"{name}-{i:05d}", **r}, ensure_ascii=False) + "\n")
        sizes[name] = len(rows)
        label_key = "label" if task == DISPUTE_CLASSIFIER else "email_type"
        labels[name] = dict(sorted(Counter(r[label_key] for r in rows).items()))
    report = BuildReport(
        task,
        cfg.n,
        cfg.n - len(records),
        len(pairs),
        len(groups),
        cross,
        sizes,
        dict(pii),
        labels,
        cfg.seed,
    )
    (out_dir / "build_report.json").write_text(json.dumps(asdict(report), indent=2) + "\n")
    return report
