"""The deployment gate: an adapter whose evaluation is below a minimum score, or above a
maximum, is refused unless forced, and the refusal says why."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.manifest import Manifest

# The house's gate per task, on top of each manifest's own scores. It applies to manifests
# written from schema 2 on; older ones are judged by their own min_scores, as when trained.
TASK_GATE_SCHEMA = 2
TASK_GATES: dict[str, dict[str, dict[str, float]]] = {
    "ar-email-drafter": {
        "min": {
            "attribution_rate": 0.95,
            "type_fit_rate": 0.95,
            "instruction_rate": 0.8,
            "no_disputed_dunned_rate": 0.95,
        },
        "max": {},
    },
    "dispute-classifier": {
        "min": {"handmade_macro_f1": 0.55},
        # The error of the confidence the server routes with (see ROUTED_METRIC).
        "max": {"ece": 0.15},
    },
}
# A gated name standing for the first recorded summary key: the server routes with the
# calibrated confidence when calibration.json exists (`ece_after`), else with the raw one.
ROUTED_METRIC: dict[str, tuple[str, ...]] = {"ece": ("ece_after", "ece_before")}


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


def gate_scores(manifest: Manifest) -> tuple[dict[str, float], dict[str, float]]:
    """The (minimums, maximums) the manifest is judged by; the stricter of a duplicate wins."""
    minimums, maximums = dict(manifest.min_scores), dict(manifest.max_scores)
    task = TASK_GATES.get(manifest.task, {}) if manifest.schema_version >= TASK_GATE_SCHEMA else {}
    for metric, bound in task.get("min", {}).items():
        minimums[metric] = max(bound, minimums.get(metric, bound))
    for metric, bound in task.get("max", {}).items():
        maximums[metric] = min(bound, maximums.get(metric, bound))
    return minimums, maximums


def _value(results: dict[str, float], metric: str) -> float | None:
    for key in ROUTED_METRIC.get(metric, (metric,)):
        if key in results:
            return results[key]
    return None


def gate_reasons(manifest: Manifest) -> list[str]:
    """Why the manifest fails its gate (empty: it passes)."""
    reasons = []
    results = manifest.evaluation.metrics
    minimums, maximums = gate_scores(manifest)
    bounds = [(m, b, True) for m, b in minimums.items()]
    bounds += [(m, b, False) for m, b in maximums.items()]
    for metric, bound, is_min in sorted(bounds):
        value = _value(results, metric)
        if value is None:
            reasons.append(
                f"no evaluation result for {metric} (run arserve adapters eval {manifest.ref})"
            )
        elif is_min and value < bound:
            reasons.append(f"{metric} {value:.4f} is below the minimum {bound:.4f}")
        elif not is_min and value > bound:
            reasons.append(f"{metric} {value:.4f} is above the maximum {bound:.4f}")
    return reasons


def check_gate(manifest: Manifest, force: bool = False) -> GateResult:
    """Pass, or raise GateError; with force, return the reasons instead of raising."""
    reasons = gate_reasons(manifest)
    if not reasons:
        return GateResult(passed=True)
    if force:
        return GateResult(passed=False, forced=True, reasons=reasons)
    raise GateError(manifest.ref, reasons)
