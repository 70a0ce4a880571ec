"""Write the demo corpus in corpora/demo/: short documents we wrote ourselves, in every format the
readers handle, full of materials-property statements for the README walkthrough.

    python corpora/make_demo.py          # (re)write corpora/demo/
    python corpora/make_demo.py --check  # fail if the committed files differ from what this writes

All content is invented for the demo (plausible, rounded literature-style values; no text copied
from any publication). DOIs use the Crossref test prefix 10.5555 and patent numbers far beyond
any issued ones, so nothing here can be mistaken for a real record. The README search "band gap
between 1 and 2 eV of compounds containing Ti and O" has five matching statements (CoTiO3,
NiTiO3, FeTiO3, Fe2TiO5, hydrogenated TiO2) and several Ti-O compounds outside the range
(anatase and rutile TiO2, SrTiO3, BaTiO3, MnTiO3, Ti2O3, Li4Ti5O12) to show that the filter works.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent / "demo"


# --- plain text ------------------------------------------------------------------------------

TEXTS: dict[str, str] = {
    "tio2_polymorphs_2016.txt": """\
Band gaps and surface areas of TiO2 polymorphs for photocatalysis

Authors: Mira Okafor; Daniel Lindqvist
DOI: 10.5555/textmine.demo.2016.01
Published: 2016-03-14

Abstract
We compare anatase and rutile titanium dioxide powders prepared by sol-gel synthesis. The band gap
of TiO2 (anatase) is 3.2 eV, while rutile TiO2 shows an indirect gap of 3.0 eV. Calcination at
450 °C gives a BET surface area of 145 m2/g for anatase.

Results
The density of the anatase powder measured by helium pycnometry was 3.89 g/cm3, close to the
crystallographic value. The refractive index of rutile is 2.61 at 633 nm, higher than that of
anatase (2.49).

Ti2O3, in contrast, is a narrow-gap semiconductor with a band gap of only 0.1 eV and is black.
""",
    "ilmenite_titanates_2019.txt": """\
Visible-light absorption of ilmenite-type titanates ATiO3 (A = Co, Ni, Fe, Mn)

Authors: Priya Raman; Tomasz Wielgus; Ana Ferreira
Published: 2019-07-02

Abstract
Ilmenite titanates are stable oxides that absorb visible light. We report optical and
structural data for four members of the family grown by a citrate route.

Optical properties
CoTiO3 exhibits an optical band gap of 1.95 eV, estimated from the Tauc plot of its diffuse
reflectance spectrum. NiTiO3 films annealed between 600 and 900 °C showed a band gap ranging from
1.8 to 2.1 eV, depending on the crystallite size. Natural-like FeTiO3 powders absorb further into
the red: FeTiO3 has a band gap of 1.5 eV. MnTiO3 behaves differently, with a wide band gap of
3.1 eV.

Structure
The lattice parameter a of NiTiO3 is 5.03 Å and c is 13.79 Å. The melting point of CoTiO3 is
approximately 1370 °C.
""",
    "magnetic_oxides_2017.txt": """\
Magnetic ordering temperatures of oxide spintronic materials

Authors: Henrik Sauer; Lucia Bianchi
DOI: 10.5555/textmine.demo.2017.02
Published: 2017-11-20

Introduction
Oxides that order magnetically above room temperature are the building blocks of oxide
spintronics. The half-metallic manganite La0.7Sr0.3MnO3 has a Curie temperature of 370 K, the
highest of the doped manganites. Magnetite Fe3O4 orders ferrimagnetically with a Curie
temperature of 858 K.

Antiferromagnets
NiO orders antiferromagnetically below a Néel temperature of 523 K, whereas CoO has a Néel
temperature of 291 K. The saturation magnetization of Fe3O4 films reached 480 emu/cm3 at 10 K.
""",
    "superconductors_2015.txt": """\
A short survey of practical superconductors

Published: 2015-05-08

Introduction
Three families dominate applications. The cuprate YBa2Cu3O7 becomes superconducting below a
critical temperature of 92 K, above the boiling point of liquid nitrogen. The simple boride MgB2
has a Tc of 39 K, and the A15 compound Nb3Sn has a critical temperature of 18.3 K.

