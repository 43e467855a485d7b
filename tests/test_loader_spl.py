"""DailyMed SPL labels: the four real fixtures, and hostile or broken files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bedside.library.loaders import loader_for, spl
from bedside.library.loaders._files import read_head
from bedside.library.model import EvidenceLevel, LoaderError

SHARED = Path(os.environ.get("BEDSIDE_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
FIXTURES = SHARED / "data" / "spl-fixtures"


def label(name: str):
    path = FIXTURES / f"{name}.xml"
    if not path.is_file():
        pytest.skip(f"the SPL fixtures are not at {FIXTURES}")
    (source,) = spl.load(path)
    return source


def passages(source, loinc: str):
    return [p for p in source.passages if p.meta["loinc"] == loinc]


def test_humira_boxed_warning_is_about_serious_infections():
    humira = label("humira")
    boxed = passages(humira, "34066-1")
    assert boxed and all(p.section == "Boxed warning" for p in boxed)
    assert boxed[0].text.startswith("WARNING: SERIOUS INFECTIONS AND MALIGNANCY")
    assert "increased risk for developing serious infections that may lead to hospitalization or death" in boxed[0].text
    assert boxed[0].meta == {"loinc": "34066-1", "section_code_name": "BOXED WARNING SECTION"}


def test_humira_source_describes_the_label():
    humira = label("humira")
    assert humira.source_id == "spl:608d4f0d-b19f-46d3-749a-7159aa5f933d"
    assert humira.kind == EvidenceLevel.DRUG_LABEL
    assert humira.title == "HUMIRA (adalimumab) injection, for subcutaneous use"  # no highlights boilerplate
    assert humira.year == 2013
    assert humira.publisher == "AbbVie Inc."
    assert humira.url == "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=608d4f0d-b19f-46d3-749a-7159aa5f933d"
    assert humira.origin == {
        "dataset": "DailyMed",
        "set_id": "608d4f0d-b19f-46d3-749a-7159aa5f933d",
        "document_id": "2c9fb32d-4b1b-b5da-4bdf-6b06908ba8b3",
        "version": "1560",
    }
    assert humira.meta["product_names"] == ["Humira"]
    assert humira.meta["generic_names"] == ["Adalimumab"]
    assert humira.meta["active_ingredients"] == [{"name": "ADALIMUMAB", "unii": "FYS6T7F842"}]


def test_humira_subsections_join_their_coded_section_and_tables_read_as_rows():
    humira = label("humira")
    dosing = " ".join(p.text for p in passages(humira, "34068-7"))
    assert "2.3 Crohn’s Disease\nThe recommended HUMIRA dose regimen for adult patients with Crohn’s disease" in dosing
    reactions = "\n".join(p.text for p in passages(humira, "34084-4"))
    assert (
        "Upper respiratory infection; HUMIRA 40 mg subcutaneous Every Other Week (N=705): 17%; Placebo (N=690): 13%"
    ) in reactions.split("\n")
    # Pregnancy, nested under "Use in specific populations", keeps its own code.
    assert passages(humira, "42228-7")[0].section == "Pregnancy"


def test_lipitor_dosage_section():
    lipitor = label("lipitor-orig")
    dosing = passages(lipitor, "34068-7")
    assert dosing and all(p.section == "Dosage and administration" for p in dosing)
    text = " ".join(p.text for p in dosing)
    assert "The recommended starting dose of LIPITOR is 10 or 20 mg once daily" in text
    assert "therapy with LIPITOR should be limited to 20 mg" in text


def test_lipitor_interaction_table_and_bare_headings():
    lipitor = label("lipitor-orig")
    interactions = "\n".join(p.text for p in lipitor.passages)
    assert (
        "Interacting Agents: Cyclosporine, HIV protease inhibitors (tipranavir plus ritonavir), hepatitis C "
        "protease inhibitor (telaprevir); Prescribing Recommendations: Avoid atorvastatin"
    ) in interactions
    # Contraindications 4.1 and 4.2 are titles with no text below: the titles are the contraindications.
    contraindications = " ".join(p.text for p in passages(lipitor, "34070-3"))
    assert "4.1 Active liver disease" in contraindications
    assert "Hypersensitivity to any component of this medication" in contraindications


def test_a_label_without_a_title_is_named_after_its_product():
    haloperidol = label("no-title")
    assert haloperidol.title == "Haloperidol — prescribing information"
    assert haloperidol.meta["uniis"] == ["J6292F8L3D"]


def test_boxed_warning_codes_inside_dosing_stay_dosing():
    haloperidol = label("no-title")
    assert len(passages(haloperidol, "34066-1")) == 1  # the real boxed warning only
    dosing = " ".join(p.text for p in passages(haloperidol, "34068-7"))
    assert "Moderate Symptomatology - 0.5 mg to 2 mg b.i.d. or t.i.d." in dosing


def test_an_otc_label_uses_drug_facts_headings():
    cough = label("cough")
    assert cough.title.startswith("TRIAMINIC Childrens Night Time Cold and Cough (")
    assert cough.title.endswith("— Drug Facts")
    sections = {p.meta["loinc"]: p.section for p in cough.passages}
    assert sections["34067-9"] == "Uses"
    assert sections["34068-7"] == "Directions"
    assert sections["55106-9"] == "Active ingredient"
    assert sections["50570-1"] == "Do not use"
    directions = passages(cough, "34068-7")[0].text
    assert "children 6 to under 12 years of age; 2 teaspoonfuls (10 mL)" in directions
    ask = passages(cough, "50569-3")[0].text
    assert ask.startswith("Ask a doctor before use if the child has")


def test_all_labels_are_sniffed_passage_sized_and_skip_package_panels():
    for name in ("humira", "lipitor-orig", "cough", "no-title"):
        source = label(name)
        assert loader_for(FIXTURES / f"{name}.xml") is spl
        assert source.title
        for passage in source.passages:
            assert passage.meta["loinc"] not in ("51945-4", "48780-1")
            assert passage.section
            assert len(passage.text.split()) <= 350


# Hostile and broken


LABEL = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<document xmlns="urn:hl7-org:v3">
  <id root="doc-1"/><title>Test label {entity}</title><effectiveTime value="20200101"/>
  <setId root="set-1"/><versionNumber value="2"/>
  <component><structuredBody><component><section>
    <code code="34068-7" displayName="DOSAGE &amp; ADMINISTRATION SECTION"/>
    <title>2 DOSAGE AND ADMINISTRATION</title>
    <text><paragraph>Give 10 mg daily{entity}.</paragraph></text>
  </section></component></structuredBody></component>
</document>"""


