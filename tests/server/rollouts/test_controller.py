"""Routes and rollouts on the real adapter manager over a fake engine: desired state,
reconcile, canary split, scores and automatic rollback, persistence across a restart."""

from __future__ import annotations

import asyncio
import contextvars
import json
from pathlib import Path

import pytest

from adapters.registry import Registry
from adapters.tasks import DISPUTE_CLASSIFIER, EMAIL_DRAFTER
from adapters.validation import BaseModelInfo
from server.adapter_manager import AdapterManager
from server.errors import ConflictError, InvalidRequestError, NotFoundError, UnprocessableError
from server.metrics import Metrics
from server.rollouts import changes
from server.rollouts.controller import RolloutController
from server.rollouts.scores import CANDIDATE, LIVE, Outcome
from server.rollouts.shadow import ShadowRunner
from server.rollouts.state import (
    SHARED,
    DesiredState,
    Rollout,
    RolloutMode,
    StateError,
    Transition,
    load_state,
    save_state,
    state_path,
)
from server.settings import Settings
from tests.helpers import make_registry_entry
from tests.server.fake_engine import FakeEngine

PASSING = {"schema_version": 1}  # judged by its own (empty) minimums: passes


@pytest.fixture
def registry_dir(tmp_path: Path, test_adapters: dict[str, Path]) -> Path:
    root = tmp_path / "registry"
    a, b = test_adapters["adapter-a"], test_adapters["adapter-b"]
    for version, source in (("1", a), ("2", b), ("3", a)):
        make_registry_entry(root, DISPUTE_CLASSIFIER, version, source, task=DISPUTE_CLASSIFIER,
                            **PASSING)  # fmt: skip
    make_registry_entry(root, EMAIL_DRAFTER, "1", a, task=EMAIL_DRAFTER, **PASSING)
    make_registry_entry(root, "acme-disputes", "1", b, task=DISPUTE_CLASSIFIER, **PASSING)
    make_registry_entry(
        root, DISPUTE_CLASSIFIER, "4", b, task=DISPUTE_CLASSIFIER, schema_version=1,
        min_scores={"macro_f1": 0.9}, evaluation={"metrics": {"macro_f1": 0.5}},
    )  # fmt: skip
    return root


async def _controller(
    registry_dir: Path, base_model_dir: Path, engine: FakeEngine | None = None
) -> RolloutController:
    engine = engine or FakeEngine()
    settings = Settings(registry_dir=registry_dir, enable_retrieval=False)
    base = BaseModelInfo.from_folder(base_model_dir, aliases={engine.model_name})
    manager = AdapterManager(engine, base, Registry(registry_dir), settings, Metrics())
    controller = RolloutController(manager, state_path(registry_dir), manager.metrics)
    await manager.load_startup(controller.pinned())
    await controller.reconcile()
    return controller


def _rollout(candidate: str, mode: RolloutMode, share: float, **extra: float) -> Rollout:
    fields = {"id": "-", "task": DISPUTE_CLASSIFIER, "tenant": SHARED, "live": "-",
              "candidate": candidate, "mode": mode, "share": share, **extra,
              "history": [Transition(event="started", by="test")]}  # fmt: skip
    return Rollout.model_validate(fields)


def test_state_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "serving.json"
    assert load_state(path) == DesiredState()  # no file: every adapter at its newest
    state = DesiredState(generation=3)
    save_state(path, state)
    assert load_state(path) == state
    assert not list(tmp_path.glob(".*.tmp"))
    # A crash before the rename leaves a temporary file and the old state, never a mix.
    (tmp_path / ".serving.json.99.tmp").write_text('{"generation": 4, "rout')
    assert load_state(path).generation == 3
    path.write_text('{"generation": "x"}')
    with pytest.raises(StateError, match="not a valid serving state"):
        load_state(path)
    path.write_text(json.dumps({"schema_version": 9}))
    with pytest.raises(StateError, match="schema 9"):
        load_state(path)


