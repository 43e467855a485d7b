"""OpenStax CNXML: the real nursing textbooks, and hostile or broken files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bedside.library.loaders import cnxml, loader_for, walk
from bedside.library.model import EvidenceLevel, LoaderError

SHARED = Path(os.environ.get("BEDSIDE_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
BOOKS = SHARED / "data" / "openstax-nursing"
PHARMACOLOGY = BOOKS / "collections" / "pharmacology.collection.xml"


def needs_books() -> None:
    if not PHARMACOLOGY.is_file():
        pytest.skip(f"the OpenStax books are not at {BOOKS}")


@pytest.fixture(scope="module")
def pharmacology() -> dict[str, object]:
    needs_books()
    return {source.origin["module_id"]: source for source in cnxml.load(PHARMACOLOGY)}


def all_text(source) -> str:
    return "\n".join(p.text for p in source.passages)


def test_a_dosing_table_row_stays_one_readable_line(pharmacology):
    section = pharmacology["m00242"]  # 6.3 Immunosuppressants, Biologics, Monoclonal Antibodies …
    lines = all_text(section).split("\n")
    assert any(
        line.startswith(
            "Drug: Azathioprine (Imuran); Routes and Dosage Ranges: For rheumatoid arthritis: "
            "1 mg/kg (50–100 mg) orally"
        )
        for line in lines
    )
    assert "Drug Emphasis Table: Immunosuppressants (source: https://dailymed.nlm.nih.gov/dailymed/)" in lines


def test_stacked_labels_in_a_prototype_table_cell_keep_their_colons(pharmacology):
    text = all_text(pharmacology["m00242"])
    assert "Drug Class: Immunosuppressant, antimetabolite; Mechanism of Action: Inhibits DNA synthesis" in text


def test_a_section_source_carries_its_book_chapter_and_attribution(pharmacology):
    section = pharmacology["m00242"]
    assert section.source_id == "openstax:pharmacology:m00242"
    assert section.kind == EvidenceLevel.TEXTBOOK
    assert section.title == (
        "Introduction to the Immune System and the Inflammatory Response — "
        "Immunosuppressants, Biologics, Monoclonal Antibodies, and Biosimilar Drugs"
    )
    assert section.url == (
        "https://openstax.org/books/pharmacology/pages/"
        "6-3-immunosuppressants-biologics-monoclonal-antibodies-and-biosimilar-drugs"
    )
    assert section.publisher == "OpenStax"
    assert section.licence.startswith("CC BY 4.0; Pharmacology for Nurses, OpenStax, Rice University")
    assert section.origin == {
        "dataset": "OpenStax",
        "book": "Pharmacology for Nurses",
        "chapter": "Introduction to the Immune System and the Inflammatory Response",
        "module_id": "m00242",
    }
    assert section.meta == {"section_number": "6.3"}


def test_page_addresses_follow_openstax_numbering(pharmacology):
    urls = {source.url for source in pharmacology.values()}
    assert "https://openstax.org/books/pharmacology/pages/1-introduction" in urls
    assert "https://openstax.org/books/pharmacology/pages/2-4-dosage-calculations" in urls
    pages = "https://openstax.org/books/pharmacology/pages/"
    assert pages + "16-1-introduction-to-the-heart-circulation-and-blood-flow" in urls
    # An apostrophe makes the address uncertain: the book's page is cited instead.
    alzheimers = next(s for s in pharmacology.values() if s.title.endswith("— Alzheimer’s Drugs"))
    assert alzheimers.url == "https://openstax.org/details/books/pharmacology"


def test_sections_nest_and_apparatus_is_left_out(pharmacology):
    section = pharmacology["m00242"]
    sections = {p.section for p in section.passages}
    assert "Immunosuppressant Drugs › Mycophenolate" in sections
    assert "Key Terms" in sections
    assert section.passages[0].section == section.title.split(" — ")[1]  # the intro before any section
    for source in pharmacology.values():
        for passage in source.passages:
            assert not passage.section.startswith(("References", "Review Questions", "Learning Outcomes"))
            assert len(passage.text.split()) <= 350
            assert "<para" not in passage.text and "<emphasis" not in passage.text


def test_a_black_box_note_is_labelled(pharmacology):
    assert "Black box warning\nAzathioprine\nThe use of azathioprine increases the risk of malignancy" in all_text(
        pharmacology["m00242"]
    )


def test_the_collection_reads_its_modules_so_a_folder_walk_skips_them():
    needs_books()
    alongside = cnxml.read_alongside(PHARMACOLOGY)
    assert BOOKS / "modules" / "m00242" / "index.cnxml" in alongside
    assert BOOKS / "modules" / "m00232" / "PHA_Figure_04_04_006.png" in alongside
    assert cnxml.read_alongside(BOOKS / "modules" / "m00242" / "index.cnxml") == set()
    walked = {path.resolve(): loader for path, loader, _ in walk(BOOKS)}
    assert (BOOKS / "modules" / "m00242" / "index.cnxml").resolve() not in walked
    assert walked[PHARMACOLOGY.resolve()] is cnxml
    assert walked[(BOOKS / "README.md").resolve()] is None  # no front matter: not a user document


def test_a_module_alone_loads_without_book_context():
    needs_books()
    module = BOOKS / "modules" / "m00242" / "index.cnxml"
    assert loader_for(module) is cnxml
    (source,) = cnxml.load(module)
    assert source.source_id == "openstax:module:m00242"
    assert source.title == "Immunosuppressants, Biologics, Monoclonal Antibodies, and Biosimilar Drugs"
    assert "Drug: Azathioprine (Imuran)" in all_text(source)


def test_unpublished_placeholder_modules_load_nothing():
    needs_books()
    assert list(cnxml.load(BOOKS / "modules" / "m00359" / "index.cnxml")) == []


# Built books, hostile and broken


COLLECTION = """<col:collection xmlns:col="http://cnx.rice.edu/collxml" xmlns:md="http://cnx.rice.edu/mdml">
  <col:metadata><md:title>{title}</md:title><md:slug>tiny</md:slug>
    <md:license url="http://creativecommons.org/licenses/by/4.0/"/></col:metadata>
  <col:content>
    <col:subcollection><md:title>Unit</md:title><col:content>
      <col:subcollection><md:title>Tiny Chapter</md:title><col:content>
        <col:module document="m1"/>
      </col:content></col:subcollection>
    </col:content></col:subcollection>
  </col:content>
