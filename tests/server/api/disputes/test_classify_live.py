"""The served classifier version's calibration on the real engine (the session's live server)."""

from __future__ import annotations

import pytest

from adapters.evaluation.calibration import read_calibration
from tests.server.conftest import LiveServer

pytestmark = pytest.mark.engine


def test_needs_review_follows_the_committed_calibration(live_server: LiveServer) -> None:
    texts = [
        "The pallet was crushed and half the bottles were broken on arrival.",
        "hi, about the thing from last week - can someone call me back",
    ]
    with live_server.client() as client:
        r = client.post("/v1/disputes/classify", json={"items": [{"text": t} for t in texts]})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    name, version = data[0]["adapter"].split("@")
    folder = live_server.app_state.settings.registry_dir / name / version
    calibration = read_calibration(folder)
    assert calibration is not None, f"{name}@{version} has no calibration.json"
    for item in data:
        threshold = calibration.thresholds[item["label"]]
        below = threshold is None or item["confidence"] < threshold
        assert item["needs_review"] is below
    # a plain damage claim is routed without review
    assert data[0]["label"] == "damaged_goods" and not data[0]["needs_review"]
