"""The audit log on disk: the chain, what verify detects, a torn final line after a crash,
concurrent writers (threads and processes), the keyed customer hash and its secret."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import stat
import threading
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from server.audit.log import AuditError, AuditLog, load_or_create_secret
from server.audit.record import GENESIS, AuditEntry, customer_ref, record_hash
from server.audit.verify import verify
from server.settings import Settings

SECRET = b"s" * 32


def entry(n: int = 0, customer: str | None = "C00042") -> AuditEntry:
    customers = [customer] if customer else []
    return AuditEntry(
        request_id=f"req-{n}",
        endpoint="/v1/ar/emails",
        status=200,
        latency_ms=12.5,
        attempts=1,
        tenant="acme-foods",
        key_id="k1",
        customer_ids=customers,
        citations=["invoice:INV-1@3"],
    )


def filled(tmp_path: Path, n: int) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl", SECRET)
    for i in range(n):
        log.append(entry(i))
    return log


def lines_of(log: AuditLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def test_records_are_chained(tmp_path: Path) -> None:
    log = filled(tmp_path, 3)
    records = [json.loads(line) for line in lines_of(log)]
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[0]["prev"] == GENESIS
    assert records[1]["prev"] == records[0]["hash"] and records[2]["prev"] == records[1]["hash"]
    assert all(r["hash"] == record_hash(r) for r in records)
    report = verify(log.path)
    assert report.ok and report.records == 3 and report.last_hash == records[2]["hash"]
    assert "intact: 3 records" in report.summary(log.path)


def test_a_new_log_object_continues_the_chain(tmp_path: Path) -> None:
    filled(tmp_path, 2)
    AuditLog(tmp_path / "audit.jsonl", SECRET).append(entry(9))
    assert verify(tmp_path / "audit.jsonl").records == 3


def _rewrite(log: AuditLog, lines: list[bytes]) -> None:
    log.path.write_bytes(b"".join(lines))


def test_verify_detects_an_edited_line(tmp_path: Path) -> None:
    log = filled(tmp_path, 4)
    lines = lines_of(log)
    lines[1] = lines[1].replace(b'"status":200', b'"status":201')
    _rewrite(log, lines)
    report = verify(log.path)
    assert (report.bad_line, report.ok) == (2, False)
    assert report.problem is not None and report.problem.startswith("edited")


def test_verify_detects_an_edited_and_rehashed_line(tmp_path: Path) -> None:
    log = filled(tmp_path, 4)
    lines = lines_of(log)
    record = json.loads(lines[1])
    record["status"] = 500
    record["hash"] = record_hash(record)
    lines[1] = (json.dumps(record) + "\n").encode()
    _rewrite(log, lines)
    report = verify(log.path)
    assert report.bad_line == 3 and report.problem and "edited" in report.problem


@pytest.mark.parametrize("index", [0, 2, 3])
def test_verify_detects_a_removed_line(tmp_path: Path, index: int) -> None:
    log = filled(tmp_path, 5)
    lines = lines_of(log)
    del lines[index]
    _rewrite(log, lines)
    report = verify(log.path)
    assert report.bad_line == index + 1
    assert report.problem and report.problem.startswith("missing")


def test_verify_detects_reordered_lines(tmp_path: Path) -> None:
    log = filled(tmp_path, 5)
    lines = lines_of(log)
    lines[1], lines[3] = lines[3], lines[1]
    _rewrite(log, lines)
    report = verify(log.path)
    assert report.bad_line == 2 and report.problem and report.problem.startswith("reordered")


def test_verify_detects_an_inserted_line(tmp_path: Path) -> None:
    log = filled(tmp_path, 3)
    lines = lines_of(log)
    forged = json.loads(lines[0])
    forged.update(seq=2, prev=forged["hash"], request_id="forged")
    forged["hash"] = record_hash(forged)
    lines.insert(1, (json.dumps(forged) + "\n").encode())
    _rewrite(log, lines)
    report = verify(log.path)
    assert report.bad_line == 3 and report.problem and "inserted" in report.problem


def test_verify_detects_a_line_that_is_not_json(tmp_path: Path) -> None:
    log = filled(tmp_path, 3)
    lines = lines_of(log)
    lines[1] = b"{not json\n"
    _rewrite(log, lines)
    report = verify(log.path)
    assert report.bad_line == 2 and report.problem and "bad JSON" in report.problem


def test_a_torn_final_line_is_reported_then_cut_by_the_next_append(tmp_path: Path) -> None:
    log = filled(tmp_path, 3)
    intact = log.path.read_bytes()
    line = lines_of(log)[-1]
    # kill -9 mid-write: the start of a fourth line, no newline
    with log.path.open("ab") as f:
        f.write(line[: len(line) // 2])
    report = verify(log.path)
    assert report.ok and report.records == 3 and report.torn_bytes == len(line) // 2
    assert "final line 4 is torn" in report.summary(log.path)

    # another process (a restarted server) appends: the chain continues from record 3
    record = AuditLog(log.path, SECRET).append(entry(4))
    assert log.path.read_bytes().startswith(intact)
    assert record["seq"] == 4 and record["prev"] == json.loads(line)["hash"]
    assert record["torn_tail"] == {
        "offset": len(intact),
        "bytes": len(line) // 2,
        "sha256": hashlib.sha256(line[: len(line) // 2]).hexdigest(),
    }
    after = verify(log.path)
    assert after.ok and after.records == 4 and after.torn_bytes == 0 and after.cut_tails == 1


def test_a_torn_line_seen_by_the_same_log_object_is_cut_too(tmp_path: Path) -> None:
    log = filled(tmp_path, 2)
    with log.path.open("ab") as f:
        f.write(b'{"seq":3,"pr')
    log.append(entry(3))
    assert verify(log.path).records == 3


def test_an_unparseable_last_line_stops_appends(tmp_path: Path) -> None:
    log = filled(tmp_path, 2)
    with log.path.open("ab") as f:
        f.write(b"garbage\n")
    with pytest.raises(AuditError, match="verify"):
        AuditLog(log.path, SECRET).append(entry(3))


def test_concurrent_appends_from_threads(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", SECRET)
    threads = [
        threading.Thread(target=lambda k=k: [log.append(entry(k * 100 + i)) for i in range(20)])
        for k in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = verify(log.path)
    assert report.ok and report.records == 160


def _append_many(path: str, start: int, num: int) -> None:
    log = AuditLog(Path(path), SECRET)  # its own object: only the file lock orders them
    for i in range(num):
        log.append(entry(start + i))


def test_concurrent_appends_from_two_processes(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(path), k * 1000, 60)) for k in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    report = verify(path)
    assert report.ok and report.records == 120
    ids = {json.loads(line)["request_id"] for line in path.read_bytes().splitlines()}
    assert len(ids) == 120


def test_the_customer_is_an_hmac_never_a_bare_hash(tmp_path: Path) -> None:
    log = filled(tmp_path, 1)
    raw = log.path.read_bytes()
    record = json.loads(raw)
    assert b"C00042" not in raw
    assert "customer_id" not in record
    bare = hashlib.sha256(b"C00042").hexdigest()
    bare_with_tenant = hashlib.sha256(b"acme-foods\x1fC00042").hexdigest()
    assert bare.encode() not in raw and bare_with_tenant.encode() not in raw
    [ref] = record["customer_refs"]
    assert ref == customer_ref(SECRET, "acme-foods", "C00042")
    # another secret, another ref: it cannot be computed without the secret
    assert customer_ref(b"t" * 32, "acme-foods", "C00042") != ref
    # the same customer in another tenant is another ref
    assert customer_ref(SECRET, "atlas-supply", "C00042") != ref
    assert record["customer_ref_key"]


def test_no_customer_no_ref(tmp_path: Path) -> None:
    record = AuditLog(tmp_path / "audit.jsonl", SECRET).append(entry(customer=None))
    assert record["customer_refs"] == [] and record["customer_ref_key"] is None


def test_the_secret_file_is_created_0600_once_and_reused(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, audit_dir=tmp_path / "audit")
    log = AuditLog.open(settings)
    assert log is not None and not (tmp_path / "audit").exists()  # opening writes nothing
    first = log.append(entry(1))
    secret_file = tmp_path / "audit" / "secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    content = secret_file.read_bytes()
    again = AuditLog.open(settings)
    assert again is not None
    second = again.append(entry(2))
    assert secret_file.read_bytes() == content
    assert first["customer_refs"] == second["customer_refs"]
    assert [p.name for p in secret_file.parent.iterdir() if p.name.startswith(".")] == []


def test_a_configured_secret_is_used_and_no_file_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARSERVE_AUDIT_SECRET", "x" * 40)
    log = AuditLog.open(Settings(audit_dir=tmp_path))
    assert log is not None
    record = log.append(entry())
    assert record["customer_refs"] == [customer_ref(b"x" * 40, "acme-foods", "C00042")]
    assert not (tmp_path / "secret").exists()


def test_settings_hold_the_audit_invariants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARSERVE_AUDIT_DIR", raising=False)
    with pytest.raises(ValueError, match="32 characters"):
        Settings(audit_secret=SecretStr("short"))
    assert Settings(cache_dir=tmp_path).resolved_audit_dir == tmp_path / "audit"
    assert AuditLog.open(Settings(enable_audit=False)) is None


def test_a_short_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("abc")
    with pytest.raises(AuditError, match="shorter"):
        load_or_create_secret(tmp_path / "secret")


def test_the_secret_is_not_world_readable_even_with_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        load_or_create_secret(tmp_path / "d" / "secret")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "d" / "secret").stat().st_mode) == 0o600


def test_a_cited_customer_record_is_keyed_too(tmp_path: Path) -> None:
    e = entry()
    e.citations = ["customer:C00042@v3", "invoice:INV-1@v2", "customer:C7"]
    record = AuditLog(tmp_path / "audit.jsonl", SECRET).append(e)
    ref = customer_ref(SECRET, "acme-foods", "C00042")
    assert record["citations"] == [
        f"customer:hmac:{ref}@v3",
        "invoice:INV-1@v2",
        f"customer:hmac:{customer_ref(SECRET, 'acme-foods', 'C7')}",
    ]
    assert b"C00042" not in (tmp_path / "audit.jsonl").read_bytes()


def _append_forever(path: str) -> None:
    log = AuditLog(Path(path), SECRET)
    for i in range(1_000_000):
        log.append(entry(i))


def test_a_writer_killed_mid_stream_leaves_a_chain_the_next_append_continues(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"
    proc = multiprocessing.get_context("spawn").Process(target=_append_forever, args=(str(path),))
    proc.start()
    try:
        deadline = time.monotonic() + 60
        while (not path.exists() or path.stat().st_size < 20_000) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.kill(proc.pid or 0, signal.SIGKILL)
        proc.join(timeout=30)
    before = verify(path)
    assert before.ok and before.records > 0
    record = AuditLog(path, SECRET).append(entry(-1))
    assert record["seq"] == before.records + 1 and record["prev"] == before.last_hash
    after = verify(path)
    assert after.ok and after.records == before.records + 1 and after.torn_bytes == 0
