"""Per-tenant adapters, canary and shadow rollouts on the real engine (the session's server).

Each test puts the serving state back as it found it: no route, no active rollout."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.manifest import MANIFEST_FILE
from adapters.tasks import DISPUTE_CLASSIFIER, EMAIL_DRAFTER
from server.rollouts.controller import RolloutController
from tests.helpers import assert_error, make_registry_entry
from tests.server.conftest import OTHER_TENANT, LiveServer

pytestmark = pytest.mark.engine

TENANT_ADAPTER = "tenant-disputes"
BROKEN_DRAFTER_VERSION = "90"
NUM_CUSTOMERS = 60


def _served(server: LiveServer, name: str) -> Path:
    status = server.app_state.adapters[name]
    manager = server.app_state.adapter_manager
    assert manager is not None and status.ready
    return manager.registry.resolve(status.ref).path


@pytest.fixture
def serving_state(live_server: LiveServer) -> Iterator[LiveServer]:
    """The test's server; afterwards every rollout ended, every route removed, access reset."""
    yield live_server
    with live_server.client(live_server.admin_key) as admin:
        for rollout in admin.get("/v1/rollouts").json()["data"]:
            if rollout["status"] == "active":
                admin.post(f"/v1/rollouts/{rollout['id']}/rollback", json={})
        for route in admin.get("/v1/routes").json()["routes"]:
            admin.delete(f"/v1/routes/{route['task']}/{route['tenant']}")
        table = admin.get("/v1/routes").json()
        for access in table["adapters"]:
            if access["tenants"] is not None:
                admin.put(f"/v1/adapters/{access['name']}/tenants", json={"tenants": None})
        left = admin.get("/v1/routes").json()
        assert left["routes"] == [] and all(a["tenants"] is None for a in left["adapters"])


def _classify(server: LiveServer, key: str, body: dict | None = None) -> dict:
    with server.client(key) as client:
        r = client.post("/v1/disputes/classify", json=body or {"text": "The pallet was crushed."})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _arms(server: LiveServer, customers: list[str]) -> list[str]:
    """The version that answered each customer (batches within the batch limit)."""
    out = []
    for start in range(0, len(customers), 30):
        items = [{"text": "Two cases were missing from the delivery.", "customer_id": c}
                 for c in customers[start : start + 30]]  # fmt: skip
        out += [a["adapter"] for a in _classify(server, server.infer_key, {"items": items})["data"]]
    return out


def test_a_tenants_adapter_is_invisible_and_unusable_for_other_tenants(
    serving_state: LiveServer,
) -> None:
    server = serving_state
    registry = server.app_state.settings.registry_dir
    if not (registry / TENANT_ADAPTER / "1").exists():
        make_registry_entry(registry, TENANT_ADAPTER, "1", _served(server, DISPUTE_CLASSIFIER),
                            task=DISPUTE_CLASSIFIER, schema_version=1)  # fmt: skip
    with server.client(server.admin_key) as admin:
        r = admin.put(f"/v1/adapters/{TENANT_ADAPTER}/tenants", json={"tenants": [OTHER_TENANT]})
        assert r.status_code == 200, r.text
        route = {"task": DISPUTE_CLASSIFIER, "tenant": OTHER_TENANT, "adapter": TENANT_ADAPTER}
        r = admin.put("/v1/routes", json=route)
        assert r.status_code == 200, r.text
        # The shared route can never name it.
        error = assert_error(admin.put("/v1/routes", json={**route, "tenant": "*"}), 400)
        assert "some tenants only" in error["message"]

    # The owner: its route answers with its adapter; the list and the OpenAI routes have it.
    assert _classify(server, server.other_tenant_key)["data"][0]["adapter"] == (
        f"{TENANT_ADAPTER}@1"
    )
    with server.client(server.other_tenant_key) as owner:
        assert TENANT_ADAPTER in {m["id"] for m in owner.get("/v1/models").json()["data"]}
        body = {"model": TENANT_ADAPTER, "prompt": "Invoice", "max_tokens": 2}
        assert owner.post("/v1/completions", json=body).status_code == 200

    # Everyone else: not listed, unknown on every route, the shared classifier on theirs.
    assert _classify(server, server.infer_key)["data"][0]["adapter"].startswith(
        f"{DISPUTE_CLASSIFIER}@"
    )
    with server.client(server.infer_key) as other:
        assert TENANT_ADAPTER not in {m["id"] for m in other.get("/v1/models").json()["data"]}
        for model in (TENANT_ADAPTER, f"{TENANT_ADAPTER}@1"):
            for path, body in (
                ("/v1/completions", {"model": model, "prompt": "Invoice", "max_tokens": 2}),
                ("/v1/chat/completions",
                 {"model": model, "messages": [{"role": "user", "content": "Hi"}],
                  "max_tokens": 2}),
            ):  # fmt: skip
                error = assert_error(other.post(path, json=body), 404, "model")
                assert error["code"] == "model_not_found"


