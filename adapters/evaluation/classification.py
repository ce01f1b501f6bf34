"""Classification metrics: accuracy, macro-F1, per-label precision and recall, confusion."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class ClassificationMetrics:
    n: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, LabelScore]
    confusion: dict[str, dict[str, int]]  # gold -> predicted -> count
    invalid: int  # predictions that are not a label

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def classification_metrics(
    gold: list[str], pred: list[str], labels: list[str]
) -> ClassificationMetrics:
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    confusion = {g: {p: 0 for p in [*labels, "<invalid>"]} for g in labels}
    invalid = 0
    for g, p in zip(gold, pred, strict=True):
        if p not in labels:
            invalid += 1
            p = "<invalid>"
        confusion.setdefault(g, {x: 0 for x in [*labels, "<invalid>"]})[p] += 1
    per_label = {}
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[g][label] for g in confusion if g != label)
        fn = sum(v for p, v in confusion[label].items() if p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = LabelScore(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn)
    present = [lab for lab in labels if per_label[lab].support > 0]
    macro = sum(per_label[lab].f1 for lab in present) / len(present) if present else 0.0
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0
    return ClassificationMetrics(
        len(gold), round(accuracy, 4), round(macro, 4), per_label, confusion, invalid
    )
