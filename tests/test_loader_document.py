"""The user's own Markdown and HTML documents with a metadata header."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedside.library.loaders import document, loader_for, walk
from bedside.library.loaders._files import read_head
from bedside.library.model import EvidenceLevel, LoaderError

GUIDELINE = """---
title: "Hypertension in adults: local guideline"
kind: Guideline
publisher: St Elsewhere Pharmacy Committee
year: 2024
url: https://intranet.example.org/htn
authors: A. Smith, B. Jones
licence: internal use
layout: page
---
Applies to **adults** on the [medical wards](https://intranet.example.org/wards) ![logo](logo.png).

# First-line treatment

Start *amlodipine* 5 mg once daily;
review in `4 weeks`. Children <30 kg: see the paediatric guideline.

- check potassium
- check creatinine
  after two weeks

| Drug | Starting dose | Maximum dose |
|------|:-------------:|-------------:|
| Amlodipine | 5 mg daily | 10 mg daily |
| Ramipril | 2.5 mg daily | 10 mg daily |

## Monitoring

<script>alert("MARKDOWN-SCRIPT")</script>
Blood pressure at every visit.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_one(path: Path):
    (source,) = document.load(path)
    return source


def test_markdown_front_matter_becomes_the_source(tmp_path):
    path = write(tmp_path, "htn.md", GUIDELINE)
    assert loader_for(path) is document
    source = load_one(path)
    assert source.title == "Hypertension in adults: local guideline"
    assert source.kind == EvidenceLevel.GUIDELINE
    assert source.year == 2024
    assert source.url == "https://intranet.example.org/htn"
    assert source.authors == ["A. Smith", "B. Jones"]
    assert source.publisher == "St Elsewhere Pharmacy Committee"
    assert source.licence == "internal use"
    assert source.source_id.startswith("doc:hypertension-in-adults-local-guideline-")
    assert len(source.source_id.rsplit("-", 1)[1]) == 8


def test_markdown_passages_follow_headings_as_plain_text(tmp_path):
    source = load_one(write(tmp_path, "htn.md", GUIDELINE))
    by_section = {p.section: p.text for p in source.passages}
    assert by_section["Hypertension in adults: local guideline"] == "Applies to adults on the medical wards ."
    treatment = by_section["First-line treatment"]
    assert "Start amlodipine 5 mg once daily; review in 4 weeks. Children <30 kg: see" in treatment
    assert "- check potassium\n- check creatinine after two weeks" in treatment
    assert "Drug: Amlodipine; Starting dose: 5 mg daily; Maximum dose: 10 mg daily" in treatment.split("\n")
    assert by_section["Monitoring"] == "Blood pressure at every visit."
    assert "MARKDOWN-SCRIPT" not in " ".join(by_section.values())


def test_the_same_url_keeps_the_same_source_id_after_edits(tmp_path):
    first = load_one(write(tmp_path, "htn.md", GUIDELINE))
    edited = load_one(write(tmp_path, "htn.md", GUIDELINE.replace("5 mg once daily", "2.5 mg once daily")))
    assert edited.source_id == first.source_id
    assert edited.content_hash() != first.content_hash()


def test_without_a_url_the_file_name_identifies_the_document(tmp_path):
    text = "---\ntitle: Sepsis bundle\n---\nGive antibiotics within one hour.\n"
    one = load_one(write(tmp_path, "sepsis.md", text))
    other = load_one(write(tmp_path, "sepsis-copy.md", text))
    assert one.source_id != other.source_id
    assert one.kind == EvidenceLevel.OTHER


def test_a_long_section_is_split_on_paragraph_boundaries(tmp_path):
    paragraphs = "\n\n".join(f"Paragraph {n} " + "word " * 119 for n in range(5))  # 121 words each
    source = load_one(write(tmp_path, "long.md", f"---\ntitle: Long\n---\n# Body\n\n{paragraphs}\n"))
    assert [p.section for p in source.passages] == ["Body", "Body", "Body"]
    assert [p.text.count("Paragraph") for p in source.passages] == [2, 2, 1]
    for passage in source.passages:
        assert len(passage.text.split()) <= 350
        assert passage.text.startswith("Paragraph")


HTML = """<!DOCTYPE html>
<html><head><title>Anticoagulation bridging</title>
<meta name="bedside:kind" content="guideline"><meta name="bedside:year" content="2021">
<meta name="bedside:publisher" content="Thrombosis Committee">
<style>p { color: red } /* STYLE-TEXT */</style>
<script>var leaked = "SCRIPT-TEXT";</script></head>
<body>
<p>Applies to <b>warfarin</b> users.<br>Read fully.</p>
<h2>Stopping warfarin</h2>
<p>Stop 5&nbsp;days before surgery &amp; check INR.</p>
<table><caption>Bridging doses</caption>
<thead><tr><th>Drug</th><th>Dose</th></tr></thead>
<tbody><tr><td>Enoxaparin</td><td>1 mg/kg twice daily</td></tr></tbody></table>
<ul><li>High risk<ul><li>mechanical mitral valve</li></ul></li><li>Low risk</li></ul>
<script>document.write("SCRIPT-TWO")</script><noscript>NOSCRIPT-TEXT</noscript>
</body></html>
"""


def test_html_meta_tags_give_the_fields_and_title_falls_back(tmp_path):
    path = write(tmp_path, "bridging.html", HTML)
    assert loader_for(path) is document
    source = load_one(path)
    assert source.title == "Anticoagulation bridging"
    assert source.kind == EvidenceLevel.GUIDELINE
    assert source.year == 2021
    assert source.publisher == "Thrombosis Committee"


def test_html_text_has_no_script_style_or_markup(tmp_path):
    source = load_one(write(tmp_path, "bridging.html", HTML))
    text = "\n".join(p.text for p in source.passages)
    for hidden in ("SCRIPT-TEXT", "SCRIPT-TWO", "STYLE-TEXT", "NOSCRIPT-TEXT", "<b>", "<p>", "&amp;"):
        assert hidden not in text
    by_section = {p.section: p.text for p in source.passages}
    assert by_section["Anticoagulation bridging"] == "Applies to warfarin users.\nRead fully."
    stopping = by_section["Stopping warfarin"]
    assert "Stop 5 days before surgery & check INR." in stopping  # &nbsp; is a space
    assert "Bridging doses\nDrug: Enoxaparin; Dose: 1 mg/kg twice daily" in stopping
    assert "- High risk\n  - mechanical mitral valve\n- Low risk" in stopping


def test_html_front_matter_wins_over_meta_tags(tmp_path):
    source = load_one(write(tmp_path, "bridging.htm", "---\ntitle: Bridging v2\nyear: 2023\n---\n" + HTML))
    assert (source.title, source.year, source.kind) == ("Bridging v2", 2023, EvidenceLevel.GUIDELINE)


def test_html_entities_from_a_doctype_never_read_files(tmp_path):
    secret = write(tmp_path, "secret.txt", "TOP-SECRET-HTML")
    page = (
        f'<!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<html><head><meta name="bedside:title" content="Hostile"></head><body><p>Hi &x; there</p></body></html>'
    )
    source = load_one(write(tmp_path, "hostile.html", page))
    assert "TOP-SECRET-HTML" not in " ".join(p.text for p in source.passages)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("kind: meta-analysis", "kind"),
        ("year: 20244", "year"),
        ("year: 1700", "year"),
        ("year: last year", "year"),
        ("publisher: Nobody", "title"),
    ],
)
def test_bad_front_matter_names_the_field(tmp_path, header, field):
    title = "" if field == "title" else "title: Something\n"
    path = write(tmp_path, "bad.md", f"---\n{title}{header}\n---\nText.\n")
    with pytest.raises(LoaderError, match=f"bad.md: field '{field}'"):
        list(document.load(path))


