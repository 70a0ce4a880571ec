"""Chemistry: every formula recogniser and parser of the project, in one place.

| module | what | needs |
|---|---|---|
| `elements` | element symbols and names, by atomic number | stdlib |
| `tokens` | is one token a formula? `is_formula` (what the tokenizer keeps whole) and the mat2vec rules of the Matscholar NER corpus (`is_simple_formula`, `normalise_formula`: `SiO2` -> `O2Si`) | stdlib |
| `formula` | the full parser: variables, fractions, hydrates, charges, shared sites, placeholders (`parse_formula`, `ParsedFormula`, `variables_in_text`) | pymatgen for `reduced_formula` only |
| `find` | formulas in running text with spans (`find_formulas`, `looks_like_formula`) | as `formula` |
| `names` | materials by name and abbreviation (`find_material_names`, `formula_for_name`) | pymatgen, the ontology's `material_names.yaml` |

The three recognisers answer different questions on purpose and must not drift into one another:
the tokenizer's must be fast and keep formulas whole, the NER normaliser's must reproduce the
corpus the model was trained on exactly, and the finder trades recall for few false positives.
Import the module you need (`from textmine.chemistry.find import find_formulas`): this package
imports nothing itself, so NER inference and the tokenizer never load pymatgen.
"""
