"""Incremental ingestion into a real Chroma index with the packaged embedding model."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import IndexNotReady, IngestError, ModelMismatch, Settings, build_assistant
from assistant.index import Index

DOCS = {
    "poland.md": "---\ntitle: Poland 2014\ndate: 2014-03-04\n---\n# Poland 2014\n\n"
    "## Request\n\nPoland requested Article 4 consultations on 3 March 2014 because of Crimea.\n",
    "turkey.md": "---\ntitle: Turkey 2003\ndate: 2003-02-10\n---\n# Turkey 2003\n\n"
    "## Request\n\nTurkey made the first Article 4 request on 10 February 2003 over Iraq.\n",
    "estonia.txt": "Estonia requested Article 4 consultations on 19 September 2025 after "
    "three Russian MiG-31s entered its airspace.\n",
}


@pytest.fixture
def settings(make_corpus: Callable[..., Settings]) -> Settings:
    return make_corpus(DOCS)


def ids_of(index: Index, source: str) -> set[str]:
    data = index.store.get(where={"source": source})
    return set(data["ids"])


def test_a_second_run_embeds_nothing(settings: Settings) -> None:
    index = Index(settings)
    first = index.ingest()
    assert sorted(first.added) == ["estonia.txt", "poland.md", "turkey.md"]
    assert first.embedded == first.chunks > 0
    second = index.ingest()
    assert second.embedded == 0 and second.deleted_chunks == 0
    assert sorted(second.unchanged) == sorted(first.added)
    assert index.count() == first.chunks


def test_editing_one_document_re_embeds_only_its_chunks(settings: Settings) -> None:
    index = Index(settings)
    index.ingest()
    before = {name: ids_of(index, name) for name in DOCS}
    (settings.corpus_dir / "poland.md").write_text(DOCS["poland.md"] + "\nAn added line.\n")
    report = index.ingest()
    assert report.updated == ["poland.md"]
    assert sorted(report.unchanged) == ["estonia.txt", "turkey.md"]
    assert report.embedded == len(ids_of(index, "poland.md"))
    assert ids_of(index, "poland.md").isdisjoint(before["poland.md"])
    assert ids_of(index, "turkey.md") == before["turkey.md"]


def test_deleting_a_document_removes_its_chunks(settings: Settings) -> None:
    index = Index(settings)
    index.ingest()
    (settings.corpus_dir / "turkey.md").unlink()
    report = index.ingest()
    assert report.removed == ["turkey.md"] and report.deleted_chunks >= 1
    assert ids_of(index, "turkey.md") == set()
    assert json.loads((settings.index_dir / "index.json").read_text())["documents"].keys() == {
        "poland.md",
        "estonia.txt",
    }


def test_ingesting_one_file_leaves_the_others_in_place(settings: Settings) -> None:
    index = Index(settings)
    index.ingest()
    count = index.count()
    report = index.ingest([settings.corpus_dir / "poland.md"])
    assert report.unchanged == ["poland.md"] and report.removed == []
    assert index.count() == count


def test_a_file_that_turns_bad_keeps_its_old_chunks(settings: Settings) -> None:
    index = Index(settings)
    index.ingest()
    (settings.corpus_dir / "estonia.txt").write_bytes(b"\x00\x00binary now")
    report = index.ingest()
    assert [s.source for s in report.skipped] == ["estonia.txt"]
    assert report.removed == [] and ids_of(index, "estonia.txt")


def test_strict_refuses_before_writing_anything(settings: Settings) -> None:
    (settings.corpus_dir / "bad.txt").write_bytes(b"\x00binary")
    with pytest.raises(IngestError, match=r"bad\.txt: binary"):
        Index(settings).ingest(strict=True)
    assert not (settings.index_dir / "index.json").exists()


def test_a_failed_run_leaves_the_previous_index_usable(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = build_assistant(settings)
    assistant.ingest()
    # Enough chunks for several write batches, so the failure lands mid-run.
    monkeypatch.setattr("assistant.index.BATCH_SIZE", 8)
    for i in range(6):
        (settings.corpus_dir / f"new{i:02}.txt").write_text(f"Document {i} about Latvia. " * 100)

    calls = {"n": 0}
    original = assistant.index.store.add_documents

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(assistant.index.store, "add_documents", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        assistant.ingest()
    monkeypatch.undo()
    answer = assistant.ask("When did Poland request Article 4 consultations?")
    assert not answer.refused and "3 March 2014" in answer.answer
    report = assistant.ingest()
    assert sorted(report.added) == [f"new{i:02}.txt" for i in range(6)]
    assert report.unchanged == ["estonia.txt", "poland.md", "turkey.md"]
    final = assistant.ingest()
    assert final.embedded == 0


def test_another_model_is_refused_until_rebuild(settings: Settings) -> None:
    Index(settings).ingest()
    other = settings.replace(embedding_model="all-MiniLM-L6-v2")
    with pytest.raises(ModelMismatch, match="ingest --rebuild"):
        Index(other).ingest()
    with pytest.raises(ModelMismatch):
        Index(other).check_ready()
    report = Index(other).ingest(rebuild=True)
    assert sorted(report.added) == ["estonia.txt", "poland.md", "turkey.md"]
    Index(other).check_ready()
    assert not settings.index_dir.with_name("index.rebuild").exists()


def test_asking_without_an_index_says_to_ingest(settings: Settings) -> None:
    with pytest.raises(IndexNotReady, match="nato-assistant ingest"):
        build_assistant(settings).ask("Anything?")


def test_links_out_of_the_corpus_are_reported_and_earlier_ones_removed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The server's private notes mention Article 4 consultations in Riga.\n")
    (settings.corpus_dir / "notes.txt").symlink_to(secret)
    index = Index(settings)
    # As earlier versions did: the link followed, and every file recorded by absolute path.
    monkeypatch.setattr("assistant.documents._inside", lambda path, corpus: True)
    monkeypatch.setattr(
        "assistant.documents.source_id", lambda path, corpus: path.resolve().as_posix()
    )
    index.ingest()
    assert ids_of(index, secret.as_posix())
    monkeypatch.undo()

    report = index.ingest()
    assert [(s.source, "outside the corpus folder" in s.reason) for s in report.skipped] == [
        ("notes.txt", True)
    ]
    assert secret.as_posix() in report.removed
    assert sorted(report.added) == ["estonia.txt", "poland.md", "turkey.md"]
    assert ids_of(index, secret.as_posix()) == set()
    recorded = json.loads((settings.index_dir / "index.json").read_text())["documents"]
    assert sorted(recorded) == ["estonia.txt", "poland.md", "turkey.md"]
