"""The NumPy encoder against sentence-transformers, with the packaged model: same vectors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS

from assistant import Settings, chunking, documents, embeddings, encoder

QUESTION = "How many times has Article 4 been invoked?"


@pytest.fixture(scope="module")
def model() -> embeddings.LocalEmbeddings:
    loaded = embeddings.load(Settings().embedding_model)
    assert isinstance(loaded, embeddings.LocalEmbeddings)
    return loaded


@pytest.fixture(scope="module")
def chunks() -> list[str]:
    loaded = documents.load([CORPUS], CORPUS, 20_000_000)
    return [c.page_content for c in chunking.split_all(loaded.documents, 800, 120)]


def test_numpy_vectors_match_sentence_transformers(
    model: embeddings.LocalEmbeddings, chunks: list[str]
) -> None:
    texts = [
        QUESTION,
        "  Article 5  ",
        "",
        "Poland invoked Article 4 on 10 September 2025.",
        *chunks,
    ]
    ours = model.encoder.encode(texts)
    theirs = np.array(model.bulk.embed_documents(texts), dtype=np.float32)
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_small_calls_use_numpy_and_large_ones_torch_with_the_same_result(
    model: embeddings.LocalEmbeddings, chunks: list[str]
) -> None:
    few = chunks[:3]
    many = chunks[:40]
    assert sum(map(len, few)) <= embeddings.BULK_CHARS < sum(map(len, many))
    small = np.array(model.embed_documents(few))
    large = np.array(model.embed_documents(many))
    assert np.abs(small - large[:3]).max() < 1e-5
    query = np.array(model.embed_query(QUESTION))
    ranking = np.argsort(-(large @ query))
    assert ranking[0] == np.argsort(-(np.array(model.bulk.embed_documents(many)) @ query))[0]


def test_only_models_it_computes_exactly_are_supported(tmp_path: Path) -> None:
    packaged = Path(embeddings.model_path(Settings().embedding_model))
    assert encoder.supported(packaged)
    copy = tmp_path / "model"
    shutil.copytree(packaged, copy, ignore=shutil.ignore_patterns("model.safetensors"))
    assert not encoder.supported(copy)  # no safetensors weights
    (copy / "model.safetensors").symlink_to(packaged / "model.safetensors")
    assert encoder.supported(copy)
    pooling = copy / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_cls_token": True}))
    assert not encoder.supported(copy)  # CLS pooling is not what the encoder computes
    assert not encoder.supported(tmp_path / "missing")