def _add_customers(server: LiveServer) -> list[str]:
    ids = [f"RO-C{i:03d}" for i in range(NUM_CUSTOMERS)]
    rows = [{"record_type": "customer", "customer_id": c, "name": f"Rollout Test {c}"}
            for c in ids]  # fmt: skip
    with server.client(server.data_key) as data:
        r = data.post("/v1/records", json=rows)
    assert r.status_code == 200, r.text
    return ids


def test_a_canary_splits_distinct_customers_and_keeps_each_on_one_arm(
    serving_state: LiveServer,
) -> None:
    server = serving_state
    live = server.app_state.adapters[DISPUTE_CLASSIFIER].ref
    manager = server.app_state.adapter_manager
    assert manager is not None
    versions = manager.registry.versions(DISPUTE_CLASSIFIER)
    candidate = f"{DISPUTE_CLASSIFIER}@{next(v for v in versions if v != live.split('@')[1])}"
    customers = _add_customers(server)
    with server.client(server.admin_key) as admin:
        body = {"task": DISPUTE_CLASSIFIER, "candidate": candidate, "mode": "canary",
                "share": 0.5, "force": True}  # fmt: skip
        r = admin.post("/v1/rollouts", json=body)
        assert r.status_code == 200, r.text
        rollout = r.json()
        assert rollout["live"] == live and rollout["candidate"] == candidate
        assert_error(admin.post("/v1/rollouts", json=body), 409)  # one per route
        for bad in ({"share": 1.5}, {"share": -0.1}, {"mode": "blue-green"},
                    {"candidate": f"{DISPUTE_CLASSIFIER}@999"}, {"surprise": 1}):  # fmt: skip
            status = 404 if "candidate" in bad else 400
            assert_error(admin.post("/v1/rollouts", json={**body, **bad}), status)
    arms = _arms(server, customers)
    assert arms == _arms(server, customers)  # the same customer, the same version
    assert set(arms) == {live, candidate}
    with server.client(server.admin_key) as admin:
        # A batch split across the arms: its audit record names both versions and their weights.
        [record] = admin.get("/v1/audit", params={"adapter": candidate, "limit": 1}).json()["data"]
        assert record["arm"] == "mixed" and set(record["adapters"]) == {live, candidate}
        assert all(len(sha or "") == 64 for sha in record["adapters"].values()), record
    share = arms.count(candidate) / len(arms)
    assert 0.3 < share < 0.7, share
    with server.client(server.admin_key) as admin:
        scored = admin.get(f"/v1/rollouts/{rollout['id']}").json()["scores"]
        assert scored["candidate"]["requests"] == 2 * arms.count(candidate)
        assert scored["live"]["requests"] == 2 * arms.count(live)
        ended = admin.post(f"/v1/rollouts/{rollout['id']}/rollback", json={"reason": "test"})
        assert ended.json()["status"] == "rolled_back"
    assert _classify(server, server.infer_key)["data"][0]["adapter"] == live
    # The state file holds what the server serves; a controller built from it agrees.
    state_file = server.app_state.settings.registry_dir / "serving.json"
    stored = json.loads(state_file.read_text())
    assert stored["rollouts"][-1]["id"] == rollout["id"]
    again = RolloutController(manager, state_file, server.app_state.metrics)
    assert again.desired == server.app_state.rollouts.desired  # type: ignore[union-attr]


