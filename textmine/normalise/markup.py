"""TeX markup in abstracts (arXiv and preprint servers) as plain text, with an exact offset map.

    edits = tex_edits("MoS_2 has a gap of 1.8~eV at $T_C$ = 300~K")
    view = TextView.of(text, edits)
    view.text                 # 'MoS2 has a gap of 1.8 eV at TC = 300 K'
    view.to_raw(0), view.to_raw(4)   # 0, 5: spans found in the view map back to 'MoS_2'

An edit replaces `text[start:end]` by `replacement`. Extraction components find spans in the
view and store raw offsets, so a record still points at the text as written (`MoS_2`) while its
formula is parsed from what it means (`MoS2`). Only unambiguous TeX is touched: `$...$` math,
backslash commands, `_{..}`/`^{..}` scripts after a letter or bracket, and `~` between a number
and a unit; a plain text without TeX gets no edits at all.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

# \command -> text (symbols that carry meaning for extraction)
SYMBOLS = {
    "sim": "∼", "approx": "≈", "simeq": "≃", "pm": "±", "mp": "∓", "times": "×", "cdot": "·", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "lesssim": "≲", "gtrsim": "≳", "ll": "≪", "gg": "≫", "deg": "°", "circ": "°",
    "degree": "°", "AA": "Å", "angstrom": "Å", "mu": "μ", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
    "Delta": "Δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ",
    "lambda": "λ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Omega": "Ω", "Gamma": "Γ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ",
    "Lambda": "Λ", "Theta": "Θ", "Pi": "Π", "ohm": "Ω", "infty": "∞", "to": "→", "rightarrow": "→", "prime": "′",
    "perp": "⊥", "parallel": "∥", "%": "%", ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "-": "-",
    "textdegree": "°", "textmu": "μ", "textpm": "±", "textperthousand": "‰", "AA{}": "Å",
}
# commands whose braced argument is kept as text: \mathrm{C}, \text{eff}, \textit{et al.}
WRAPPERS = ("mathrm", "text", "textrm", "mathit", "textit", "mathbf", "textbf", "rm", "it", "bf", "mbox", "mathsf",
            "operatorname", "textsubscript", "textsuperscript", "emph", "boldsymbol", "bm", "mathcal", "hbox",
            "bar", "overline", "hat", "tilde", "vec", "dot", "mathring", "left", "right", "big", "Big")

# inline `$...$` and display `$$...$$` math (one line, at most 200 characters inside)
_MATH = re.compile(r"(?<![\\$])(\$\$|\$)(?!\$)([^$\n]{1,200}?)(?<![\\$])\1(?!\$)")
_NAME = re.compile(r"[A-Za-z]+|[%,;:! \-'\"`^~]")
# accents: R\'{e}nyi, Schr\"odinger, \c{c} -> Rényi, Schrödinger, ç
ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303", "c": "\u0327", "v": "\u030c",
           "u": "\u0306", "H": "\u030b"}
_ACCENTED = re.compile(r"\{\s?([A-Za-z])\s?\}|(?<=['\"`^~])([A-Za-z])")
_SCRIPT_AFTER = re.compile(r"[A-Za-z0-9)\]}'′α-ωΑ-Ω]")
_TILDE_BEFORE = re.compile(r"[0-9}]")
_TILDE_AFTER = re.compile(r"[A-Za-zμµ°Å\\%$]")
_DEGREE = re.compile(r"\^\s*(?:\{\s*\\circ\s*\}|\\circ\s*)")
# the characters the scan stops at; everything between them is left as it is
_SPECIAL = re.compile(r"[$\\_^{}~]")


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str
    bracket: int = 0  # +1: opening markup ('$', '\\mathrm{'), -1: closing ('}', '$'); spans take them in


# PDF text of an ångström whose ring came out as a separate combining or spacing glyph: 'A ̊', 'A˚'
_SPLIT_ANGSTROM = re.compile(r"(?<![A-Za-z])A\s?[\u030A\u02DA](?![A-Za-z])")
# ... or as the one glyph 'Ǻ' (A with ring and acute) some fonts draw it with: 'V = 1512.3(4) Ǻ3'
_ANGSTROM_GLYPH = re.compile(r"(?<![A-Za-z])\u01FA(?![a-z])")


# Private-use code points PDF extraction leaves for glyphs of symbol fonts: the Symbol font puts its
# characters at U+F000 + their Symbol code ('Sb1\uf02dx' is 'Sb1−x', '\uf0b1' '±'); publishers'
# text fonts put ligatures and dashes there ('thin \ue103lms' is 'thin films'). Only the codes whose
# reading is certain are mapped; a Wingdings bullet shares the range and is left alone.
_SYMBOL_FONT = dict(zip(range(0xF061, 0xF07B), "αβχδεφγηιϕκλμνοπθρστυϖωξψζ"))
_SYMBOL_FONT.update(zip(range(0xF041, 0xF05B), "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ"))
_SYMBOL_FONT.update({0xF02B: "+", 0xF02D: "−", 0xF03C: "<", 0xF03D: "=", 0xF03E: ">", 0xF07E: "∼", 0xF0A2: "′",
                     0xF0A3: "≤", 0xF0A5: "∞", 0xF0B0: "°", 0xF0B1: "±", 0xF0B2: "″", 0xF0B3: "≥", 0xF0B4: "×",
                     0xF0B9: "≠", 0xF0BB: "≈", 0xF0D7: "⋅", 0xF0AE: "→"})
_PUBLISHER_GLYPHS = {0xE103: "fi", 0xE104: "fl", 0xE09D: "ft", 0xE0D5: "—", 0xE5F8: "–"}
PRIVATE_GLYPHS = {**_SYMBOL_FONT, **_PUBLISHER_GLYPHS}
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


# PDF text that broke a decimal after its point: 'Ce0. 95Co0. 05O2' (a formula's amounts, an element and its
# amount on either side), '0. 01 wt%', 'n ≈ 0. 32' (a leading zero); not a sentence ending in a number
# ('... Fe2. 3D printing ...', 'in 2019. 3 samples')
_SPLIT_DECIMAL = re.compile(r"(?:(?<=[A-Z]\d)|(?<=[A-Z][a-z]\d))\.\s(?=\d+[A-Z][a-z]?[\d.A-Z(])|(?<![\w.]0)(?<=0)\.\s(?=\d)")
# ... or an ion's charge off its element: 'Tb3 + doped PbWO4', 'Mn2 + ions', 'Co2 + cations' (not a reaction's
# 'H2 + 1/4AlH3': only before a word that names ions or a doping)
_SPACED_CHARGE = re.compile(
    r"(?:(?<=\b[A-Z]\d)|(?<=\b[A-Z][a-z]\d))\s(?=[+−-]\s?(?:[-‐–]?\s?(?:co-?)?doped|ions?|cations?|anions?)\b)")


def glyph_edits(text: str) -> list[Edit]:
    """Edits that mend characters PDF extraction split into pieces or left at private code points:
    'a = 6.273 A ̊' reads 'a = 6.273 Å', 'Sb1\uf02dxBix' reads 'Sb1−xBix', 'thin \ue103lms' 'thin films'."""
    edits: list[Edit] = []
    if "\u030A" in text or "\u02DA" in text:
        edits += [Edit(m.start(), m.end(), "Å") for m in _SPLIT_ANGSTROM.finditer(text)]
    if "\u01FA" in text:
        edits += [Edit(m.start(), m.end(), "Å") for m in _ANGSTROM_GLYPH.finditer(text)]
    edits += [Edit(m.start(), m.end(), PRIVATE_GLYPHS[ord(m.group(0))]) for m in _PRIVATE_USE.finditer(text)
              if ord(m.group(0)) in PRIVATE_GLYPHS]
    if ". " in text:
        edits += [Edit(m.start(), m.end(), ".") for m in _SPLIT_DECIMAL.finditer(text)]
    if " + " in text or " − " in text or " - " in text:
        edits += [Edit(m.start(), m.end(), "") for m in _SPACED_CHARGE.finditer(text)]
    return sorted(edits, key=lambda e: e.start)


def tex_edits(text: str) -> list[Edit]:
    """The edits that turn the TeX in `text` into plain text; [] when there is none.

    A left-to-right scan: `$`/`$$` of paired math delimiters, `\\command`s (symbols become their
    character, \\mathrm{..}-style wrappers keep their argument), `_`/`^` scripts after a letter,
    digit or bracket (their group braces go; `^{\\circ}C` becomes `°C`), group braces opened in
    math or by a script or wrapper, and `~` between a number and a unit. The scan jumps from one
    of these characters to the next, so a long text with none costs one regular-expression search.
    """
    if not any(c in text for c in "$\\_^~"):
        return []
    delimiters: dict[int, int] = {}  # position of a math delimiter -> its length (1 or 2)
    ranges: list[tuple[int, int]] = []
    for m in _MATH.finditer(text):
        width = len(m.group(1))
        delimiters[m.start()] = delimiters[m.end() - width] = width
        ranges.append((m.start(), m.end()))
    math = {p + k for p, w in delimiters.items() for k in range(w)}
    in_math = _inside(ranges)
    edits: list[Edit] = []
    closing: list[bool] = []  # for each open '{': delete its '}'?
    n = len(text)
    found = _SPECIAL.search(text)
    while found:
        i = found.start()
        c = text[i]
        nxt = i + 1
        if c == "$":
            if i in delimiters:
                width = delimiters[i]
                edits.append(Edit(i, i + width, "", -1 if in_math(i - 1) else 1))
                nxt = i + width
        elif c == "\\":
            m = _NAME.match(text, i + 1)
            if m:
                name, end = m.group(0), m.end()
                nxt = end
                if name in WRAPPERS:
                    if text[end : end + 1] == "{":
                        edits.append(Edit(i, end + 1, "", 1))
                        closing.append(True)
                        nxt = end + 1
                    else:  # a declaration such as {\rm C}, or an accent such as \bar 3
                        while end < n and text[end] == " ":
                            end += 1
                        edits.append(Edit(i, end, ""))
                        nxt = end
                elif name in ACCENTS and _ACCENTED.match(text, end):
                    letter = _ACCENTED.match(text, end)
                    edits.append(Edit(i, letter.end(), unicodedata.normalize("NFC", (letter.group(1) or letter.group(2)) + ACCENTS[name])))
                    nxt = letter.end()
                elif name in SYMBOLS:
                    if text[end : end + 2] == "{}":
                        end += 2
                    elif (name[0].isalpha() and in_math(i) and text[end : end + 1] == " "
                          and text[end + 1 : end + 2].isalpha()):
                        end += 1  # '$\\Delta E$' is 'ΔE': in math the space after a command name is no space
                    edits.append(Edit(i, end, SYMBOLS[name]))
                    nxt = end
        elif c in "_^" and i + 1 < n and _SCRIPT_AFTER.match(_before(text, i, math)):
            degree = _DEGREE.match(text, i)
            if degree:
                edits.append(Edit(i, degree.end(), "°"))
                nxt = degree.end()
            else:
                keep = "^" if c == "^" else ""
                if text[i + 1] == "{":
                    edits.append(Edit(i, i + 2, keep))
                    closing.append(True)
                    nxt = i + 2
                elif (text[i + 1].isalnum() or text[i + 1] in "+-−\\") and (c == "_" or in_math(i)):
                    edits.append(Edit(i, i + 1, keep))
        elif c == "{":
            delete = in_math(i)
            if delete:
                edits.append(Edit(i, i + 1, ""))
            closing.append(delete)
        elif c == "}":
            if closing and closing.pop():
                edits.append(Edit(i, i + 1, "", -1))
        elif c == "~" and _TILDE_BEFORE.match(_before(text, i, math)) and _TILDE_AFTER.match(text[i + 1 : i + 2] or " "):
            edits.append(Edit(i, i + 1, " "))
        found = _SPECIAL.search(text, nxt)
    return [e for e in edits if text[e.start : e.end] != e.replacement]


def _before(text: str, i: int, math: set[int]) -> str:
    """The character before `i`, looking through math delimiters ('Li$_7$' -> 'i')."""
    j = i - 1
    while j >= 0 and text[j] == "$" and j in math:
        j -= 1
    return text[j] if j >= 0 else " "


def _inside(ranges: list[tuple[int, int]]):
    starts = [a for a, _ in ranges]

    def inside(position: int) -> bool:
        k = bisect.bisect_right(starts, position) - 1
        return k >= 0 and position < ranges[k][1]

    return inside


@dataclass
class TextView:
    """A text with edits applied, and the maps between its offsets and the raw text's."""

    raw: str
    text: str
    _view_starts: list[int]
    _raw_starts: list[int]
    _edits: list[Edit]

    @classmethod
    def of(cls, raw: str, edits: list[Edit], base: int = 0) -> "TextView":
        """The view of `raw` (which starts at `base` in the document; edits are in document offsets)."""
        parts, view_starts, raw_starts, local = [], [], [], []
        cursor = 0
        length = 0
        for edit in edits:
            start, end = edit.start - base, edit.end - base
            if start < cursor or end > len(raw):
                continue
            parts.append(raw[cursor:start])
            length += start - cursor
            view_starts.append(length)
            raw_starts.append(start)
            local.append(Edit(start, end, edit.replacement, edit.bracket))
            parts.append(edit.replacement)
            length += len(edit.replacement)
            cursor = end
        parts.append(raw[cursor:])
        return cls(raw, "".join(parts), view_starts, raw_starts, local)

    def to_raw(self, offset: int, *, end: bool = False) -> int:
        """The raw offset of a span boundary at view offset `offset`. A start maps to the first raw
        character that made the view character there (past deleted markup); an end maps past the
        last raw character that made the view character before it."""
        position = offset - 1 if end else offset
        if position < 0:
            return 0
        k = bisect.bisect_right(self._view_starts, position) - 1
        if k < 0:
            raw = position
        else:
            edit, view_start = self._edits[k], self._view_starts[k]
            view_end = view_start + len(edit.replacement)
            if position < view_end:  # made by this edit's replacement
                return self._around(edit.end if end else edit.start, end)
            raw = edit.end + (position - view_end)
        return self._around(raw + 1 if end else raw, end)

    def _around(self, raw: int, end: bool) -> int:
        """Take in markup that opens right before a span start or closes right after its end
        ('$T_C$', 'Te_{6}'), so a span shows the markup whole."""
        if not hasattr(self, "_opening"):
            self._opening = {e.end: e for e in self._edits if e.bracket > 0 and not e.replacement}
            self._closing = {e.start: e for e in self._edits if e.bracket < 0 and not e.replacement}
        table = self._closing if end else self._opening
        while raw in table:
            raw = table[raw].end if end else table[raw].start
        return raw

    def to_view(self, offset: int) -> int:
        """The view offset of raw offset `offset` (inside an edited region: the replacement's start)."""
        i = bisect.bisect_right(self._raw_starts, offset) - 1
        if i < 0:
            return offset
        edit = self._edits[i]
        view_start = self._view_starts[i]
        if offset < edit.end:
            return view_start if offset == edit.start else view_start + len(edit.replacement)
        return view_start + len(edit.replacement) + (offset - edit.end)

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.to_raw(start), self.to_raw(end, end=True)


__all__ = ["Edit", "TextView", "tex_edits"]