Critical fields
The upper critical field of Nb3Sn is about 30 T at 4.2 K. For MgB2 wires, a critical current
density of 1.2 × 10^5 A cm−2 was measured at 20 K in self field.
""",
    "perovskite_solar_2021.txt": """\
Halide perovskite absorbers for single-junction and tandem solar cells

Authors: Jun Takeda; Sofia Marin
DOI: 10.5555/textmine.demo.2021.03
Published: 2021-09-30

Abstract
Methylammonium lead iodide remains the reference halide perovskite. CH3NH3PbI3 has a band gap of
1.55 eV and an ambipolar carrier mobility of 25 cm2 V−1 s−1. Our best CH3NH3PbI3 cells reached a
power conversion efficiency of 21.3 %.

Band gap tuning
Replacing lead by tin narrows the gap: in mixed Sn-Pb perovskites the band gap decreases from
1.45 to 1.08 eV as the tin fraction increases. Bromide-rich compositions widen it to 2.4–2.7 eV.
The glass transition of the PMMA encapsulant was 105 °C, and the dielectric constant of the
perovskite film was 32 at 1 kHz.
""",
    "semiconductor_transport_2018.txt": """\
Carrier mobility and lattice constants of common semiconductors

Published: 2018-02-12

Transport
Electron mobility spans four orders of magnitude across common semiconductors. Bulk GaAs shows
an electron mobility of 8500 cm2 V−1 s−1 at room temperature, and InSb reaches 77000 cm2/(V s).
The electrical conductivity of lightly doped silicon was 1.2 × 10−3 S cm−1.

Structure
The lattice parameter of silicon is 5.431 Å and its density is 2.33 g/cm3. The thermal
conductivity of silicon is 149 W m−1 K−1 at 300 K. Copper sulfate pentahydrate (CuSO4·5H2O)
was used as the dopant source; it loses its water of crystallisation at 120 ± 5 °C.
""",
}


# --- JATS ------------------------------------------------------------------------------------

def jats_thermoelectrics() -> str:
    rows = [("Bi2Te3", "210", "1100", "1.5", "1.1"), ("SnSe", "510", "12", "0.23", "2.6"), ("Nb-doped SrTiO3", "−280", "950", "3.6", "0.3")]
    table_rows = "\n".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.2 20190208//EN" "JATS-archivearticle1.dtd">
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">
<front>
<journal-meta><journal-title-group><journal-title>Demo Journal of Energy Materials</journal-title></journal-title-group></journal-meta>
<article-meta>
<article-id pub-id-type="doi">10.5555/textmine.demo.2020.04</article-id>
<title-group><article-title>Thermoelectric performance of chalcogenides and doped SrTiO<sub>3</sub></article-title></title-group>
<contrib-group>
<contrib contrib-type="author"><name><surname>Nakamura</surname><given-names>Aiko</given-names></name></contrib>
<contrib contrib-type="author"><name><surname>Osei</surname><given-names>Kwame</given-names></name></contrib>
</contrib-group>
<pub-date pub-type="epub"><day>18</day><month>06</month><year>2020</year></pub-date>
<abstract><p>We compare the figure of merit of bismuth telluride, tin selenide and niobium-doped strontium titanate. Bi<sub>2</sub>Te<sub>3</sub> reaches a ZT of 1.1 near room temperature.</p></abstract>
</article-meta>
</front>
<body>
<sec><title>Introduction</title>
<p>Thermoelectric generators convert waste heat into electricity; their efficiency is set by the dimensionless figure of merit ZT.</p>
</sec>
<sec><title>Results</title>
<p>The Seebeck coefficient of Bi<sub>2</sub>Te<sub>3</sub> is 210 µV/K at 300 K, and its electrical conductivity is 1100 S cm<sup>−1</sup>. Single-crystal SnSe has an exceptionally low thermal conductivity of 0.23 W m<sup>−1</sup> K<sup>−1</sup> along the b axis and a ZT of 2.6 at 923 K.</p>
<p>Nb-doped SrTiO<sub>3</sub> is an n-type oxide thermoelectric with a Seebeck coefficient of −280 µV/K. Undoped SrTiO<sub>3</sub> is a wide-gap insulator with a band gap of 3.25 eV.</p>
<table-wrap id="tab1"><label>Table 1</label><caption><title>Transport properties of the thermoelectric materials at their optimum temperature.</title></caption>
<table>
<thead><tr><th>Material</th><th>S (µV/K)</th><th>σ (S/cm)</th><th>κ (W/m K)</th><th>ZT</th></tr></thead>
<tbody>
{table_rows}
</tbody>
</table></table-wrap>
</sec>
</body>
</article>
"""