def _email(server: LiveServer, customer_id: str = "C00001",
           email_type: str = "reminder_overdue_1") -> dict:  # fmt: skip
    body = {"customer_id": customer_id, "email_type": email_type}
    with server.client(server.infer_key) as client:
        r = client.post("/v1/ar/emails", json=body)
    assert r.status_code == 200, r.text
    out = dict(r.json())
    for volatile in ("id", "timings_ms"):
        out.pop(volatile)
    return out


def _zeroed(source: Path, target: Path) -> Path:
    """A copy of an adapter whose weights were lost: every tensor zero, so it answers as the
    bare base model, which invents facts (its grounded rate in every drafter's evaluation is
    at most 0.06)."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(source, target)
    weights = target / "adapter_model.safetensors"
    save_file({k: v.zero_() for k, v in load_file(weights).items()}, weights)
    return target


@pytest.fixture
def broken_drafter(
    serving_state: LiveServer, test_adapters: dict[str, Path], tmp_path: Path
) -> Iterator[str]:
    """A drafter version with zeroed weights: it drafts, but not from the records. Removed
    afterwards, so no later test loads it as the newest version."""
    server = serving_state
    registry = server.app_state.settings.registry_dir
    served = _served(server, EMAIL_DRAFTER)
    template = json.loads((served / MANIFEST_FILE).read_text())["prompt_template_version"]
    weights = _zeroed(test_adapters["adapter-b"], tmp_path / "zeroed")
    folder = make_registry_entry(registry, EMAIL_DRAFTER, BROKEN_DRAFTER_VERSION, weights,
                                 task=EMAIL_DRAFTER, schema_version=1,
                                 prompt_template_version=template)  # fmt: skip
    yield f"{EMAIL_DRAFTER}@{BROKEN_DRAFTER_VERSION}"
    shutil.rmtree(folder)


REQUESTS = [(c, t) for t in ("reminder_overdue_1", "reminder_overdue_2", "final_notice")
            for c in ("C00001", "C00002")]  # fmt: skip


def test_a_broken_candidate_in_shadow_never_changes_answers_and_is_rolled_back(
    serving_state: LiveServer, broken_drafter: str
) -> None:
    server = serving_state
    before = _email(server)
    assert before["grounding"]["grounded"], "the live drafter should ground this request"
    with server.client(server.admin_key) as admin:
        body = {"task": EMAIL_DRAFTER, "candidate": broken_drafter, "mode": "shadow",
                "share": 1.0, "min_requests": 3, "margin": 0.3}  # fmt: skip
        r = admin.post("/v1/rollouts", json=body)
        assert r.status_code == 200, r.text
        rollout_id = r.json()["id"]
        assert _email(server) == before  # the live version answered; the candidate never shows
        # More requests, each waiting for its shadow run, until the gate acts.
        for customer_id, email_type in REQUESTS[1:]:
            rollout = admin.get(f"/v1/rollouts/{rollout_id}").json()
            if rollout["status"] != "active":
                break
            _email(server, customer_id, email_type)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                rollout = admin.get(f"/v1/rollouts/{rollout_id}").json()
                shadow = rollout["shadow"]
                if rollout["status"] != "active" or shadow["pending"] == 0:
                    break
                time.sleep(1)
        rollout = admin.get(f"/v1/rollouts/{rollout_id}").json()
    assert rollout["status"] == "rolled_back", rollout
    assert rollout["history"][-1]["by"] == "auto"
    assert "grounding-failure rate" in rollout["history"][-1]["reason"]
    scores = rollout["scores"]
    assert scores["candidate"]["grounded_rate"] < scores["live"]["grounded_rate"] - 0.3, scores
    assert scores["candidate"]["requests"] >= 3 and rollout["shadow"]["done"] >= 3
    assert broken_drafter not in server.app_state.adapters  # unloaded
