# ruff: noqa: E501 - fixture text
import pytest

from adapters.prompts import template_for
from adapters.tasks import UnknownTaskError

CONTEXT = template_for("ar-email-drafter").EXAMPLE_CONTEXT


def test_system_prompt_first_and_identical() -> None:
    for task, args in (
        ("dispute-classifier", [("one",), ("two",)]),
        ("ar-email-drafter", [(CONTEXT, "final_notice"), ("x", "reminder_pre_due")]),
    ):
        t = template_for(task)
        first, second = (t.messages(*a) for a in args)
        system = t.MERGE_SYSTEM_PROMPT if task == "ar-email-drafter" else t.SYSTEM_PROMPT
        assert first[0] == second[0] == {"role": "system", "content": system}
        assert t.TEMPLATE_VERSION.startswith(task)
        assert t.baseline_messages(*args[0])[0]["role"] == "system"


def test_classifier_completion_is_the_label() -> None:
    t = template_for("dispute-classifier")
    assert t.completion("short_shipment") == "short_shipment"
    with pytest.raises(ValueError):
        t.completion("nonsense")


def test_email_prompt_carries_the_block_instructions_and_language() -> None:
    t = template_for("ar-email-drafter")
    plain = t.messages(CONTEXT, "final_notice")[1]["content"]
    fields = t.merge_fields(CONTEXT).render("en")
    assert plain == f"Email type: final_notice\n\n{CONTEXT}\n\n{fields}"
    assert fields.startswith("## Merge fields\n{{customer.*}}: name, id, terms")
    old = t.messages(CONTEXT, "final_notice", template_version="ar-email-drafter/1")
    assert old[1]["content"] == f"Email type: final_notice\n\n{CONTEXT}"
    assert old[0]["content"] == t.SYSTEM_PROMPT
    asked = t.messages(CONTEXT, "final_notice", " Quote the PO. ", "de")[1]["content"]
    assert asked.startswith(plain + "\n\nInstructions from the AR team: Quote the PO.\n")
    assert asked.endswith("Write the e-mail in the language with code 'de'.")
    with pytest.raises(ValueError):
        t.context_request("C1", "nope")


def test_unknown_task() -> None:
    with pytest.raises(UnknownTaskError):
        template_for("nope")