# --- Elsevier API ----------------------------------------------------------------------------

def elsevier_battery() -> str:
    return """<?xml version="1.0" encoding="UTF-8"?>
<full-text-retrieval-response xmlns="http://www.elsevier.com/xml/svapi/article/dtd" xmlns:ce="http://www.elsevier.com/xml/common/dtd" xmlns:ja="http://www.elsevier.com/xml/ja/dtd" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xocs="http://www.elsevier.com/xml/xocs/dtd" xmlns:cals="http://www.elsevier.com/xml/common/cals/dtd">
<coredata>
<prism:doi>10.5555/textmine.demo.2022.05</prism:doi>
<dc:title>Capacity retention of phosphate and layered oxide cathodes with a garnet solid electrolyte</dc:title>
<prism:coverDate>2022-04-01</prism:coverDate>
<dc:creator>Haddad, Leila</dc:creator>
<dc:creator>Berg, Jonas</dc:creator>
</coredata>
<originalText><xocs:doc><xocs:serial-item>
<ja:article>
<ja:item-info><ce:doi>10.5555/textmine.demo.2022.05</ce:doi></ja:item-info>
<ja:head>
<ce:title>Capacity retention of phosphate and layered oxide cathodes with a garnet solid electrolyte</ce:title>
<ce:author-group>
<ce:author><ce:given-name>Leila</ce:given-name><ce:surname>Haddad</ce:surname></ce:author>
<ce:author><ce:given-name>Jonas</ce:given-name><ce:surname>Berg</ce:surname></ce:author>
</ce:author-group>
<ce:abstract class="author"><ce:section-title>Abstract</ce:section-title><ce:abstract-sec><ce:simple-para>LiFePO<ce:inf>4</ce:inf> delivers a specific capacity of 170 mAh/g at C/10 and keeps 98 % of it after 500 cycles.</ce:simple-para></ce:abstract-sec></ce:abstract>
</ja:head>
<ja:body><ce:sections>
<ce:section><ce:section-title>Cathodes</ce:section-title>
<ce:para>The layered oxide Li(Ni<ce:inf>1/3</ce:inf>Mn<ce:inf>1/3</ce:inf>Co<ce:inf>1/3</ce:inf>)O<ce:inf>2</ce:inf> showed a specific capacity of 160 mAh g<ce:sup>−1</ce:sup> between 2.8 and 4.3 V, with a coulombic efficiency of 99.5 % from the third cycle on.</ce:para>
<ce:para>The spinel anode Li<ce:inf>4</ce:inf>Ti<ce:inf>5</ce:inf>O<ce:inf>12</ce:inf> is an insulator with a band gap of 3.8 eV and therefore needs a carbon coating.</ce:para>
</ce:section>
<ce:section><ce:section-title>Solid electrolyte</ce:section-title>
<ce:para>Al-doped garnet Li<ce:inf>7</ce:inf>La<ce:inf>3</ce:inf>Zr<ce:inf>2</ce:inf>O<ce:inf>12</ce:inf> pellets sintered at 1200 °C reached an ionic conductivity of 1.2 × 10<ce:sup>−3</ce:sup> S cm<ce:sup>−1</ce:sup> at 25 °C and a relative density of 96 %.</ce:para>
</ce:section>
</ce:sections></ja:body>
<ja:floats>
<ce:table id="tbl1"><ce:label>Table 1</ce:label><ce:caption><ce:simple-para>Specific capacity and coulombic efficiency of the cathodes at C/10.</ce:simple-para></ce:caption>
<cals:tgroup cols="3"><cals:colspec colname="c1"/><cals:colspec colname="c2"/><cals:colspec colname="c3"/>
<cals:thead><cals:row><ce:entry>Cathode</ce:entry><ce:entry>Capacity (mAh/g)</ce:entry><ce:entry>Coulombic efficiency (%)</ce:entry></cals:row></cals:thead>
<cals:tbody>
<cals:row><ce:entry>LiFePO4</ce:entry><ce:entry>170</ce:entry><ce:entry>99.8</ce:entry></cals:row>
<cals:row><ce:entry>Li(Ni1/3Mn1/3Co1/3)O2</ce:entry><ce:entry>160</ce:entry><ce:entry>99.5</ce:entry></cals:row>
</cals:tbody></cals:tgroup></ce:table>
</ja:floats>
</ja:article>
</xocs:serial-item></xocs:doc></originalText>
</full-text-retrieval-response>
"""


