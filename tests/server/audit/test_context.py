"""audit_note(): what the services add to the request's audit draft, and what it refuses."""

from __future__ import annotations

import logging

import pytest

from server.audit.context import Attempt, audit_note, begin_attempt, end_draft, start_draft


def test_outside_a_request_it_does_nothing() -> None:
    audit_note(customer_id="C1", citations=["invoice:I@1"])  # no draft: no error, no effect
    assert begin_attempt(Attempt(None, None, "base", None), supersedes=False).outcome == "started"


def test_notes_merge_and_lists_extend(caplog: pytest.LogCaptureFixture) -> None:
    draft, token = start_draft()
    try:
        audit_note(customer_id="C1", citations=["invoice:I-1@1"])
        audit_note(customer_id="C2", citations=["invoice:I-1@1", "invoice:I-2@4"])
        audit_note(customer_id="C1", grounding={"grounded": True}, arm="canary")
        audit_note(grounding={"problems": ["unsupported_fact"]}, rollout_id="r-1")
        with caplog.at_level(logging.WARNING, logger="arserve.audit"):
            audit_note(customer_name="Jane Doe", citations=[1], grounding={"x": {"y": 1}}, arm=3)
    finally:
        end_draft(token)
    assert draft.customer_ids == ["C1", "C2"]
    assert draft.citations == ["invoice:I-1@1", "invoice:I-2@4"]
    assert draft.grounding == {"grounded": True, "problems": ["unsupported_fact"]}
    assert (draft.arm, draft.rollout_id) == ("canary", "r-1")
    assert len(caplog.records) == 4 and "Jane Doe" not in caplog.text


def test_a_retry_supersedes_the_returned_text() -> None:
    draft, token = start_draft()
    try:
        first = begin_attempt(Attempt(None, None, "base", None), supersedes=True)
        second = begin_attempt(Attempt(None, None, "base", None), supersedes=True)
        batch = start_draft()
        try:
            a = begin_attempt(Attempt(None, None, "base", None), supersedes=False)
            b = begin_attempt(Attempt(None, None, "base", None), supersedes=False)
        finally:
            end_draft(batch[1])
    finally:
        end_draft(token)
    assert draft.attempts == [first, second] and draft.returned == [second]
    assert batch[0].attempts == [a, b] and batch[0].returned == [a, b]
