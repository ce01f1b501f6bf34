"""The Grafana dashboard: every panel query parses (promtool) and names only metrics and labels
the server exports or the recording rules define."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml
from prometheus_client.metrics import MetricWrapperBase

from server.metrics import Metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DASHBOARD = json.loads((DEPLOY / "grafana" / "dashboards" / "arserve.json").read_text())
RULES = yaml.safe_load((DEPLOY / "prometheus" / "rules" / "arserve.yml").read_text())
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def _targets() -> list[dict[str, str]]:
    return [t for p in DASHBOARD["panels"] for t in p.get("targets", [])]


def _exported() -> tuple[set[str], set[str]]:
    """(series names, label names) of every metric the server exports."""
    names, labels = set(), {"le", "job", "instance"}
    for metric in vars(Metrics()).values():
        if isinstance(metric, MetricWrapperBase):
            kind = str(metric._type)  # noqa: SLF001 - prometheus_client keeps it private
            names |= {metric._name + s for s in SUFFIXES[kind]}  # noqa: SLF001
            labels |= set(metric._labelnames)  # noqa: SLF001
    return names, labels


def _recorded() -> set[str]:
    return {r["record"] for g in RULES["groups"] for r in g["rules"] if "record" in r}


def test_every_panel_query_parses(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: apt-get install -y prometheus (make test installs it)"
    targets = _targets()
    assert len(targets) >= 20
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": t["expr"]} for i, t in enumerate(targets)
    ]}]}  # fmt: skip
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    run = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_panels_name_only_exported_metrics_and_labels() -> None:
    names, labels = _exported()
    known = names | _recorded()
    for t in _targets():
        expr = t["expr"]
        used = set(re.findall(r"\b(arserve[_:][A-Za-z0-9_:]*)", expr))
        assert used and used <= known, (expr, sorted(used - known))
        grouped = {x.strip() for g in re.findall(r"by \(([^)]*)\)", expr) for x in g.split(",")}
        matched = set(re.findall(r"(\w+)=~?\"", expr))
        legend = set(re.findall(r"\{\{(\w+)\}\}", t.get("legendFormat", "")))
        assert grouped | matched | legend <= labels, (expr, sorted((grouped | matched) - labels))


def test_the_dashboard_covers_each_area() -> None:
    rows = [p["title"] for p in DASHBOARD["panels"] if p["type"] == "row"]
    assert rows == ["Overview", "Per adapter", "AR endpoints", "Retrieval and data",
                    "Engine and cost"]  # fmt: skip
    exprs = " ".join(t["expr"] for t in _targets())
    for needed in ("grounding_failure", "classification_labels", "retrieval_latency",
                   "kv_cache_usage", "cost_per_1k", "adapters_loaded", "ttft"):  # fmt: skip
        assert needed in exprs, needed
