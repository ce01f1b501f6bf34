# ruff: noqa: E501 - fixture text
import pytest

from adapters.prompts import template_for
from adapters.prompts.context import customer_names, parse_context
from adapters.tasks import UnknownTaskError

CONTEXT = """<context>
[customer:C-0042@v3] Customer: Brightwater Foods GmbH; terms NET30; currency EUR; dunning level 1
[invoice:INV-10023@v2] Invoice INV-10023, PO PO-5531, issued 2026-09-01, due 2026-10-01, open 1,250.00 EUR
a free passage without a tag
</context>"""


def test_system_prompt_first_and_identical() -> None:
    for task, args in (
        ("dispute-classifier", [("one",), ("two",)]),
        ("ar-email-drafter", [(CONTEXT, "final_notice"), ("x", "reminder_pre_due")]),
    ):
        t = template_for(task)
        first, second = (t.messages(*a) for a in args)
        assert first[0] == second[0] == {"role": "system", "content": t.SYSTEM_PROMPT}
        assert t.TEMPLATE_VERSION.startswith(task)
        assert t.baseline_messages(*args[0])[0]["role"] == "system"


def test_classifier_completion_is_the_label() -> None:
    t = template_for("dispute-classifier")
    assert t.completion("short_shipment") == "short_shipment"
    with pytest.raises(ValueError):
        t.completion("nonsense")


def test_context_parser_is_tolerant() -> None:
    facts = parse_context(CONTEXT)
    assert [f.kind for f in facts] == ["customer", "invoice", "passage"]
    assert facts[1].id == "INV-10023" and facts[1].version == "v2"
    assert customer_names(facts) == ["Brightwater Foods GmbH"]
    line = "[customer:C00007@v1] Customer Redwood Wholesale Ltd (C00007). Terms: NET60 (60 days)."
    assert customer_names(parse_context(line)) == ["Redwood Wholesale Ltd"]
    assert parse_context("[invoice:X-1] text only")[0].version is None
    msg = template_for("ar-email-drafter").messages("[note:N-1@v1] hello", "final_notice")
    assert "<context>\n[note:N-1@v1] hello\n</context>" in msg[1]["content"]


def test_unknown_task() -> None:
    with pytest.raises(UnknownTaskError):
        template_for("nope")