# --- RSC-like HTML ----------------------------------------------------------------------------

def rsc_titanate_photoanodes() -> str:
    rows = [("ZnO", "3.37"), ("GaN", "3.4"), ("CdTe", "1.5"), ("GaAs", "1.42"), ("Fe2TiO5", "1.9"), ("BaTiO3", "3.2")]
    body_rows = "\n".join(f'<tr><td>{m}</td><td>{v}</td></tr>' for m, v in rows)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<title>Pseudobrookite Fe2TiO5 photoanodes for solar water splitting - Demo Materials Chemistry (RSC Publishing) DOI:10.5555/textmine.demo.2023.06</title>
<meta name="citation_title" content="Pseudobrookite Fe 2 TiO 5 photoanodes for solar water splitting"/>
<meta name="citation_author" content="Elena Petrova"/>
<meta name="citation_author" content="Samuel Adeyemi"/>
<meta name="citation_doi" content="10.5555/textmine.demo.2023.06"/>
<meta name="DC.Date" content="2023/02/27"/>
</head><body>
<div id="wrapper">
<h1><span class="title_heading">Pseudobrookite Fe<sub>2</sub>TiO<sub>5</sub> photoanodes for solar water splitting</span></h1>
<p class="header_text">Elena Petrova and Samuel Adeyemi</p>
<p class="abstract">Iron titanate absorbs a larger part of the solar spectrum than TiO<sub>2</sub>. Pseudobrookite Fe<sub>2</sub>TiO<sub>5</sub> has a band gap of 1.9 eV and is stable in alkaline electrolyte.</p>
<h2><span class="a_heading">1. Introduction</span></h2>
<p class="otherpara">Photoanodes must combine visible-light absorption with chemical stability. Barium titanate (BaTiO<sub>3</sub>) is stable but its band gap of 3.2 eV limits absorption to the ultraviolet.</p>
<h2><span class="a_heading">2. Results and discussion</span></h2>
<span>The Fe<sub>2</sub>TiO<sub>5</sub> films prepared by spray pyrolysis have a density of 4.39 g/cm<sup>3</sup> and a refractive index of 2.35 at 600 nm.</span>
<p class="otherpara">Strontium-substituted Ba<sub>1−x</sub>Sr<sub>x</sub>TiO<sub>3</sub> with x = 0.3 was used as a ferroelectric underlayer; its dielectric constant is 2500 at room temperature.</p>
<div class="table_caption"><b>Table 1</b> <span id="tab1">Band gaps (eV) of common photoelectrode and reference semiconductors</span></div>
<div class="rtable__wrapper"><table class="tgroup rtable">
<thead><tr><th>Material</th><th>Band gap (eV)</th></tr></thead>
<tbody>
{body_rows}
</tbody></table></div>
<h2><span class="a_heading">3. Conclusions</span></h2>
<p class="otherpara">Fe<sub>2</sub>TiO<sub>5</sub> is a promising, earth-abundant photoanode.</p>
<h2><span class="a_heading">References</span></h2>
<ol><li>Demo reference, not a real citation.</li></ol>
</div></body></html>
"""


# --- USPTO ICE v4.x ---------------------------------------------------------------------------

def uspto_grant(number: str, date: str, title: str, inventors: list[tuple[str, str]], abstract: str,
                paragraphs: list[tuple[str, list[str]]], claims: list[str], table: tuple[str, list[list[str]]] | None = None) -> str:
    inventors_xml = "\n".join(
        f'<inventor sequence="{i:03d}" designation="us-only"><addressbook><last-name>{last}</last-name><first-name>{first}</first-name>'
        f"<address><country>US</country></address></addressbook></inventor>"
        for i, (first, last) in enumerate(inventors, 1)
    )
    description = []
    n = 1
    for heading, paras in paragraphs:
        description.append(f'<heading id="h-{n:04d}" level="1">{escape(heading)}</heading>')
        for para in paras:
            description.append(f'<p id="p-{n:04d}" num="{n:04d}">{escape(para)}</p>')
            n += 1
    if table is not None:
        title_, rows = table
        cols = len(rows[0])
        specs = "".join(f'<colspec colname="{c}" colwidth="50pt"/>' for c in range(cols))
        head = "<row>" + "".join(f"<entry>{escape(x)}</entry>" for x in rows[0]) + "</row>"
        body = "".join("<row>" + "".join(f"<entry>{escape(x)}</entry>" for x in r) + "</row>" for r in rows[1:])
        description.append(
            f'<p id="p-{n:04d}" num="{n:04d}"><tables id="TABLE-US-00001" num="00001"><table frame="none" colsep="0" rowsep="0">'
            f'<tgroup align="left" colsep="0" rowsep="0" cols="{cols}">{specs}<thead>{head}</thead><tbody>{body}</tbody></tgroup>'
            f"</table></tables></p>"
        )
    claims_xml = "\n".join(
        f'<claim id="CLM-{i:05d}" num="{i:05d}"><claim-text>{escape(text)}</claim-text></claim>' for i, text in enumerate(claims, 1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v45-2014-04-03.dtd" [ ]>
<us-patent-grant lang="EN" dtd-version="v4.5 2014-04-03" file="US{number}-{date}.XML" status="PRODUCTION" id="us-patent-grant" country="US" date-produced="{date}" date-publ="{date}">
<us-bibliographic-data-grant>
<publication-reference><document-id><country>US</country><doc-number>{number}</doc-number><kind>B2</kind><date>{date}</date></document-id></publication-reference>
<invention-title id="d2e43">{escape(title)}</invention-title>
<us-parties><inventors>
{inventors_xml}
</inventors></us-parties>
</us-bibliographic-data-grant>
<abstract id="abstract"><p id="p-0000" num="0000">{escape(abstract)}</p></abstract>
<description id="description">
{chr(10).join(description)}
</description>
<us-claim-statement>What is claimed is:</us-claim-statement>
<claims id="claims">
{claims_xml}
</claims>
</us-patent-grant>
"""


