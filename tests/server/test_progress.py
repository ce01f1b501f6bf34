"""Progress: plain periodic lines off a terminal (a bar on one)."""

from __future__ import annotations

import io

from server.progress import Progress


def test_plain_lines_when_not_on_a_terminal() -> None:
    out = io.StringIO()
    bar = Progress(300, "ingest", every_s=0.0, stream=out)
    for done in (100, 200, 300):
        bar.to(done)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ingest: 100/300 rows (") and lines[-1].startswith("ingest: 300/300")
    assert all(line.endswith("rows/s)") for line in lines) and "\r" not in out.getvalue()


def test_quiet_between_intervals() -> None:
    out = io.StringIO()
    bar = Progress(None, "demo", every_s=3600.0, stream=out)
    bar.to(5)
    assert out.getvalue() == ""
    bar.close()
    assert out.getvalue().startswith("demo: 5 rows")
