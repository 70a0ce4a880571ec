"""Every real document in the reader folders of ../shared/data/docs is read, and its content checked.

Files named in EXPECTED are checked against facts read off the source by hand (title, a
sentence, DOI or patent number, a claim, a table cell); every other file found (CI holds files
nobody here has seen) gets the structural checks only: it parses, has a title and text, its
paragraph offsets are consistent, and a patent has a number and claims.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from textmine.document import Document
from textmine.readers import iter_paths, read_file
from textmine.records import Failure

ROOT = Path(__file__).resolve().parents[2]
DOCS = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "docs"

READER_FOLDERS = [
    "acs_html",
    "elsevier_xml",
    "elsevier_xml_oa_stm_ccby",
    "epo_xml",
    "jats_pmc_xml",
    "pdf",
    "rsc_html",
    "springer_jats_xml",
    "uspto_xml",
]
# Listings of a corpus, not documents of it
NOT_DOCUMENTS = {"fileCategories.txt", "titlesList.txt"}
# Pages that must be refused, with the words the reason must contain
MUST_FAIL = {"rsc_html/searchresults.html": "search-results"}
SECTION_KINDS = {"abstract", "body", "claims", "description", "caption"}
# the reader each folder's files must be routed to (checked for every file, also unseen ones)
FOLDER_FORMATS = {
    "acs_html": {"acs_html"},
    "elsevier_xml": {"elsevier"},
    "elsevier_xml_oa_stm_ccby": {"elsevier", "text"},
    "epo_xml": {"epo"},
    "jats_pmc_xml": {"jats"},
    "pdf": {"pdf", "tei", "s2orc"},
    "rsc_html": {"rsc_html"},
    "springer_jats_xml": {"jats"},
    "uspto_xml": {"uspto"},
}

# folder/file -> facts checked against the parsed document
EXPECTED: dict[str, dict] = {
    "acs_html/acs.jmedchem.6b00723.html": dict(
        format="acs_html", title="Discovery of a Quinoline-4-carboxamide Derivative", doi="10.1021/acs.jmedchem.6b00723",
        sentence="Malaria is a devastating disease", abstract="antiplasmodial activity",
        table=("Key in vitro DMPK Data", "232"), year=2016, author="Neil R. Norcross",
    ),
    "elsevier_xml/bde_els_test1.xml": dict(
        format="elsevier", title="paraffin wax phase change material", doi="10.1016/j.est.2021.103685",
        sentence="Since the aim is to cool the battery for a certain period of time", table=("Geometric and thermal characteristics", "34/5 × 10−6"),
        year=2022,
    ),
    "elsevier_xml/bde_els_test2.xml": dict(
        format="elsevier", title="directly prepared Ti3Ni2 alloy", doi="10.1016/s0360-3199(00)00111-7",
        sentence="For Ti–Ni-based binary alloys, the discharge capacity increases", table=("Electrochemical behavior parameters", "278"),
        year=2001, author="Yan-hui Xu",
    ),
    "elsevier_xml_oa_stm_ccby/S0016236113008041.norm-xml": dict(
        format="elsevier", title="Minor and trace element emissions from post-combustion CO2 capture", doi="10.1016/j.fuel.2013.08.061",
        sentence="Each Ca2+ in the CaCO3 structure is bonded with six oxygen atoms", table=("Identification of major, minor", "Major>10ppm"),
        highlights="Tested pilot scale",
    ),
    "elsevier_xml_oa_stm_ccby/S0016236113008041.txt": dict(
        format="text", title="Minor and trace element emissions from post-combustion CO2 capture from coal",
        sentence="This provides alternating layers of Ca and CO3 groups [25].", abstract="Elemental partitioning",
    ),
    "elsevier_xml_oa_stm_ccby/S0032386113005454.norm-xml": dict(
        format="elsevier", title="toughening mechanisms of an epoxy polymer", doi="10.1016/j.polymer.2013.06.009",
        sentence="Plots of representative compressive true stress-strain curves", table=("Glass transition temperature", "148 (±2)"),
    ),
    "elsevier_xml_oa_stm_ccby/S0032386113005454.txt": dict(
        format="text", sentence="The tensile strength of the unmodified epoxy polymer was measured to be 41 MPa.",
    ),
    "elsevier_xml_oa_stm_ccby/S0301010413004096.norm-xml": dict(
        format="elsevier", doi="10.1016/j.chemphys.2013.11.004", sentence="BET surface area of 1370",
    ),
    "elsevier_xml_oa_stm_ccby/S0927024813001955.norm-xml": dict(
        format="elsevier", doi="10.1016/j.solmat.2013.04.020", sentence="Compact films without pinholes or discontinuities were produced.",
        table=("Comparison of the performance", "1.7±0.2"),
    ),
    "elsevier_xml_oa_stm_ccby/S1388248113001951.norm-xml": dict(
        format="elsevier", title="NaFe0.5Co0.5O2 as high energy and power positive electrode", doi="10.1016/j.elecom.2013.05.012",
        sentence="Coin-type cells (R2032 type) were assembled",
    ),
    "elsevier_xml_oa_stm_ccby/S1388248113001951.txt": dict(
        format="text", sentence="When cut-off voltage is limited to 3.5V, NaFeO2 electrode shows approximately 100mAhg-1",
    ),
    "epo_xml/application__v1-0-A1.xml": dict(
        format="epo", title="PROCESS FOR PRODUCING FLUOROALKANOL", patent="EP1325900A1",
        claim="1. A process for producing a fluoroalkanol", sentence="process for producing a fluoroalkanol", year=2003,
    ),
    "epo_xml/application__v1-4-A1.xml": dict(
        format="epo", title="Bobby pin", patent="EP2055205A1", claim="1. A bobby pin comprising", year=2009,
        author="Tu, Jui-Ming",  # the file has a bare '&' ("Kador & Partner") that the reader repairs
    ),
    "epo_xml/application__v1-5-A1.xml": dict(
        format="epo", title="VEHICLE-MOUNTED DISPLAY ASSEMBLY AND VEHICLE", patent="EP3782854A1",
        claim="1. A vehicular display assembly, comprising: a storage box", year=2021,
    ),
    "epo_xml/grant__v1-0-B1.xml": dict(
        format="epo", title="PEPTIDES EFFECTIVE IN THE TREATMENT OF TUMORS", patent="EP1442058B1",
        claim="1. An NTP-peptide consisting of an amino acid sequence", sentence="commonly called the Shine-Dalgarno sequence", year=2006,
    ),
    "epo_xml/grant__v1-5-1-B1.xml": dict(
        format="epo", title="SCREW-TYPE CLOSURE SYSTEMS WITH MAGNETIC FEATURE", patent="EP3383757B1",
        claim="1. A container-closure system comprising", year=2021,
    ),
    "epo_xml/grant__v1-5-B1.xml": dict(
        format="epo", title="HIGH VOLTAGE ASSEMBLY AND METHOD TO OPERATE THE HIGH VOLTAGE ASSEMBLY", patent="EP3404678B1",
        claim="1. A high voltage assembly (2) comprising", author="HARTHUM, Jörg", year=2021,
    ),
    "jats_pmc_xml/PMC5828200.nxml": dict(
        format="jats", title="Curcuminoid submicron particle ameliorates cognitive deficits", doi="10.18632/oncotarget.24369",
        sentence="Calcium-binding proteins could regulate calcium homeostasis", table=("Pharmacokinetic analysis", "0.2"), year=2018,
        author="Yi-Heng Tai",
    ),
    "jats_pmc_xml/PMC6398430.nxml": dict(
        format="jats", title="Counting crows", doi="10.1093/beheco/ary157",
        sentence="In total, we obtained 17,645 observations of marked and unmarked crows", table=("Pairwise comparisons", "V = 387.92 ± 0.676"),
    ),
    "pdf/1308.2125.pdf": dict(
        format="pdf", title="Detection of antiferromagnetic ordering in heavily doped LaFeAsO1−xHx pnictide superconductors",
        sentence="We studied double superconducting (SC) domes in LaFeAsO1−xHx",
    ),
    "pdf/1903.08036.pdf": dict(
        format="pdf", title="Spacing Dependent and Doping Independent Superconductivity in Intercalated 1T Two Dimensional SnSe2",
        sentence="we report bulk superconductivity up to 7.6 K in the alkali metal Li-intercalated",
    ),
    "pdf/N18-3011.pdf": dict(
        format="pdf", title="Construction of the Literature Graph in Semantic Scholar",
        # "litera-ture" is hyphenated across lines in the PDF: the reader must join it
        abstract="for organizing published scientific literature into a heterogeneous graph",
        sentence="The goal of this work is to facilitate algorithmic discovery in the scientific literature.",
    ),
    "pdf/2020.acl-main.207.pdf": dict(
        format="pdf", title="SPECTER: Document-level Representation Learning using Citation-informed Transformers",
        abstract="Representation learning is a critical ingredient for natural language processing systems.",
    ),
    # GROBID TEI and s2orc-doc2json outputs of two of the PDFs (readers "tei" and "s2orc")
    "pdf/N18-3011.tei.xml": dict(
        format="tei", title="Construction of the Literature Graph in Semantic Scholar", author="Waleed Ammar",
        abstract="We describe a deployed scalable system for organizing published scientific literature",
        sentence="What is the percentage of female subjects in depression clinical trials?",
    ),
    "pdf/2020.acl-main.207.tei.xml": dict(
        format="tei", title="SPECTER", table=("", "84.2 88.4 91.5 36.9 80.0"),
        abstract="Representation learning is a critical ingredient",
    ),
    "pdf/N18-3011.json": dict(
        format="s2orc", title="Construction of the Literature Graph in Semantic Scholar",
        sentence="The goal of this work is to facilitate algorithmic discovery in the scientific literature.",
    ),
    "pdf/2020.acl-main.207.json": dict(
        format="s2orc", title="SPECTER: Document-level Representation Learning", abstract="Representation learning is a critical ingredient",
    ),
    "rsc_html/10.1039_C6OB02074G.html": dict(
        format="rsc_html", title="Denitrogenative hydrofluorination of aromatic aldehyde hydrazones", doi="10.1039/c6ob02074g",
        sentence="Mass spectrometry analysis of the crude reaction mixtures", table=("Optimization of the denitrogenative", "1.1"), year=2016,
    ),
    "rsc_html/b806499g.html": dict(
        format="rsc_html", title="Polymer encapsulation effects on the magnetism of EuS nanocrystals", doi="10.1039/b806499g",
        sentence="The effect of the polymer encapsulation on the dipolar interactions in nanosized EuS",
        abstract="Surface mediated phenomena are important in controlling the magnetism of nanocrystals.", year=2008,
    ),
    "rsc_html/bde_rsc_test2.html": dict(
        format="rsc_html", title="Surface modification of electrospun TiO2 nanofibers", doi="10.1039/c2jm15197a",
        sentence="The crystallinity of the TiO2 nanofibers and MoO2-modified TiO2 nanofibers was examined", year=2012,
    ),
    "rsc_html/test_paper.html": dict(
        format="rsc_html", title="High performance carbon-coated hollow Ni12P5 nanocrystals", doi="10.1039/c7ta06843c",
        # a paragraph that is a bare <span> between headings, not a <p>
        sentence="Nickel(II) acetate tetrahydrate (AR) was purchased from Tianjin Guangfu Fine Chemical Research Institute",
        table=("Comparison of cycling performances", "Nanoporous NiO-capped Ni3P"), year=2017,
    ),
    "springer_jats_xml/bde_spr_test2.xml": dict(
        format="jats", title="Double-walled core-shell structured Si@SiO2@C nanocomposite", doi="10.1007/s11581-014-1138-8",
        sentence="From the TGA curves of Si@SiO2@C and Si@C nanocomposites",
    ),
    "springer_jats_xml/bde_spr_test3.xml": dict(
        format="jats", title="Improvement of hydriding kinetics of LaNi5-type metal alloy", doi="10.1007/s12034-021-02591-3",
        sentence="The surface morphologies and particle size distribution of the LaNi4.8Sn0.2 and LaNi5", table=("Results of refinement", "LaNi5"),
    ),
    "uspto_xml/cde2__US06840965B2.xml": dict(
        format="uspto", title="P-aminophenols and colorants containing said compounds", patent="US6840965B2",
        claim="1. p-Aminophenol derivatives of general formula (I)", sentence="Suitable oxidants for developing the hair coloration",
        table=("", "(C10H10NOSCl)"), year=2005,
    ),
    "uspto_xml/pap__US20010000044A1.xml": dict(
        format="uspto", title="Systems and Methods For Transacting Business", patent="US20010000044A1",
        claim="A method of doing business over a global communications network", author="Wayne W Lin", year=2001,
    ),
    "uspto_xml/pap__US20010009014A1.xml": dict(
        format="uspto", title="Facilitating real-time, multi-point communications over the internet", patent="US20010009014A1",
        claim="1. A method for facilitating communication between a plurality of clie",
        sentence="Server 300 loads and manages a configuration file on startup",
    ),
    "uspto_xml/sgml__US06336130.xml": dict(
        format="uspto", title="Arrangement for improving availability of services", patent="US6336130B1",
        claim="1. An arrangement in a network including a plurality of mobile terminals", year=2002,
    ),
    "uspto_xml/sgml__USD435854S1.xml": dict(
        format="uspto", title="Disc cartridge", claim="The ornamental design for a disc cartridge, as shown and described.", year=2001,
    ),
    "uspto_xml/xml2004__US06859910.xml": dict(
        format="uspto", title="Methods and systems for transactional tunneling", patent="US6859910B2",
        claim="1. A method of executing an electronic transaction, comprising", year=2005,
    ),
    "uspto_xml/xml2006__US07272630B2.xml": dict(
        format="uspto", title="Locating potentially identical objects across multiple computers", patent="US7272630B2",
        claim="1. A method implemented in a computer, the method comprising", year=2007,
    ),
    "uspto_xml/xml2014__US08926509.xml": dict(
        format="uspto", title="Wireless physiological sensor patches and systems", patent="US8926509B2",
        claim="1. A system for measuring physiological signals, comprising",
        sentence="the base-ASIC acts as a master device to control a function", year=2015,
    ),
    "uspto_xml/xml2014__US08930553.xml": dict(
        format="uspto", title="Managing mid-dialog session initiation protocol (SIP) messages", patent="US8930553B2",
        claim="1. A system for processing mid-dialog SIP messages", year=2015,
    ),
    "uspto_xml/xmlApp2004__US20050004437A1.xml": dict(
        format="uspto", title="Simulation device for playful evaluation and display of blood sugar", patent="US20050004437A1",
        claim="1. A simulation device for displaying and evaluating blood sugar readings", year=2005,
    ),
}


def _document_files() -> list[str]:
    if not DOCS.is_dir():
        return []
    found = []
    for folder in READER_FOLDERS:
        for path in iter_paths(DOCS / folder):
            if path.name in NOT_DOCUMENTS:
                continue
            found.append(f"{folder}/{path.name}")
    return found


FILES = _document_files()


def _read(rel: str) -> list[Document | Failure]:
    return list(read_file(DOCS / rel))


def _para_texts(doc: Document, kind: str) -> list[str]:
    return [doc.text[p.start : p.end] for s, p in doc.paragraphs() if s.kind == kind]


def assert_offsets_consistent(doc: Document) -> None:
    last_end = -1
    for section, p in doc.paragraphs():
        assert section.kind in SECTION_KINDS, section.kind
        assert 0 <= p.start < p.end <= len(doc.text), (p.start, p.end, len(doc.text))
        assert p.start > last_end, "paragraphs overlap or are out of order"
        span = doc.text[p.start : p.end]
        assert span.strip() == span and span, "a paragraph span must be its trimmed, non-empty text"
        last_end = p.end


@pytest.mark.skipif(not FILES, reason=f"shared docs not found at {DOCS} (set TEXTMINE_SHARED_DATA)")
def test_every_expected_file_is_present():
    """The facts below are only worth something if the files they describe are really read."""
    missing = sorted(set(EXPECTED) - set(FILES))
    assert not missing, f"expected files not found under {DOCS}: {missing}"


@pytest.mark.parametrize("rel", FILES or [pytest.param("-", marks=pytest.mark.skip(reason=f"no shared docs at {DOCS}"))])
def test_document_reads_with_real_content(rel: str):
    items = _read(rel)
    if rel in MUST_FAIL:
        assert len(items) == 1 and isinstance(items[0], Failure), items
        assert items[0].stage == "read" and MUST_FAIL[rel] in items[0].reason
        return
    failures = [i for i in items if isinstance(i, Failure)]
    assert not failures, failures
    assert len(items) == 1
    doc = items[0]
    assert doc.format in FOLDER_FORMATS[rel.split("/")[0]]
    assert doc.source == str(DOCS / rel)
    assert doc.title, "every document here has a title"
    assert len(doc.text) > 500
    assert_offsets_consistent(doc)
    if doc.kind == "patent":
        assert doc.patent_number, "a patent without its number cannot be cited"
        assert _para_texts(doc, "claims"), "a patent without claims"
        assert doc.id.startswith("patent:")
    elif doc.format in ("jats", "elsevier", "rsc_html", "acs_html"):
        assert doc.doi and doc.doi.startswith("10."), "publisher full text always carries its DOI"
        assert doc.id == f"doi:{doc.doi}"
    for table in doc.tables:
        assert table.cells and all(c.row >= 0 and c.col >= 0 for c in table.cells)

    facts = EXPECTED.get(rel)
    if facts is None:
        return
    assert doc.format == facts["format"]
    if "title" in facts:
        assert facts["title"] in doc.title, doc.title
    if "sentence" in facts:
        assert facts["sentence"] in doc.text
    if "abstract" in facts:
        assert any(facts["abstract"] in p for p in _para_texts(doc, "abstract")), _para_texts(doc, "abstract")[:2]
    if "highlights" in facts:
        assert any(s.title == "Highlights" and s.kind == "abstract" for s in doc.sections)
        assert facts["highlights"] in doc.text
    if "doi" in facts:
        assert doc.doi == facts["doi"]
    if "patent" in facts:
        assert doc.patent_number == facts["patent"]
        assert doc.kind == "patent"
    if "claim" in facts:
        claims = _para_texts(doc, "claims")
        assert any(facts["claim"] in c for c in claims), claims[:2]
        assert all(s.title == "Claims" for s in doc.sections if s.kind == "claims")
    if "table" in facts:
        caption, cell = facts["table"]
        assert any(caption in t.caption and any(c.text == cell for c in t.cells) for t in doc.tables), [
            (t.caption[:40], [c.text for c in t.cells][:8]) for t in doc.tables
        ]
        if caption:  # a table caption is also text that extractors see
            assert any(caption in p for p in _para_texts(doc, "caption"))
    if "year" in facts:
        assert doc.year == facts["year"]
    if "author" in facts:
        assert facts["author"] in doc.authors, doc.authors[:5]


@pytest.mark.skipif(not FILES, reason=f"shared docs not found at {DOCS} (set TEXTMINE_SHARED_DATA)")
def test_truncated_real_documents_never_raise(tmp_path):
    """Every real file cut in half: a Failure saying why, or a (shorter) document, never an exception."""
    for rel in FILES:
        data = (DOCS / rel).read_bytes()
        path = tmp_path / rel.replace("/", "__")
        path.write_bytes(data[: len(data) // 2])
        items = list(read_file(path))
        assert items, rel
        for item in items:
            assert isinstance(item, (Document, Failure)), rel
            if isinstance(item, Document):
                assert_offsets_consistent(item)
