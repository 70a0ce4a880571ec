"""Element symbols and names: the one table every formula recogniser reads (standard library only)."""

from __future__ import annotations

import functools

ELEMENTS: tuple[str, ...] = tuple(
    """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se
    Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy
    Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf
    Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og""".split()
)
ELEMENT_SET = frozenset(ELEMENTS)

ELEMENT_NAMES: tuple[str, ...] = tuple(
    """hydrogen helium lithium beryllium boron carbon nitrogen oxygen fluorine neon sodium magnesium
    aluminium silicon phosphorus sulfur chlorine argon potassium calcium scandium titanium vanadium
    chromium manganese iron cobalt nickel copper zinc gallium germanium arsenic selenium bromine
    krypton rubidium strontium yttrium zirconium niobium molybdenum technetium ruthenium rhodium
    palladium silver cadmium indium tin antimony tellurium iodine xenon cesium barium lanthanum
    cerium praseodymium neodymium promethium samarium europium gadolinium terbium dysprosium holmium
    erbium thulium ytterbium lutetium hafnium tantalum tungsten rhenium osmium iridium platinum gold
    mercury thallium lead bismuth polonium astatine radon francium radium actinium thorium
    protactinium uranium neptunium plutonium americium curium berkelium californium einsteinium
    fermium mendelevium nobelium lawrencium rutherfordium dubnium seaborgium bohrium hassium
    meitnerium darmstadtium roentgenium copernicium nihonium flerovium moscovium livermorium
    tennessine oganesson""".split()
)
ELEMENT_NAME_SET = frozenset(ELEMENT_NAMES) | frozenset(n.capitalize() for n in ELEMENT_NAMES)
# an element's symbol by its lower-case name, American and older British spellings included
SYMBOL_OF_NAME: dict[str, str] = {**dict(zip(ELEMENT_NAMES, ELEMENTS)), "aluminum": "Al", "caesium": "Cs", "sulphur": "S"}
# the nonmetals and metalloids that form anions ('Zn–Cd sulfide' is metals and sulfur; 'Mn(AOT)2' has a metal)
NONMETALS = frozenset("H He B C N O F Ne Si P S Cl Ar As Se Br Kr Te I Xe At Rn".split())


@functools.lru_cache(maxsize=1)
def element_symbols() -> frozenset[str]:
    """Symbols the formula parser accepts: hydrogen to bismuth (Z <= 83) plus the actinides used in
    materials (Th, U, Pu). 'Fm3' is a space group and 'No' a word; the isotopes D and T are not
    elements here either (in text they are almost always abbreviations)."""
    return frozenset(ELEMENTS[:83]) | {"Th", "U", "Pu"}


__all__ = ["ELEMENTS", "ELEMENT_NAMES", "ELEMENT_NAME_SET", "ELEMENT_SET", "NONMETALS", "SYMBOL_OF_NAME", "element_symbols"]
