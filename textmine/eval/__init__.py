"""Scorers: how good the NER model, the extracted records and their confidences are, against gold data.

| module | what | command |
|---|---|---|
| `ner` | conlleval-style exact span-and-type P/R/F1 of a tagger on a CoNLL file | `textmine evaluate ner` |
| `gold` | the gold CSV (`compound,value,source`, ` | ` alternatives) and records JSONL readers | |
| `match` | when a record matches a gold row (compound by name or composition, value within 2 %) | |
| `records` | precision, recall and F1 of records, per property and pooled | `textmine evaluate records` |
| `calibration` | reliability table and expected calibration error of record confidences | `textmine evaluate calibration` |
| `silver` | gold files and texts from the shared Snowball silver sets and PolyIE | `textmine evaluate make-gold` |

The scorers read files only (gold CSV, records JSONL, CoNLL): how the records were made is not
their business, so `textmine extract --input texts.jsonl --output records.jsonl` followed by
`textmine evaluate records gold/ records.jsonl` scores any pipeline the same way.
"""