def uspto_black_tio2() -> str:
    return uspto_grant(
        "99000001", "20220913", "Hydrogenated titanium dioxide photocatalyst absorbing visible light",
        [("Wen", "Zhao"), ("Maria", "Lopez")],
        "A hydrogenated (black) titanium dioxide photocatalyst with a narrowed band gap of 1.54 eV absorbs visible light and degrades organic dyes.",
        [
            ("BACKGROUND", [
                "Stoichiometric TiO2 absorbs only ultraviolet light because its band gap is 3.0 to 3.2 eV.",
            ]),
            ("DETAILED DESCRIPTION", [
                "Annealing anatase nanocrystals in hydrogen at 500° C. creates a disordered surface shell. "
                "The resulting hydrogenated TiO2 has a band gap of 1.54 eV and a BET surface area of 120 m2/g.",
                "The photocatalyst retains a specific surface area of at least 100 m2/g after ten reaction cycles.",
            ]),
        ],
        [
            "A photocatalyst comprising hydrogenated titanium dioxide having an optical band gap of 1.4 to 1.7 eV.",
            "The photocatalyst of claim 1, wherein the BET surface area is at least 100 m2/g.",
        ],
        table=("", [["Sample", "Band gap (eV)", "Surface area (m2/g)"], ["white TiO2", "3.2", "145"], ["hydrogenated TiO2", "1.54", "120"]]),
    )


