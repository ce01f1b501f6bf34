"""Version resolution of an upsert batch, without a store."""

from retrieval.citations import point_uuid
from retrieval.nodes import content_hash
from retrieval.records import Customer
from retrieval.upsert_plan import Key, key_of, plan_upsert, stale_chunk_ids


def _c(cid: str, version: int, name: str = "Acme GmbH") -> Customer:
    return Customer(tenant_id="t1", customer_id=cid, name=name, version=version)


def test_batch_and_stored_versions_decide_what_is_written() -> None:
    same = _c("C2", 2)
    stored: dict[Key, dict] = {
        ("t1", "customer", "C2"): {"version": 2, "content_hash": content_hash(same)},
        ("t1", "customer", "C3"): {"version": 5, "content_hash": "x"},
        ("t1", "customer", "C4"): {"version": 1, "content_hash": "x", "n_chunks": 3},
        ("t1", "customer", "C5"): {"version": 1, "content_hash": "x"},
    }
    batch = [_c("C1", 1), _c("C1", 3), same, _c("C3", 4), _c("C4", 2), _c("C5", 1, "Other")]
    plan = plan_upsert(batch, lambda keys: {k: stored[k] for k in keys if k in stored})
    r = plan.report
    assert (r.inserted, r.updated, r.unchanged, r.stale) == (1, 1, 1, 2)
    assert r.conflicts == ["customer:C5@v1"]
    assert [(c.customer_id, c.version) for c in plan.to_write] == [("C1", 3), ("C4", 2)]
    assert [(c.customer_id, n) for c, n in plan.shrink] == [("C4", 3)]


def test_stale_chunk_ids_are_those_past_the_new_count() -> None:
    rec = _c("C4", 2)
    ids = stale_chunk_ids([(rec, 3)], {key_of(rec): 1})
    assert ids == [point_uuid("t1", "customer", "C4", i) for i in (1, 2)]
