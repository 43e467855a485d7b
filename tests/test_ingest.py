"""`bedside ingest`: idempotent, resumable, and bad input loses nothing."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bedside.config import Settings
from bedside.library.model import EvidenceLevel, Passage, Source
from bedside.library.store import Store


def store() -> Store:
    return Store(Settings.from_env().database_url)


def medquad_sample(shared_data: Path, target: Path, n: int = 12) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for f in sorted((shared_data / "medquad/6_NINDS_QA").glob("*.xml"))[:n]:
        shutil.copy(f, target / f.name)
    return target


def test_ingesting_the_same_files_twice_changes_nothing(home, bedside, shared_data, tmp_path):
    folder = medquad_sample(shared_data, tmp_path / "in")
    first = bedside("ingest", str(folder))
    assert first.exit_code == 0, first.output
    assert "12 sources added" in first.stderr
    counts, generation = store().counts(), store().generation()

    second = bedside("ingest", str(folder))
    assert second.exit_code == 0
    assert "0 sources added, 0 updated" in second.stderr
    assert "12 files already ingested" in second.stderr
    assert store().counts() == counts
    assert store().generation() == generation


def test_a_changed_file_updates_its_source_in_place(home, bedside, shared_data, tmp_path):
    folder = medquad_sample(shared_data, tmp_path / "in", n=2)
    bedside("ingest", str(folder))
    path = sorted(folder.glob("*.xml"))[0]
    path.write_text(path.read_text().replace("thin membrane", "thin membranous sheet"))

    result = bedside("ingest", str(folder))
    assert "0 sources added, 1 updated" in result.stderr
    hits = bedside("search", "membranous sheet", "--json", "-k", "1")
    assert "membranous sheet" in json.loads(hits.stdout)["results"][0]["text"]
    assert store().counts()["sources"] == 2


def test_bad_inputs_are_reported_one_line_each_and_the_rest_is_ingested(home, bedside, shared_data, tmp_path):
    good = medquad_sample(shared_data, tmp_path / "good", n=3)
    empty = tmp_path / "empty"
    empty.mkdir()
    unknown = tmp_path / "notes.bin"
    unknown.write_bytes(b"\x00\x01binary")
    truncated = tmp_path / "baseline.xml.gz"
    truncated.write_bytes(gzip.compress(b'<?xml version="1.0"?><PubmedArticleSet>' + b"<x/>" * 5000)[:300])
    latin1 = tmp_path / "0009999.xml"
    latin1.write_bytes(
        '<?xml version="1.0" encoding="UTF-8"?><Document id="0009999" source="NINDS"><Focus>Caf\xe9</Focus>'
        '<QAPairs><QAPair pid="1"><Question qtype="information">What is caf\xe9?</Question>'
        "<Answer>Caf\xe9 au lait spots.</Answer></QAPair></QAPairs></Document>".encode("latin-1")
    )

    result = bedside(
        "ingest", str(tmp_path / "missing"), str(empty), str(unknown), str(truncated), str(latin1), str(good)
    )

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 5
    for named in ("missing", "empty", "notes.bin", "baseline.xml.gz", "0009999.xml"):
        assert sum(named in line for line in errors) == 1, (named, errors)
    assert store().counts()["sources"] == 3


def test_a_bad_new_version_of_a_file_leaves_the_stored_one_intact(home, bedside, shared_data, tmp_path):
    folder = medquad_sample(shared_data, tmp_path / "in", n=1)
    path = next(folder.glob("*.xml"))
    bedside("ingest", str(path))
    [source_id] = [r for r in store_source_ids()]
    before = store().get_source(source_id)

    path.write_text(path.read_text()[:500])  # truncated mid-element
    result = bedside("ingest", str(path))

    assert result.exit_code == 2
    assert path.name in result.stderr and "malformed XML" in result.stderr
    assert store().get_source(source_id) == before


def store_source_ids() -> list[str]:
    with store().engine.connect() as conn:
        return conn.execute(sa.text("select source_id from sources")).scalars().all()


def test_hostile_xml_cannot_read_local_files(home, bedside, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-PASSWORD-42")
    hostile = tmp_path / "0000042.xml"
    hostile.write_text(
        f'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY leak SYSTEM "file://{secret}">]>'
        '<Document id="0000042" source="NINDS" url="http://x"><Focus>Leaky</Focus><QAPairs>'
        '<QAPair pid="1"><Question qtype="information">What is Leaky?</Question>'
        "<Answer>Leaky syndrome is described here. &leak;</Answer></QAPair></QAPairs></Document>"
    )
    bedside("ingest", str(hostile))
    with store().engine.connect() as conn:
        texts = conn.execute(sa.text("select text from passages")).scalars().all()
    assert all("TOPSECRET" not in t for t in texts)
    assert any("Leaky syndrome is described here." in t for t in texts)
    hits = json.loads(bedside("search", "TOPSECRET PASSWORD", "--json").stdout)["results"]
    assert all("TOPSECRET" not in hit["text"] for hit in hits)


def synthetic_sources(n: int, prefix: str) -> list[str]:
    lines = []
    for i in range(n):
        source = Source(
            source_id=f"{prefix}:{i}",
            title=f"Synthetic study {i} of hypertension",
            kind=EvidenceLevel.RCT,
            year=2000 + i % 25,
            passages=[Passage(text=f"Amlodipine {i} mg lowered blood pressure in trial {i}.", section="RESULTS")],
        ).finalise()
        lines.append(json.dumps(source.to_record()))
    return lines


def test_an_ingest_killed_midway_resumes_without_duplicates_or_gaps(home, tmp_path):
    small, big = tmp_path / "a-small.jsonl", tmp_path / "b-big.jsonl"
    small.write_text("\n".join(synthetic_sources(50, "small")) + "\n")
    big.write_text("\n".join(synthetic_sources(60_000, "big")) + "\n")
    command = [sys.executable, "-m", "bedside", "ingest", str(small), str(big)]
    process = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if Path(home / "bedside.db").exists() and store().file_signature(str(small.resolve())):
                break
            time.sleep(0.05)
        assert process.poll() is None, "the ingest finished before it could be killed; make the big file bigger"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert store().counts()["sources"] == 50  # the big file's transaction never committed

    resumed = subprocess.run(command, env=os.environ.copy(), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "1 files already ingested" in " ".join(resumed.stderr.split())
    assert store().counts() == {"sources": 60_050, "passages": 60_050}