def uspto_bulk() -> str:
    first = uspto_grant(
        "99000002", "20240109", "Garnet solid electrolyte with high lithium-ion conductivity",
        [("Ingrid", "Holm")],
        "A tantalum-doped Li7La3Zr2O12 garnet electrolyte has an ionic conductivity of 1.0 × 10−3 S/cm at room temperature.",
        [("DETAILED DESCRIPTION", [
            "Li6.4La3Zr1.4Ta0.6O12 pellets hot-pressed at 1100° C. reach a relative density of 99% and a Young's modulus of 150 GPa.",
            "The electrolyte is stable against lithium metal; the critical current density is 0.9 mA/cm2.",
        ])],
        ["A solid electrolyte comprising Li7-xLa3Zr2-xTaxO12 with 0.2≤x≤0.8 and an ionic conductivity of at least 5 × 10−4 S/cm."],
    )
    second = uspto_grant(
        "99000003", "20240116", "Heat-resistant polymer blend for battery housings",
        [("Oliver", "Grant"), ("Yuki", "Sato")],
        "A blend of poly(ether ether ketone) and polycarbonate keeps its stiffness up to 140° C.",
        [("DETAILED DESCRIPTION", [
            "Polystyrene has a glass transition temperature of 100° C., and poly(methyl methacrylate) has a glass transition temperature of 105° C.",
            "PEEK melts at 343° C.; the blend shows a single glass transition at 147±3° C. and a Vickers hardness of 0.3 GPa.",
        ])],
        ["A polymer blend comprising poly(ether ether ketone) and polycarbonate, having a glass transition temperature between 140° C. and 160° C."],
    )
    return first + second


# --- EPO ------------------------------------------------------------------------------------

def epo_dielectric() -> str:
    return """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ep-patent-document PUBLIC "-//EPO//EP PATENT DOCUMENT 1.5//EN" "ep-patent-document-v1-5.dtd">
<ep-patent-document id="EP99000004B1" file="EP99000004NWB1.xml" lang="en" country="EP" doc-number="9900004" kind="B1" date-publ="20210428" status="n" dtd-version="ep-patent-document-v1-5">
<SDOBI lang="en"><B100><B110>9900004</B110><B130>B1</B130><B140><date>20210428</date></B140><B190>EP</B190></B100>
<B500><B540><B541>de</B541><B542>DIELEKTRISCHE KERAMIK AUF BASIS VON BARIUMSTRONTIUMTITANAT</B542><B541>en</B541><B542>DIELECTRIC CERAMIC BASED ON BARIUM STRONTIUM TITANATE</B542><B541>fr</B541><B542>CÉRAMIQUE DIÉLECTRIQUE À BASE DE TITANATE DE BARYUM ET DE STRONTIUM</B542></B540></B500>
<B700><B720><B721><snm>KOVAC, Marko</snm></B721><B721><snm>FISCHER, Anna</snm></B721></B720></B700>
</SDOBI>
<abstract id="abst" lang="en"><p id="pa01" num="0001">A dielectric ceramic of composition Ba<sub>1-x</sub>Sr<sub>x</sub>TiO<sub>3</sub> with x = 0.3 has a relative dielectric constant of 2500 and low losses at room temperature.</p></abstract>
<description id="desc" lang="en">
<heading id="h0001">BACKGROUND</heading>
<p id="p0001" num="0001">Barium titanate has a Curie temperature of 393 K; substituting strontium lowers it towards room temperature.</p>
<heading id="h0002">DESCRIPTION OF EMBODIMENTS</heading>
<p id="p0002" num="0002">Ba<sub>0.7</sub>Sr<sub>0.3</sub>TiO<sub>3</sub> powder was sintered at 1350 °C to a density of 5.7 g/cm<sup>3</sup>. The ceramic has a dielectric constant of 2500 at 1 kHz and a band gap of 3.3 eV.</p>
<p id="p0003" num="0003">Manganese was introduced from manganese sulfate monohydrate (MnSO<sub>4</sub>·H<sub>2</sub>O); 0.5 mol% Mn reduces the dielectric loss to 0.8 %.</p>
<p id="p0004" num="0004"><tables id="tabl0001" num="0001"><table frame="all"><title>Table 1: Dielectric constant of Ba<sub>1-x</sub>Sr<sub>x</sub>TiO<sub>3</sub> ceramics</title>
<tgroup cols="2"><colspec colnum="1" colname="col1"/><colspec colnum="2" colname="col2"/>
<thead><row><entry>x</entry><entry>Dielectric constant</entry></row></thead>
<tbody><row><entry>0.0</entry><entry>1700</entry></row><row><entry>0.3</entry><entry>2500</entry></row><row><entry>0.5</entry><entry>900</entry></row></tbody>
</tgroup></table></tables></p>
</description>
<claims id="claims01" lang="en">
<claim id="c-en-0001" num="0001"><claim-text>A dielectric ceramic of composition Ba<sub>1-x</sub>Sr<sub>x</sub>TiO<sub>3</sub> with 0.2 ≤ x ≤ 0.4, having a dielectric constant of at least 2000 at 1 kHz.</claim-text></claim>
<claim id="c-en-0002" num="0002"><claim-text>The ceramic according to claim 1, doped with 0.1 to 1.0 mol% manganese.</claim-text></claim>
</claims>
<claims id="claims02" lang="de">
<claim id="c-de-0001" num="0001"><claim-text>Dielektrische Keramik der Zusammensetzung Ba<sub>1-x</sub>Sr<sub>x</sub>TiO<sub>3</sub> mit 0,2 ≤ x ≤ 0,4.</claim-text></claim>
</claims>
</ep-patent-document>
"""


