"""A BERT sentence encoder in NumPy, for a cold start without torch.

A one-shot `ask` embeds a question and a few dozen sentences. Loading sentence-transformers
for that costs seconds of imports (torch, transformers, scikit-learn, SciPy) before the
first vector; this module reads the same model folder with `tokenizers` and `safetensors`
and runs the same computation (BERT, mean pooling, unit length) in NumPy in a fraction of
that. Its vectors match sentence-transformers' to about 1e-7 (tests/test_encoder.py), so
an index built with one answers queries embedded with the other.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
# Texts per forward pass: all their tokens go through the dense layers as one matrix.
GROUP = 32


def supported(folder: Path) -> bool:
    """Whether folder holds a sentence-transformers BERT model this encoder computes exactly:
    absolute positions, erf GELU, mean pooling, weights in model.safetensors."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((folder / pooling_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])
        and modes == {"pooling_mode_mean_tokens"}
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


class BertEncoder:
    """Unit-length mean-pooled BERT vectors, computed like sentence-transformers does."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from threadpoolctl import threadpool_limits
        from tokenizers import Tokenizer

        # One BLAS thread: the matrices here are small (a question, a few passages'
        # sentences), so BLAS threads spend more time waking and spinning than multiplying,
        # far more when other work holds the cores, and a server already runs one question
        # per core. On two busy cores a question took 9 ms on one thread, 40-420 ms on two.
        threadpool_limits(limits=1, user_api="blas")

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        st_config = folder / "sentence_bert_config.json"
        options = json.loads(st_config.read_text(encoding="utf-8")) if st_config.exists() else {}
        self.lower = bool(options.get("do_lower_case", False))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(options.get("max_seq_length", 512)))
        weights = load_file(str(folder / "model.safetensors"))
        self.w: dict[str, Array] = {}
        for name, value in weights.items():
            name = name.removeprefix("bert.")
            # Dense layers are stored (out, in); keep them (in, out) for x @ w.
            dense = value.ndim == 2 and not name.startswith("embeddings.")
            self.w[name] = np.ascontiguousarray(value.T if dense else value, dtype=np.float32)

    def encode(self, texts: list[str]) -> Array:
        """One row per text; empty input gives an empty (0, dim) array."""
        rows = [self._group(texts[i : i + GROUP]) for i in range(0, len(texts), GROUP)]
        width = self.w["embeddings.word_embeddings.weight"].shape[1]
        return np.concatenate(rows) if rows else np.zeros((0, width), np.float32)

    def _group(self, texts: list[str]) -> Array:
        # sentence-transformers strips each text (and lower-cases when configured) first.
        cleaned = [t.strip().lower() if self.lower else t.strip() for t in texts]
        encoded = self.tokenizer.encode_batch(cleaned)
        lengths = [len(e.ids) for e in encoded]
        starts = np.cumsum([0, *lengths])
        ids = np.concatenate([e.ids for e in encoded])
        types = np.concatenate([e.type_ids for e in encoded])
        positions = np.concatenate([np.arange(n) for n in lengths])
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        for layer in range(self.layers):
            x = self._layer(x, f"encoder.layer.{layer}.", starts)
        sums = np.add.reduceat(x, starts[:-1], axis=0)
        pooled = sums / np.array(lengths, np.float32)[:, None]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Array = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def _layer(self, x: Array, p: str, starts: npt.NDArray[Any]) -> Array:
        heads, size = self.heads, x.shape[1] // self.heads
        q = self._dense(x, p + "attention.self.query") * np.float32(1 / math.sqrt(size))
        k = self._dense(x, p + "attention.self.key")
        v = self._dense(x, p + "attention.self.value")
        context = np.empty_like(x)
        # Attention stays within each text, so no padding or mask is needed.
        for a, b in itertools.pairwise(starts):
            n = b - a
            qh = q[a:b].reshape(n, heads, size).transpose(1, 0, 2)
            kh = k[a:b].reshape(n, heads, size).transpose(1, 2, 0)
            vh = v[a:b].reshape(n, heads, size).transpose(1, 0, 2)
            scores = qh @ kh
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context[a:b] = (scores @ vh).transpose(1, 0, 2).reshape(n, heads * size)
        x = self._norm(
            x + self._dense(context, p + "attention.output.dense"),
            p + "attention.output.LayerNorm",
        )
        hidden = _gelu(self._dense(x, p + "intermediate.dense"))
        return self._norm(x + self._dense(hidden, p + "output.dense"), p + "output.LayerNorm")

    def _dense(self, x: Array, p: str) -> Array:
        return x @ self.w[p + ".weight"] + self.w[p + ".bias"]

    def _norm(self, x: Array, p: str) -> Array:
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        scaled: Array = centred / np.sqrt(variance + self.eps) * self.w[p + ".weight"]
        return scaled + self.w[p + ".bias"]


def _gelu(x: Array) -> Array:
    """BERT's exact GELU, x * Φ(x), with erf to within 1.5e-7 (Abramowitz & Stegun 7.1.26),
    below float32's resolution; NumPy has no erf of its own."""
    z = np.abs(x) * np.float32(1 / math.sqrt(2))
    t = 1 / (1 + np.float32(0.3275911) * z)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = np.sign(x) * (1 - poly * np.exp(-z * z))
    out: Array = (0.5 * x * (1 + erf)).astype(np.float32)
    return out
