from pathlib import Path

import pytest

from adapters.gate import GateError, check_gate, gate_reasons
from adapters.manifest import read_manifest
from adapters.registry import (
    AdapterNotFoundError,
    IntegrityError,
    InvalidReferenceError,
    Registry,
    parse_ref,
)
from tests.adapters.conftest import REGISTRY, copy_entry


@pytest.mark.parametrize(
    "ref",
    [
        "../dispute-classifier@1",
        "a/b@1",
        "/etc/passwd",
        "x@../1",
        "x@1/../../2",
        "x@v1",
        "x@0",
        "X@1",
        "x@1@2",
        "",
        "..",
        "x@1/",
        "~root@1",
        "x@-1",
        "dispute-classifier@1/../2",
    ],
)
def test_parse_ref_refuses_paths_and_junk(ref: str) -> None:
    with pytest.raises(InvalidReferenceError):
        parse_ref(ref)


def test_parse_ref_accepts_names() -> None:
    assert parse_ref("dispute-classifier@12") == ("dispute-classifier", "12")
    assert parse_ref("ar-email-drafter") == ("ar-email-drafter", None)


def test_resolve_versions_and_latest(tmp_path: Path, reference_source: Path) -> None:
    reg = Registry(tmp_path)
    copy_entry(tmp_path, "demo", "1", reference_source)
    copy_entry(tmp_path, "demo", "2", reference_source)
    assert reg.versions("demo") == ["1", "2"] and reg.next_version("demo") == "3"
    assert reg.resolve("demo").version == "2"
    assert reg.resolve("demo@1").manifest.version == "1"
    assert [e.ref for e in reg.list()] == ["demo@1", "demo@2"]
    with pytest.raises(AdapterNotFoundError, match="versions: 1, 2"):
        reg.resolve("demo@3")
    with pytest.raises(AdapterNotFoundError):
        reg.resolve("missing@1")


def test_verify_detects_changed_weights(tmp_path: Path, reference_source: Path) -> None:
    reg = Registry(tmp_path)
    folder = copy_entry(tmp_path, "demo", "1", reference_source)
    reg.resolve_verified("demo@1")
    weights = folder / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="sha256"):
        reg.resolve_verified("demo@1")
    weights.unlink()
    with pytest.raises(IntegrityError, match="missing"):
        reg.resolve_verified("demo@1")


def test_manifest_must_match_folder(tmp_path: Path, reference_source: Path) -> None:
    copy_entry(tmp_path, "demo", "1", reference_source, version="7")
    with pytest.raises(IntegrityError, match="manifest says demo@7"):
        Registry(tmp_path).resolve("demo@1")
    (tmp_path / "broken" / "1").mkdir(parents=True)
    with pytest.raises(IntegrityError):
        Registry(tmp_path).resolve("broken@1")


def test_symlinked_entry_outside_registry_is_refused(
    tmp_path: Path, reference_source: Path
) -> None:
    outside = tmp_path / "outside"
    copy_entry(outside, "evil", "1", reference_source)
    root = tmp_path / "registry"
    (root / "evil").mkdir(parents=True)
    (root / "evil" / "1").symlink_to(outside / "evil" / "1")
    with pytest.raises(InvalidReferenceError, match="outside the registry"):
        Registry(root).resolve("evil@1")


def test_reference_adapters_are_committed_and_verified() -> None:
    reg = Registry(REGISTRY)
    refs = {e.ref for e in reg.list()}
    assert {"dispute-classifier@1", "ar-email-drafter@1"} <= refs
    for ref in ("dispute-classifier@1", "ar-email-drafter@1"):
        entry = reg.resolve_verified(ref)
        m = entry.manifest
        assert m.rank <= 16 and set(m.target_modules) <= {"q_proj", "k_proj", "v_proj", "o_proj"}
        assert (entry.path / "adapter_model.safetensors").stat().st_size < 8_000_000
        assert m.base_model_id == "SmolLM2-135M-Instruct" and len(m.base_model_sha256) == 64
        assert m.min_scores and m.training_data_size["train"] > 0


def test_gate(tmp_path: Path, reference_source: Path) -> None:
    folder = copy_entry(
        tmp_path,
        "demo",
        "1",
        reference_source,
        min_scores={"macro_f1": 0.8, "macro_f1_gain_over_baseline": 0.3},
        evaluation={"metrics": {"macro_f1": 0.9, "macro_f1_gain_over_baseline": 0.1}},
    )
    m = read_manifest(folder)
    assert gate_reasons(m) == ["macro_f1_gain_over_baseline 0.1000 is below the minimum 0.3000"]
    with pytest.raises(GateError, match="demo@1 fails the deployment gate: macro_f1_gain") as exc:
        check_gate(m)
    assert exc.value.reasons == gate_reasons(m)
    forced = check_gate(m, force=True)
    assert forced.forced and not forced.passed and forced.reasons
    m.evaluation = {}
    assert all("no evaluation result" in r for r in gate_reasons(m))
    m.evaluation = {"metrics": {"macro_f1": 0.85, "macro_f1_gain_over_baseline": 0.4}}
    assert check_gate(m).passed
    m.min_scores = {}
    m.evaluation = {}
    assert check_gate(m).passed  # no minimum scores: nothing to gate on