# --- PDF --------------------------------------------------------------------------------------

PDF_TITLE = "Mechanical and thermal properties of silicon nitride and alumina ceramics"
PDF_PARAGRAPHS: list[tuple[str, str]] = [
    ("Abstract", "We report room-temperature mechanical data for dense ceramics. Hot-pressed Si3N4 has a "
                 "Young's modulus of 310 GPa and a Vickers hardness of 15 GPa."),
    ("1 Introduction", "Structural ceramics combine stiffness with low density. The density of Si3N4 is "
                       "3.2 g/cm3, and alumina (Al2O3) has a density of 3.95 g/cm3."),
    ("2 Results", "The thermal conductivity of the Si3N4 samples was 90 W m-1 K-1 at 25 °C. Al2O3 has a "
                  "melting point of 2072 °C and a Young's modulus of 370 GPa. Rutile TiO2 additions raised the "
                  "fracture toughness of alumina to 4.5 MPa m1/2."),
]


def make_pdf() -> bytes:
    """A one-page PDF written by hand: Helvetica (a standard Type1 font, so nothing is embedded),
    WinAnsi encoding, one content stream of positioned text lines."""

    def pdf_string(text: str) -> str:
        raw = text.encode("cp1252")
        return "(" + "".join(
            "\\" + chr(b) if chr(b) in "()\\" else (chr(b) if 32 <= b < 127 else f"\\{b:03o}") for b in raw
        ) + ")"

    ops: list[str] = []
    y = 760.0

    def line(text: str, font: str, size: float, gap: float) -> None:
        nonlocal y
        ops.append(f"BT /{font} {size} Tf 72 {y:.1f} Td {pdf_string(text)} Tj ET")
        y -= gap

    for part in textwrap.wrap(PDF_TITLE, 60):
        line(part, "F2", 16, 20)
    y -= 6
    line("Demo Author One, Demo Author Two", "F1", 10, 26)
    for heading, paragraph in PDF_PARAGRAPHS:
        line(heading, "F2", 11, 15)
        for part in textwrap.wrap(paragraph, 92):
            line(part, "F1", 10, 12.5)
        y -= 10
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + pdf_string(PDF_TITLE).encode("latin-1") + b" /Author (Demo Author One; Demo Author Two) "
        b"/CreationDate (D:20240305120000Z) /Producer (textmine corpora/make_demo.py) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- driver -------------------------------------------------------------------------------------

def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {name: text.encode("utf-8") for name, text in TEXTS.items()}
    files["thermoelectrics_2020.nxml"] = jats_thermoelectrics().encode("utf-8")
    files["battery_cathodes_2022.xml"] = elsevier_battery().encode("utf-8")
    files["fe2tio5_photoanodes_2023.html"] = rsc_titanate_photoanodes().encode("utf-8")
    files["US99000001B2_black_tio2.xml"] = uspto_black_tio2().encode("utf-8")
    files["uspto_bulk_2024.xml"] = uspto_bulk().encode("utf-8")
    files["EP9900004B1_dielectric.xml"] = epo_dielectric().encode("utf-8")
    files["ceramics_2024.pdf"] = make_pdf()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, data in files.items() if not (OUT / name).is_file() or (OUT / name).read_bytes() != data]
        if stale:
            print(f"stale demo files (run python corpora/make_demo.py): {stale}", file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(files)} files to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