def write_label(tmp_path: Path, doctype: str = "", entity: str = "") -> Path:
    path = tmp_path / "label.xml"
    path.write_text(LABEL.format(doctype=doctype, entity=entity), encoding="utf-8")
    return path


def test_a_minimal_label_loads(tmp_path):
    path = write_label(tmp_path)
    assert spl.sniff(path, read_head(path))
    (source,) = spl.load(path)
    assert source.source_id == "spl:set-1"
    assert source.year == 2020
    assert [(p.section, p.text) for p in source.passages] == [("Dosage and administration", "Give 10 mg daily.")]


def test_an_external_entity_never_reads_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-SPL", encoding="utf-8")
    path = write_label(tmp_path, f'<!DOCTYPE document [<!ENTITY x SYSTEM "file://{secret}">]>\n', " &x;")
    try:
        sources = list(spl.load(path))
    except LoaderError:
        return
    assert all("TOP-SECRET-SPL" not in s.title and "TOP-SECRET-SPL" not in p.text for s in sources for p in s.passages)


def test_an_entity_bomb_is_not_expanded(tmp_path):
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    path = write_label(tmp_path, f"<!DOCTYPE document [{entities}]>\n", " &j;")
    started = time.monotonic()
    try:
        sources = list(spl.load(path))
    except LoaderError:
        sources = []
    assert time.monotonic() - started < 5
    assert all(len(p.text) < 1000 for s in sources for p in s.passages)


def test_malformed_xml_names_the_file(tmp_path):
    path = tmp_path / "broken-label.xml"
    path.write_text('<document xmlns="urn:hl7-org:v3"><title>Broken</document>', encoding="utf-8")
    with pytest.raises(LoaderError, match=r"broken-label\.xml"):
        list(spl.load(path))


def test_another_hl7_document_is_refused(tmp_path):
    path = tmp_path / "cda.xml"
    path.write_text('<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="x"/></ClinicalDocument>', encoding="utf-8")
    with pytest.raises(LoaderError, match="not an SPL label"):
        list(spl.load(path))
