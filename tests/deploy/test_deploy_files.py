"""deploy/ stays in step with the code: settings names, forced adapters, paths and routes.

No Docker engine or cluster runs in CI; these checks catch the drift that would break an image
or a manifest without one (a renamed setting, a forced adapter that no longer exists).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from adapters.registry import Registry
from server.api.health.checks import CHECK_TIMEOUT_S
from server.app import create_app
from server.model_prep import DEFAULT_MODEL_NAME
from server.settings import Settings
from tests.server.fake_engine import FakeEngine

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
K8S = list(yaml.safe_load_all((DEPLOY / "k8s" / "arserve.yaml").read_text()))


def _dockerfile_env() -> dict[str, str]:
    block = re.search(r"^ENV (.*?)(?=^\S)", DOCKERFILE, re.S | re.M)
    assert block, "no ENV block in deploy/Dockerfile"
    pairs = re.findall(r"(\w+)=('[^']*'|\S+)", block.group(1))
    return {k: v.strip("'") for k, v in pairs}


def _k8s_container() -> dict:
    (deployment,) = [d for d in K8S if d["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_every_arserve_variable_is_a_setting() -> None:
    names = set(_dockerfile_env())
    names |= set(COMPOSE["services"]["arserve"]["environment"])
    names |= {e["name"] for e in _k8s_container()["env"]}
    fields = {f"ARSERVE_{name.upper()}" for name in Settings.model_fields}
    unknown = sorted(n for n in names if n.startswith("ARSERVE_") and n not in fields)
    assert not unknown, f"not settings: {unknown}"


def test_image_settings_load_and_point_at_the_baked_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in _dockerfile_env().items():
        if name.startswith("ARSERVE_"):
            monkeypatch.setenv(name, value)
    settings = Settings()  # read from the environment, as in the container
    assert settings.host == "0.0.0.0" and settings.keys_file is not None  # no open auth
    assert not settings.load_demo_data  # a deployment never seeds demo records
    make_model = re.search(r"make model .*CACHE_DIR=(\S+)", DOCKERFILE)
    assert make_model
    assert settings.base_model == f"{make_model.group(1)}/models/{DEFAULT_MODEL_NAME}"


def test_demo_data_is_off_in_every_deploy_file_and_on_in_make_serve() -> None:
    assert _dockerfile_env()["ARSERVE_LOAD_DEMO_DATA"] == "false"
    assert "ARSERVE_LOAD_DEMO_DATA" not in COMPOSE["services"]["arserve"]["environment"]
    assert "ARSERVE_LOAD_DEMO_DATA" not in {e["name"] for e in _k8s_container()["env"]}
    assert not Settings.model_fields["load_demo_data"].default
    serve = re.search(r"^serve:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.S | re.M)
    assert serve and "ARSERVE_LOAD_DEMO_DATA=$${ARSERVE_LOAD_DEMO_DATA:-true}" in serve.group(0)


def test_image_forces_what_make_serve_forces_and_it_is_in_the_registry() -> None:
    makefile = (ROOT / "Makefile").read_text()
    forced = re.search(r"^FORCE_ADAPTERS \?= (.*)$", makefile, re.M)
    assert forced
    assert json.loads(_dockerfile_env()["ARSERVE_FORCE_ADAPTERS"]) == json.loads(forced.group(1))
    for ref in json.loads(forced.group(1)):
        Registry().resolve_verified(ref)


def test_image_copies_every_package_it_installs() -> None:
    copied = set(re.findall(r"^COPY (\S+) \1$", DOCKERFILE, re.M))
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert packages - {"tests"} <= copied
    assert all((ROOT / c).exists() for c in copied)


def test_probes_and_scrape_path_are_real_routes() -> None:
    paths = {getattr(r, "path", None) for r in create_app(Settings(), FakeEngine()).routes}  # type: ignore[arg-type]
    container = _k8s_container()
    probes = [
        container[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe", "readinessProbe")
    ]
    (service,) = [d for d in K8S if d["kind"] == "Service" and d["metadata"]["name"] == "arserve"]
    healthcheck = re.search(r"127\.0\.0\.1:8000(/\w+)", DOCKERFILE)
    assert healthcheck
    wanted = {
        *probes,
        service["metadata"]["annotations"]["prometheus.io/path"],
        healthcheck.group(1),
    }
    assert wanted <= paths, wanted - paths


def test_liveness_is_health_and_readiness_is_ready_within_its_bound() -> None:
    container = _k8s_container()
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["startupProbe"]["httpGet"]["path"] == "/health"
    readiness = container["readinessProbe"]
    assert readiness["httpGet"]["path"] == "/ready"
    # the probe waits longer than /ready's checks may take (they run side by side)
    assert readiness.get("timeoutSeconds", 1) > CHECK_TIMEOUT_S
    # Docker restarts an unhealthy container: its health check is liveness, not readiness
    healthcheck = re.search(r"^HEALTHCHECK .*?127\.0\.0\.1:8000(/\w+)", DOCKERFILE, re.S | re.M)
    assert healthcheck and healthcheck.group(1) == "/health"
