"""The chemical elements, in order of atomic number: `ELEMENTS[z - 1]` is the symbol of element z.

The order is a storage contract: the embedded store keeps a material's elements as a bitmask with
bit z - 1 for element z, so the order never changes (new elements can only be appended).
"""

from __future__ import annotations

ELEMENTS: tuple[str, ...] = tuple(
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr "
    "Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt "
    "Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc "
    "Lv Ts Og".split()
)
ELEMENT_SET: frozenset[str] = frozenset(ELEMENTS)
ATOMIC_NUMBER: dict[str, int] = {symbol: z for z, symbol in enumerate(ELEMENTS, start=1)}

assert len(ELEMENTS) == 118 and len(ELEMENT_SET) == 118

__all__ = ["ATOMIC_NUMBER", "ELEMENTS", "ELEMENT_SET"]