def test_route_changes_are_checked_before_anything_changes(
    registry_dir: Path, base_model_dir: Path
) -> None:
    async def run() -> None:
        c = await _controller(registry_dir, base_model_dir)
        resolve = c.manager.resolve
        before = c.desired
        cases = [
            (lambda s: changes.set_route(s, resolve, "nope", "acme", "acme-disputes", False),
             InvalidRequestError),
            (lambda s: changes.set_route(s, resolve, DISPUTE_CLASSIFIER, "acme", "ghost", False),
             NotFoundError),
            (lambda s: changes.set_route(s, resolve, EMAIL_DRAFTER, "acme", "acme-disputes@1",
                                         False), InvalidRequestError),
            (lambda s: changes.set_route(s, resolve, DISPUTE_CLASSIFIER, "acme",
                                         "dispute-classifier@4", False), UnprocessableError),
        ]  # fmt: skip
        for change, error in cases:
            with pytest.raises(error):
                await c.apply(change)
        assert c.desired is before and not state_path(registry_dir).exists()
        # Forced past its gate, the pinned version loads beside the one served by name.
        await c.apply(
            lambda s: changes.set_route(
                s, resolve, DISPUTE_CLASSIFIER, "acme", "dispute-classifier@4", True
            )
        )
        assert c.manager.statuses["dispute-classifier"].version == "3"
        assert c.manager.statuses["dispute-classifier@4"].ready
        assert c.choose("acme", DISPUTE_CLASSIFIER, DISPUTE_CLASSIFIER, "c1").key == (
            "dispute-classifier@4"
        )
        assert c.choose("other", DISPUTE_CLASSIFIER, DISPUTE_CLASSIFIER, "c1").key == (
            "dispute-classifier"
        )
        await c.apply(lambda s: changes.delete_route(s, DISPUTE_CLASSIFIER, "acme"))
        assert "dispute-classifier@4" not in c.manager.statuses  # unloaded with its route
        assert load_state(state_path(registry_dir)).generation == 2

    asyncio.run(run())


def test_a_tenant_only_adapter_is_unknown_to_every_other_tenant(
    registry_dir: Path, base_model_dir: Path
) -> None:
    async def run() -> None:
        c = await _controller(registry_dir, base_model_dir)
        resolve = c.manager.resolve
        await c.apply(lambda s: changes.set_tenants(s, resolve, "acme-disputes", ["acme"]))
        await c.apply(
            lambda s: changes.set_route(s, resolve, DISPUTE_CLASSIFIER, "acme", "acme-disputes",
                                        False)
        )  # fmt: skip
        assert "acme-disputes" in c.visible("acme") and "acme-disputes" not in c.visible("b")
        assert c.choose_model("acme", "acme-disputes", None).key == "acme-disputes"
        for model in ("acme-disputes", "acme-disputes@1", "acme-disputes@9", "a@b@c"):
            with pytest.raises(NotFoundError):
                c.choose_model("b", model, None)
        # Neither can the shared route name it, nor another tenant's route.
        with pytest.raises(InvalidRequestError):
            changes.set_route(c.desired, resolve, DISPUTE_CLASSIFIER, SHARED, "acme-disputes",
                              False)  # fmt: skip
        with pytest.raises(NotFoundError):
            changes.set_route(c.desired, resolve, DISPUTE_CLASSIFIER, "b", "acme-disputes", False)
        # Taking acme off while its route uses the adapter is refused.
        with pytest.raises(ConflictError):
            changes.set_tenants(c.desired, resolve, "acme-disputes", ["b"])

    asyncio.run(run())


def test_canary_splits_customers_stably_and_promotion_survives_a_restart(
    registry_dir: Path, base_model_dir: Path
) -> None:
    async def run() -> None:
        c = await _controller(registry_dir, base_model_dir)
        resolve = c.manager.resolve
        live = c.manager.statuses["dispute-classifier"].ref
        assert live == "dispute-classifier@3"
        canary = _rollout("dispute-classifier@2", RolloutMode.CANARY, 0.5)
        state = await c.apply(lambda s: changes.start_rollout(s, resolve, live, canary, False))
        rollout = state.rollouts[-1]
        with pytest.raises(ConflictError):  # one rollout per route
            changes.start_rollout(c.desired, resolve, live, canary, False)
        customers = [f"CUST-{i:04d}" for i in range(400)]
        arms = {cu: c.choose("t", DISPUTE_CLASSIFIER, "dispute-classifier", cu) for cu in customers}
        share = sum(ch.arm == CANDIDATE for ch in arms.values()) / len(customers)
        assert 0.42 < share < 0.58
        assert {ch.key for ch in arms.values()} == {"dispute-classifier", "dispute-classifier@2"}
        for cu in customers[:50]:  # the same customer always lands on the same arm
            again = c.choose("t", DISPUTE_CLASSIFIER, "dispute-classifier", cu)
            assert again == arms[cu]

        # A restart (a new controller on the same files) keeps the rollout.
        c2 = await _controller(registry_dir, base_model_dir)
        assert c2.desired.rollout(rollout.id) == rollout
        assert c2.manager.statuses["dispute-classifier@2"].ready
        assert (
            c2.choose("t", DISPUTE_CLASSIFIER, "dispute-classifier", "CUST-0001")
            == arms["CUST-0001"]
        )

        await c2.end(rollout.id, promote=True, by="test", reason="looks good")
        assert c2.manager.statuses["dispute-classifier"].version == "2"
        assert "dispute-classifier@2" not in c2.manager.statuses
        with pytest.raises(ConflictError):
            await c2.end(rollout.id, promote=False, by="test", reason=None)
        # The next start serves the promoted version by name, not the newest (3).
        c3 = await _controller(registry_dir, base_model_dir)
        assert c3.manager.statuses["dispute-classifier"].version == "2"
        events = [t.event for t in c3.desired.rollouts[-1].history]
        assert events == ["started", "promoted"]

    asyncio.run(run())


