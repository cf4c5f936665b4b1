"""Ingestion throughput against raw encoding, warm `ask` latency, and peak memory.

    .venv/bin/python benchmarks/core.py [--squad N]

Everything is measured in one run on the same machine, so the comparison holds even
when the machine is busy. Model loading is excluded from every figure.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from assistant import Settings, build_assistant, chunking, documents, embeddings
from assistant.settings import PROJECT_ROOT

SQUAD = PROJECT_ROOT.parent / "shared" / "data" / "squad-v2" / "passages.jsonl"
DEV_SET = PROJECT_ROOT / "tests" / "data" / "nato_dev.jsonl"


def squad_corpus(target: Path, count: int) -> Path:
    """Writes the first `count` SQuAD paragraphs as documents (outside the project)."""
    target.mkdir(parents=True, exist_ok=True)
    with SQUAD.open(encoding="utf-8") as lines:
        for _, line in zip(range(count), lines, strict=False):
            row = json.loads(line)
            name = row["passage_id"].replace("/", "_").replace("#", "_")
            (target / f"{name}.txt").write_text(row["text"], encoding="utf-8")
    return target


def chunk_texts(settings: Settings) -> list[str]:
    loaded = documents.load([settings.corpus_dir], settings.corpus_dir, 20_000_000)
    chunks = chunking.split_all(loaded.documents, settings.chunk_size, settings.chunk_overlap)
    return [c.page_content for c in chunks]


def throughput(settings: Settings, repeats: int) -> dict[str, float]:
    """Chunks a second: raw SentenceTransformer.encode against a full ingestion into a
    fresh index, interleaved `repeats` times; the medians are compared."""
    texts = chunk_texts(settings)
    model = embeddings.load(settings.embedding_model)
    if isinstance(model, embeddings.LocalEmbeddings):
        model = model.bulk  # ingestion embeds its batches with sentence-transformers
    client = model._client  # type: ignore[attr-defined]  # the SentenceTransformer inside
    client.encode(texts[:8])  # warm up kernels before either timing
    raw: list[float] = []
    ingest: list[float] = []
    for run in range(repeats):
        started = time.perf_counter()
        client.encode(texts, batch_size=32, normalize_embeddings=True)
        raw.append(time.perf_counter() - started)
        fresh = settings.replace(index_dir=settings.index_dir.with_name(f"run{run}"))
        started = time.perf_counter()
        report = build_assistant(fresh).ingest()
        ingest.append(time.perf_counter() - started)
        assert report.embedded == len(texts), (report.embedded, len(texts))
    return {
        "chunks": len(texts),
        "raw_per_s": len(texts) / statistics.median(raw),
        "ingest_per_s": len(texts) / statistics.median(ingest),
        "ratio": statistics.median(raw) / statistics.median(ingest),
    }


def latency(settings: Settings, rounds: int) -> dict[str, float]:
    """`ask` latency in ms over the dev set: the first pass, then warm passes."""
    assistant = build_assistant(settings)
    items = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    assistant.ask("warm-up: load the model and the keyword index")
    first = [timed(assistant, item) for item in items]
    warm = [timed(assistant, item) for _ in range(rounds) for item in items]
    return {
        "questions": len(items),
        "first_p50": statistics.median(first),
        "first_p95": percentile(first, 95),
        "warm_p50": statistics.median(warm),
        "warm_p95": percentile(warm, 95),
    }


def timed(assistant: object, item: dict[str, object]) -> float:
    started = time.perf_counter()
    assistant.ask(item["question"], history=item.get("history"))  # type: ignore[attr-defined]
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--squad",
        type=int,
        default=0,
        help="also measure ingestion on the first N SQuAD paragraphs",
    )
    parser.add_argument("--rounds", type=int, default=3, help="warm passes over the dev set")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved throughput runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nato = Settings(index_dir=Path(tmp) / "nato")
        rows = [("NATO corpus", throughput(nato, args.repeats))]
        if args.squad:
            corpus = squad_corpus(Path(tmp) / "squad", args.squad)
            squad = Settings(corpus_dir=corpus, index_dir=Path(tmp) / "squad-index")
            rows.append((f"SQuAD, {args.squad} paragraphs", throughput(squad, args.repeats)))
        timing = latency(nato.replace(index_dir=nato.index_dir.with_name("run0")), args.rounds)
    print("Ingestion throughput (chunks/s; goal: ingest >= 0.85 x raw encode)")
    print(f"{'corpus':28} {'chunks':>7} {'raw encode':>11} {'ingest':>8} {'ratio':>6}")
    for name, row in rows:
        print(
            f"{name:28} {row['chunks']:>7.0f} {row['raw_per_s']:>11.1f} "
            f"{row['ingest_per_s']:>8.1f} {row['ratio']:>6.2f}"
        )
    print(
        f"\nask latency over {timing['questions']:.0f} dev questions, model loaded "
        "(goal: warm p50 <= 50 ms)"
    )
    print(f"  first pass  p50 {timing['first_p50']:6.1f} ms   p95 {timing['first_p95']:6.1f} ms")
    print(f"  warm passes p50 {timing['warm_p50']:6.1f} ms   p95 {timing['warm_p95']:6.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
