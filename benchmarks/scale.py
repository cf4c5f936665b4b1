"""Figures at 1k, 10k and 100k chunks: query latency, memory, start-up, the lexical index,
16 clients at once on the NATO corpus, and ingestion throughput against raw encoding and
LangChain, all in one run.

    .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000] [--write]

Chunks come from the SQuAD paragraphs in ../shared/data/squad-v2/ (read in place): each one
draws three to six sentences from the whole pool and renames a few words by a suffix drawn
from a Zipf law, so the vocabulary grows with the index as a real corpus's does. Vectors for
the sized indexes are random projections of the chunks' term counts (embedding 100k chunks
takes hours on this CPU): query latency and memory do not depend on what the vectors mean.
Chunks are made and stored with the metadata `ingest` gives them (assistant.chunking), their
named entities placed from one parse of the pool's sentences (parsing each chunk would take
half an hour at 100k).
Each size is served by a real `nato-assistant serve` process, asked over HTTP on loopback.
--write puts the table into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import load  # benchmarks/load.py, beside this script
import numpy as np
from langchain_core.documents import Document

from assistant import Settings, analysis, chunking, text
from assistant.analysis import Entity
from assistant.documents import SourceDocument
from assistant.index import Index
from assistant.lexical import Lexical
from assistant.settings import PROJECT_ROOT

SQUAD = PROJECT_ROOT.parent / "shared" / "data" / "squad-v2" / "passages.jsonl"
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"
DIM = 384
BATCH = 4000


def sentences() -> list[tuple[str, str]]:
    """(title, sentence) for every sentence of the SQuAD paragraphs."""
    out = []
    with SQUAD.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            for start, end in text.sentences(row["text"]):
                sentence = row["text"][start:end].strip()
                # Without the invisible marks (zero-width space, BOM) chunking drops.
                sentence = "".join(c for c in sentence if unicodedata.category(c) != "Cf")
                out.append((row["title"].replace("_", " "), sentence))
    return [s for s in out if len(s[1]) > 30]


@dataclass(frozen=True)
class Made:
    """A chunk made from pool sentences, with what it takes to place their entities."""

    title: str
    body: str
    picked: range  # the pool sentences it joins
    renamed: tuple[tuple[int, int], ...]  # (where in the joined sentences, characters added)


def chunks(count: int, pool: list[tuple[str, str]], seed: int = 7) -> list[Made]:
    """`count` varied chunks."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        start = rng.randrange(len(pool))
        picked = range(start, min(len(pool), start + rng.randint(3, 6)))
        title = pool[start][0]
        body = " ".join(pool[j][1] for j in picked)
        # Rename some words so rare terms keep appearing as the index grows.
        suffix = min(int(rng.paretovariate(1.1)), count // 10 + 1)
        tag = f"{suffix:x}"
        renamed: list[tuple[int, int]] = []

        def rename(m: re.Match[str], tag: str = tag, renamed: list[Any] = renamed) -> str:
            if rng.random() > 0.3:
                return m.group(1)
            renamed.append((m.end(), len(tag)))
            return m.group(1) + tag

        body = re.sub(r"\b([A-Z][a-z]{3,})\b", rename, body)
        out.append(Made(f"{title} {i // 50}", body, picked, tuple(renamed)))
    return out


@dataclass(frozen=True)
class Parsed:
    """The named entities of every pool sentence and title, each parsed once."""

    sentences: list[list[Entity]]
    titles: dict[str, list[Entity]]

    @classmethod
    def of(cls, pool: list[tuple[str, str]]) -> Parsed:
        titles = sorted({t for t, _ in pool})
        found = analysis.entities_of([*titles, *(s for _, s in pool)])
        return cls(found[len(titles) :], dict(zip(titles, found, strict=False)))

    def entities(self, made: Made, pool: list[tuple[str, str]]) -> list[Entity]:
        """The chunk's entities at their offsets in its text ('Title\n\nbody'): its
        title's, then its sentences', moved past the characters renaming added."""
        out = list(self.titles[pool[made.picked.start][0]])
        ends = [end for end, _ in made.renamed]
        added = list(itertools.accumulate((n for _, n in made.renamed), initial=0))
        head = len(made.title) + 2
        at = 0  # where the sentence starts in the body before renaming
        for j in made.picked:
            for e in self.sentences[j]:
                start, end = at + e.start, at + e.end
                start += added[bisect.bisect_right(ends, start)]
                end += added[bisect.bisect_right(ends, end)]
                out.append(Entity("", e.label, head + start, head + end))
            at += len(pool[j][1]) + 1
        return out


def vectors(bodies: list[str], seed: int = 3) -> np.ndarray:
    """Random projections of hashed term counts, normalised: similar texts stay close."""
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((1 << 16, DIM)).astype(np.float32)
    out = np.zeros((len(bodies), DIM), dtype=np.float32)
    for i, body in enumerate(bodies):
        rows = [zlib.crc32(term.encode()) & 0xFFFF for term in text.terms(body)]
        if rows:
            out[i] = table[rows].sum(axis=0)
    out /= np.linalg.norm(out, axis=1, keepdims=True) + 1e-9
    return out


def stored(items: list[Made], pool: list[tuple[str, str]], parsed: Parsed) -> list[Document]:
    """The chunks as `ingest` stores them, made by `assistant.chunking`; only their entities
    come from the pool's parse rather than from parsing every chunk again."""
    out = []
    for made in items:
        source = f"{made.title}.txt"
        doc = SourceDocument(source, Path(source), made.title, made.body)
        (chunk,) = chunking.cut(doc, len(made.body) + 1, 0)
        if chunk.page_content != f"{made.title}\n\n{made.body}":
            raise RuntimeError(f"chunking changed the text of {source}")
        out.append(chunk)
    chunking.annotate(out, (parsed.entities(made, pool) for made in items))
    return out


def build(settings: Settings, items: list[Document], asked: list[str]) -> dict[str, float]:
    """Writes the chunks into Chroma and the lexical index; times the lexical index."""
    index = Index(settings)
    collection = index.store._collection
    vecs = vectors([c.page_content for c in items])
    for i in range(0, len(items), BATCH):
        part = range(i, min(i + BATCH, len(items)))
        collection.add(
            ids=[f"c{j}" for j in part],
            documents=[items[j].page_content for j in part],
            embeddings=vecs[part.start : part.stop],
            metadatas=[items[j].metadata for j in part],
        )
    started = time.perf_counter()
    index.sync_lexical(1)
    built = time.perf_counter() - started
    index._write_meta({str(c.metadata["source"]): "benchmark" for c in items}, 1)
    started = time.perf_counter()
    lexical = Lexical(index.lexical_path)
    lexical.search("Norman conquest of England", 20, _no_filters())
    loaded = time.perf_counter() - started
    searched = []
    for question in asked:
        started = time.perf_counter()
        lexical.search(question, 20, _no_filters())
        searched.append((time.perf_counter() - started) * 1000)
    index.close()
    return {
        "lexical_build_s": built,
        "lexical_load_s": loaded,
        "lexical_p50": statistics.median(searched),
        "lexical_p95": percentile(searched, 95),
    }


def _no_filters() -> Any:
    from assistant.retrieval import Filters

    return Filters()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(settings: Settings, questions: list[str]) -> dict[str, float]:
    """Starts `serve`, times it to the first answer, then asks every question over HTTP."""
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_RATE_LIMIT": "off",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            while True:
                try:
                    first = client.post("/api/ask", json={"question": questions[0]})
                    if first.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.perf_counter() - started > 600:
                    raise RuntimeError("serve did not answer within 10 minutes")
                time.sleep(0.1)
            startup = time.perf_counter() - started
            total: list[float] = []
            retrieve: list[float] = []
            for question in questions[1:]:
                asked = time.perf_counter()
                reply = client.post("/api/ask", json={"question": question})
                total.append((time.perf_counter() - asked) * 1000)
                retrieve.append(float(reply.json()["timings_ms"]["retrieve"]))
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "startup_s": startup,
        "retrieve_p50": statistics.median(retrieve),
        "retrieve_p95": percentile(retrieve, 95),
        "ask_p50": statistics.median(total),
        "ask_p95": percentile(total, 95),
        "peak_mb": peak_kb / 1024,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def questions(pool: list[tuple[str, str]], count: int) -> list[str]:
    """Questions made from SQuAD sentences: a few of their words, as a user might type."""
    rng = random.Random(11)
    out = []
    for _ in range(count):
        words = pool[rng.randrange(len(pool))][1].rstrip(".").split()
        start = rng.randrange(max(1, len(words) - 6))
        out.append("What about " + " ".join(words[start : start + 6]) + "?")
    return out


def ingestion(tmp: Path, pool: list[tuple[str, str]], count: int) -> dict[str, float]:
    """Chunks a second on the same chunks: raw encode, `ingest`, LangChain from_documents."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant import build_assistant, embeddings

    corpus = tmp / "ingest-corpus"
    corpus.mkdir()
    for i, made in enumerate(chunks(count, pool, seed=5)):  # one short document per chunk
        (corpus / f"doc{i:05}.txt").write_text(made.body[:700], encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp / "ingest-index")
    texts = [c.page_content for c in _chunked(settings)]
    model = embeddings.load(settings.embedding_model)
    # The sentence-transformers model itself: the default embeddings wrap it for batches.
    client = getattr(model, "bulk", model)._client
    client.encode(texts[:16])
    started = time.perf_counter()
    client.encode(texts, batch_size=32, normalize_embeddings=True)
    raw = time.perf_counter() - started
    started = time.perf_counter()
    report = build_assistant(settings).ingest()
    ours = time.perf_counter() - started
    hf = HuggingFaceEmbeddings(model_name=embeddings.model_path(settings.embedding_model))
    hf.embed_documents(texts[:16])
    started = time.perf_counter()
    Chroma.from_documents(
        [Document(page_content=t) for t in texts],
        hf,
        persist_directory=str(tmp / "langchain"),
    )
    langchain = time.perf_counter() - started
    return {
        "chunks": report.embedded,
        "raw": len(texts) / raw,
        "ingest": len(texts) / ours,
        "langchain": len(texts) / langchain,
    }


def concurrency(tmp: Path, clients: int, seconds: float) -> dict[str, float]:
    """`clients` asking at once on the NATO corpus, run by benchmarks/load.py's own code."""
    port = load.free_port()
    server = load.start_server(tmp / "nato-index", port)
    try:
        latencies, errors = asyncio.run(load.run(f"http://{load.HOST}:{port}", clients, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    for error in errors[:5]:
        print("  error:", error, flush=True)
    return {
        "clients": clients,
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "errors": len(errors),
    }


def _chunked(settings: Settings) -> list[Any]:
    from assistant import chunking, documents

    loaded = documents.load([settings.corpus_dir], settings.corpus_dir, 20_000_000)
    return chunking.split_all(loaded.documents, settings.chunk_size, settings.chunk_overlap)


def table(
    rows: list[tuple[int, dict[str, float]]],
    ingest: dict[str, float] | None,
    concurrent: dict[str, float] | None,
) -> str:
    lines = [
        "Measured by `.venv/bin/python benchmarks/scale.py --write` on "
        f"{time.strftime('%Y-%m-%d')} (2 cores shared with other work: load average "
        f"{os.getloadavg()[0]:.1f} at the end). Chunks are varied SQuAD sentences "
        "with random-projection vectors (not model embeddings), stored with the metadata "
        "`ingest` gives them; their named entities come from parsing each pool sentence once "
        "(nlp.pipe) and placing the spans in the chunks, not from parsing every chunk. "
        "Questions are asked over "
        "HTTP to a real `serve` process with the default (extractive) answerer; retrieval is "
        "the server's own timing (query embedding, Chroma, lexical search, fusion), lexical "
        "search alone is timed in the benchmark's process.",
        "",
        "| chunks | lexical search p50 / p95 (ms) | retrieval p50 / p95 (ms) "
        "| end to end p50 / p95 (ms) | serve peak memory "
        "| serve answering after start | lexical build | lexical load |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, r in rows:
        lines.append(
            f"| {size:,} | {r['lexical_p50']:.1f} / {r['lexical_p95']:.1f} "
            f"| {r['retrieve_p50']:.0f} / {r['retrieve_p95']:.0f} "
            f"| {r['ask_p50']:.0f} / {r['ask_p95']:.0f} | {r['peak_mb']:,.0f} MB "
            f"| {r['startup_s']:.1f} s | {r['lexical_build_s']:.1f} s "
            f"| {r['lexical_load_s'] * 1000:.0f} ms |"
        )
    lines.append("")
    lines.append(
        "Goals at 100k chunks: retrieval p95 ≤ 50 ms, end to end p95 ≤ 150 ms, peak memory "
        "≤ 2 GB, answering ≤ 10 s after start."
    )
    if concurrent:
        lines += [
            "",
            f"{concurrent['clients']:.0f} concurrent clients on the NATO corpus "
            f"(benchmarks/load.py's clients for {concurrent['seconds']:.0f} s, every fourth "
            f"request to /v1/chat/completions): {concurrent['rps']:.1f} requests/s, "
            f"p50 / p95 {concurrent['p50']:.0f} / {concurrent['p95']:.0f} ms, "
            f"{concurrent['errors']:.0f} errors (goal: no errors, ≥ 40 requests/s).",
        ]
    if ingest:
        lines += [
            "",
            f"Ingestion on the same {ingest['chunks']:.0f} chunks (chunks/s): raw "
            f"SentenceTransformer.encode {ingest['raw']:.1f}, `ingest` {ingest['ingest']:.1f} "
            f"({ingest['ingest'] / ingest['raw']:.2f} of raw; goal 0.9), LangChain "
            f"Chroma.from_documents with HuggingFaceEmbeddings {ingest['langchain']:.1f} "
            f"(`ingest` is {ingest['ingest'] / ingest['langchain']:.2f} of it; goal 1.0).",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--ingest-chunks", type=int, default=400, help="0 skips ingestion")
    parser.add_argument("--clients", type=int, default=16, help="0 skips the concurrent run")
    parser.add_argument("--seconds", type=float, default=20.0, help="of the concurrent run")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    pool = sentences()
    parsed = Parsed.of(pool)
    asked = questions(pool, args.questions + 1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            settings = Settings(index_dir=Path(tmp) / f"index-{size}")
            figures = build(settings, stored(chunks(size, pool), pool, parsed), asked)
            figures |= serve(settings, asked)
            rows.append((size, figures))
            print(size, json.dumps({k: round(v, 3) for k, v in figures.items()}), flush=True)
        concurrent = concurrency(Path(tmp), args.clients, args.seconds) if args.clients else None
        if concurrent:
            print(json.dumps({k: round(v, 1) for k, v in concurrent.items()}), flush=True)
        ingest = ingestion(Path(tmp), pool, args.ingest_chunks) if args.ingest_chunks else None
    out = table(rows, ingest, concurrent)
    print(out)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        block = f"{BEGIN}\n{out}\n{END}"
        if BEGIN in doc:
            doc = re.sub(f"{BEGIN}.*?{END}", lambda _: block, doc, flags=re.S)
        else:
            doc += f"\n## At scale: 1k to 100k chunks\n\n{block}\n"
        DOC.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