def test_a_regressing_candidate_is_rolled_back_automatically(
    registry_dir: Path, base_model_dir: Path
) -> None:
    async def run() -> None:
        c = await _controller(registry_dir, base_model_dir)
        resolve = c.manager.resolve
        canary = _rollout("dispute-classifier@2", RolloutMode.CANARY, 0.5, min_requests=5,
                          margin=0.2)  # fmt: skip
        state = await c.apply(
            lambda s: changes.start_rollout(s, resolve, "dispute-classifier@3", canary, False)
        )
        rollout_id = state.rollouts[-1].id
        for _ in range(4):
            await c.record(rollout_id, LIVE, "dispute-classifier", Outcome(is_grounded=True))
            await c.record(
                rollout_id, CANDIDATE, "dispute-classifier@2", Outcome(is_grounded=False)
            )
        assert c.desired.rollout(rollout_id).is_active  # type: ignore[union-attr]  # 4 < 5
        await c.record(rollout_id, LIVE, "dispute-classifier", Outcome(is_grounded=True))
        await c.record(rollout_id, CANDIDATE, "dispute-classifier@2", Outcome(is_grounded=False))
        ended = c.desired.rollout(rollout_id)
        assert ended is not None and ended.status == "rolled_back"
        assert ended.history[-1].by == "auto" and "grounding-failure rate" in (
            ended.history[-1].reason or ""
        )
        assert "dispute-classifier@2" not in c.manager.statuses
        assert c.manager.statuses["dispute-classifier"].version == "3"  # live unchanged
        assert load_state(state_path(registry_dir)).rollout(rollout_id).status == "rolled_back"  # type: ignore[union-attr]
        sample = c.metrics.registry.get_sample_value(
            "arserve_version_requests_total",
            {"adapter": "dispute-classifier", "version": "2", "arm": "candidate",
             "result": "grounding_failed"},
        )  # fmt: skip
        assert sample == 5

    asyncio.run(run())


def test_shadow_runner_is_bounded_and_runs_outside_the_request_context() -> None:
    request_var: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="none")

    async def run() -> None:
        runner = ShadowRunner(max_queue=2, num_workers=1)
        seen: list[str] = []
        gate = asyncio.Event()

        async def job() -> None:
            await gate.wait()
            seen.append(request_var.get())

        async def failing() -> None:
            raise RuntimeError("candidate broke")

        request_var.set("live-request")
        accepted = [runner.submit(job) for _ in range(5)]
        # one taken by the worker at once? Not before the loop runs: 2 queued, 3 dropped
        assert accepted == [True, True, False, False, False]
        assert runner.stats.num_dropped == 3
        gate.set()
        await runner.drain()
        assert seen == ["none", "none"]  # never the live request's context
        assert runner.submit(failing)
        await runner.drain()
        assert runner.stats.num_failed == 1 and runner.stats.num_done == 2
        await runner.close()

    asyncio.run(run())


def test_a_shadow_run_that_times_out_is_the_candidates_failure() -> None:
    async def run() -> None:
        runner = ShadowRunner(timeout_s=0.05)
        timed_out: list[str] = []

        async def hangs() -> None:
            await asyncio.sleep(10)

        async def on_timeout() -> None:
            timed_out.append("scored")

        assert runner.submit(hangs, on_timeout=on_timeout)
        assert runner.stats.num_pending == 1
        await runner.drain()
        assert timed_out == ["scored"]
        assert runner.stats.num_failed == 1 and runner.stats.num_pending == 0
        await runner.close()

    asyncio.run(run())
