"""The LoRA CPU benchmark's report: ratios divide by the base model with arserve's ops."""

from pathlib import Path
from typing import Any

from benchmarks.lora_cpu_bench import write_report


def _row(n: int, rank: int, mode: str, tok_s: float) -> dict[str, Any]:
    return {"prompts": "short", "adapters": n, "rank": rank, "mode": mode, "tok_s": tok_s,
            "prompt_tokens": 30, "tok_cpu_s": tok_s / 2}  # fmt: skip


def test_ratios_use_the_base_row_with_arserve_ops(tmp_path: Path) -> None:
    rows = [_row(0, 0, "on", 200.0), _row(0, 0, "off", 100.0), _row(8, 8, "on", 150.0)]
    out = tmp_path / "lora_cpu.md"
    out.write_text("old table\n<!-- analysis -->\nkept text\n")
    write_report(out, [{"dtype": "bfloat16", "results": rows}], "cmd")
    text = out.read_text()
    assert "| bfloat16 | short (~30 tok) | base | - | on | 200.0 | 1.00 | 100.0 | 1.00 |" in text
    assert "| bfloat16 | short (~30 tok) | base | - | off | 100.0 | 0.50 | 50.0 | 0.50 |" in text
    assert "| bfloat16 | short (~30 tok) | 8 | 8 | on | 150.0 | 0.75 | 75.0 | 0.75 |" in text
    assert text.endswith("<!-- analysis -->\nkept text\n") and "old table" not in text
    assert (tmp_path / "lora_cpu.json").is_file()


def test_a_run_without_base_rows_has_no_ratios(tmp_path: Path) -> None:
    out = tmp_path / "lora_cpu.md"
    write_report(out, [{"dtype": "bfloat16", "results": [_row(1, 8, "on", 150.0)]}], "cmd")
    assert "| bfloat16 | short (~30 tok) | 1 | 8 | on | 150.0 | - | - | - |" in out.read_text()