def test_a_bad_kind_lists_the_allowed_values(tmp_path):
    path = write(tmp_path, "bad.md", "---\ntitle: T\nkind: blog\n---\nText.\n")
    with pytest.raises(LoaderError, match="guideline, systematic_review, rct"):
        list(document.load(path))


def test_a_misspelt_bedside_meta_tag_is_refused(tmp_path):
    page = '<html><head><meta name="bedside:titel" content="Oops"></head><body><p>x</p></body></html>'
    with pytest.raises(LoaderError, match="bedside:titel"):
        list(document.load(write(tmp_path, "oops.html", page)))


def test_unclosed_front_matter_is_an_error(tmp_path):
    with pytest.raises(LoaderError, match="never closed"):
        list(document.load(write(tmp_path, "open.md", "---\ntitle: Open\nText without end\n")))


def test_latin1_markdown_is_refused(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: Caf\xe9 guideline\n---\nCaf\xe9 au lait.\n".encode("latin-1"))
    assert document.sniff(path, read_head(path))
    with pytest.raises(LoaderError, match="UTF-8"):
        list(document.load(path))


def test_a_readme_without_front_matter_is_not_a_document(tmp_path):
    readme = write(tmp_path, "README.md", "# Project\n\nSome notes.\n")
    plain = write(tmp_path, "page.html", "<html><head><title>Page</title></head><body>x</body></html>")
    guideline = write(tmp_path, "htn.md", GUIDELINE)
    assert not document.sniff(readme, read_head(readme))
    assert not document.sniff(plain, read_head(plain))
    found = {path.name: loader for path, loader, _ in walk(tmp_path)}
    assert found == {"README.md": None, "page.html": None, guideline.name: document}
