"""Online scores of a rollout's two arms, with the harness's own checks per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.errors import (
    InvalidRequestError,
    NotFoundError,
    OverloadedError,
    PayloadTooLargeError,
)

LIVE = "live"
CANDIDATE = "candidate"
ARMS = (LIVE, CANDIDATE)


@dataclass(frozen=True)
class Outcome:
    """One scored request of one arm; None: the check does not apply to this task."""

    is_error: bool = False
    is_grounded: bool | None = None  # e-mails: the draft passed the grounding check
    has_required: bool | None = None  # e-mails: the type's required elements
    is_styled: bool | None = None  # e-mails: subject, greeting, sign-off, length
    agrees: bool | None = None  # shadow classifications: the candidate's label = the live one
    is_correct: bool | None = None  # where feedback gives the right answer


def error_outcome(exc: BaseException) -> Outcome | None:
    """A failed request's score: None when the failure is the caller's or the queue's, not
    the version's (a bad parameter, an unknown record, a full queue)."""
    caller = (InvalidRequestError, NotFoundError, PayloadTooLargeError, OverloadedError)
    return None if isinstance(exc, caller) else Outcome(is_error=True)


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


@dataclass
class ArmScores:
    num_requests: int = 0
    num_errors: int = 0
    checks: dict[str, list[int]] = field(default_factory=dict)  # name -> [passed, checked]

    def add(self, outcome: Outcome) -> None:
        self.num_requests += 1
        self.num_errors += outcome.is_error
        for name in ("is_grounded", "has_required", "is_styled", "agrees", "is_correct"):
            value = getattr(outcome, name)
            if value is not None:
                counts = self.checks.setdefault(name, [0, 0])
                counts[0] += bool(value)
                counts[1] += 1

    @property
    def error_rate(self) -> float | None:
        return _rate(self.num_errors, self.num_requests)

    def rate(self, check: str) -> float | None:
        passed, checked = self.checks.get(check, (0, 0))
        return _rate(passed, checked)

    @property
    def grounding_failure_rate(self) -> float | None:
        passed, checked = self.checks.get("is_grounded", (0, 0))
        return _rate(checked - passed, checked)

    def summary(self) -> dict[str, float | int | None]:
        out: dict[str, float | int | None] = {
            "requests": self.num_requests,
            "errors": self.num_errors,
            "error_rate": self.error_rate,
        }
        rates = {
            "is_grounded": "grounded_rate",
            "has_required": "required_elements_rate",
            "is_styled": "style_rate",
            "agrees": "agreement_rate",
            "is_correct": "accuracy",
        }
        for check, (passed, checked) in sorted(self.checks.items()):
            out[rates[check]] = _rate(passed, checked)
            out[f"{rates[check]}_n"] = checked
        return out


def regression(live: ArmScores, candidate: ArmScores, margin: float, min_requests: int) -> str:
    """Why the candidate must be rolled back ('' while it holds up or too few requests)."""
    if min(live.num_requests, candidate.num_requests) < min_requests:
        return ""
    pairs = (
        ("error rate", live.error_rate, candidate.error_rate),
        ("grounding-failure rate", live.grounding_failure_rate, candidate.grounding_failure_rate),
    )
    for what, before, after in pairs:
        if before is not None and after is not None and after - before > margin:
            return (
                f"candidate {what} {after:.2f} exceeds the live version's {before:.2f} by more "
                f"than {margin:.2f} over {candidate.num_requests} requests"
            )
    return ""