</col:collection>"""

MODULE = """<document xmlns="http://cnx.rice.edu/cnxml">
  <title>Tiny Section</title>
  <metadata xmlns:md="http://cnx.rice.edu/mdml"><md:content-id>m1</md:content-id></metadata>
  <content><para>{body}</para></content>
</document>"""


def make_book(root: Path, module: str, title: str = "Tiny Book", prologue: str = "") -> Path:
    (root / "collections").mkdir()
    (root / "modules" / "m1").mkdir(parents=True)
    collection = root / "collections" / "tiny.collection.xml"
    collection.write_text(prologue + COLLECTION.format(title=title), encoding="utf-8")
    (root / "modules" / "m1" / "index.cnxml").write_text(module, encoding="utf-8")
    return collection


def test_a_small_book_loads_with_numbering(tmp_path):
    collection = make_book(tmp_path, MODULE.format(body="Give 5 mg."))
    (source,) = cnxml.load(collection)
    assert source.source_id == "openstax:tiny:m1"
    assert source.title == "Tiny Chapter — Tiny Section"
    assert source.url == "https://openstax.org/books/tiny/pages/1-1-tiny-section"
    assert source.passages[0].text == "Give 5 mg."


def test_an_external_entity_never_reads_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CNXML", encoding="utf-8")
    doctype = f'<!DOCTYPE document [<!ENTITY x SYSTEM "file://{secret}">]>\n'
    collection = make_book(
        tmp_path,
        doctype + MODULE.format(body="Dose &x; here."),
        title="Book &x;",
        prologue=doctype.replace("document", "col:collection"),
    )
    try:
        sources = list(cnxml.load(collection))
    except LoaderError:
        return
    text = " ".join([s.title for s in sources] + [p.text for s in sources for p in s.passages])
    assert "TOP-SECRET-CNXML" not in text


def test_an_entity_bomb_is_not_expanded(tmp_path):
    bomb = (
        '<!DOCTYPE document [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>\n"
    )
    collection = make_book(tmp_path, bomb + MODULE.format(body="Start &j; end."))
    started = time.monotonic()
    try:
        sources = list(cnxml.load(collection))
    except LoaderError:
        sources = []
    assert time.monotonic() - started < 5
    assert all(len(p.text) < 1000 for s in sources for p in s.passages)


def test_malformed_xml_names_the_file(tmp_path):
    collection = make_book(tmp_path, "<document xmlns='http://cnx.rice.edu/cnxml'><title>Broken")
    with pytest.raises(LoaderError, match=r"index\.cnxml"):
        list(cnxml.load(collection))


def test_a_missing_module_is_named(tmp_path):
    collection = make_book(tmp_path, MODULE.format(body="x"))
    (tmp_path / "modules" / "m1" / "index.cnxml").unlink()
    with pytest.raises(LoaderError, match="m1"):
        list(cnxml.load(collection))
