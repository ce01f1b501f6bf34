"""The deployment gate: an adapter whose evaluation is below the manifest's minimum scores is
refused unless forced, and the refusal says why."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.manifest import Manifest


class GateError(Exception):
    """The adapter fails the deployment gate; `reasons` lists each failed check."""

    def __init__(self, ref: str, reasons: list[str]) -> None:
        self.ref = ref
        self.reasons = reasons
        super().__init__(
            f"{ref} fails the deployment gate: {'; '.join(reasons)} (load with force to override)"
        )


@dataclass
class GateResult:
    passed: bool
    forced: bool = False
    reasons: list[str] = field(default_factory=list)


def gate_reasons(manifest: Manifest) -> list[str]:
    """Why the manifest fails its own minimum scores (empty: it passes)."""
    reasons = []
    results = manifest.evaluation.metrics
    for metric, minimum in sorted(manifest.min_scores.items()):
        value = results.get(metric)
        if value is None:
            reasons.append(
                f"no evaluation result for {metric} (run arserve adapters eval {manifest.ref})"
            )
        elif value < minimum:
            reasons.append(f"{metric} {value:.4f} is below the minimum {minimum:.4f}")
    return reasons


def check_gate(manifest: Manifest, force: bool = False) -> GateResult:
    """Pass, or raise GateError; with force, return the reasons instead of raising."""
    reasons = gate_reasons(manifest)
    if not reasons:
        return GateResult(passed=True)
    if force:
        return GateResult(passed=False, forced=True, reasons=reasons)
    raise GateError(manifest.ref, reasons)
