"""The persisted lexical index: follows every ingest, is read by serving processes without a
rebuild, and notices another process's ingest without a restart."""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Callable

import pytest
from test_index import DOCS

from assistant import Settings, build_assistant, lexical, text
from assistant.index import Index
from assistant.lexical import Lexical
from assistant.retrieval import Filters


@pytest.fixture
def settings(make_corpus: Callable[..., Settings]) -> Settings:
    return make_corpus(DOCS)


def sources(hits: list[tuple[object, float]]) -> list[str]:
    return [doc.metadata["source"] for doc, _ in hits]  # type: ignore[attr-defined]


def test_ingest_writes_the_lexical_index_in_step_with_chroma(settings: Settings) -> None:
    index = Index(settings)
    index.ingest()
    found = Lexical(index.lexical_path)
    assert found.n == index.count() and found.generation == 1
    assert sources(found.search("Crimea", 5, Filters())) == ["poland.md"]
    # idf from the same statistics as before: document count and document frequency.
    assert found.idf("crimea") == pytest.approx(math.log(1 + (found.n - 1 + 0.5) / 1.5))
    assert found.idf("absent") == pytest.approx(math.log(1 + (found.n + 0.5) / 0.5))

    (settings.corpus_dir / "poland.md").write_text(
        DOCS["poland.md"].replace("Crimea", "Sevastopol"), encoding="utf-8"
    )
    index.ingest()
    found.refresh()
    assert found.generation == 2 and found.n == index.count()
    assert found.search("Crimea", 5, Filters()) == []
    assert sources(found.search("Sevastopol", 5, Filters())) == ["poland.md"]
    (settings.corpus_dir / "turkey.md").unlink()
    index.ingest()
    found.refresh()
    assert found.generation == 3 and found.n == index.count()
    assert found.search("Iraq", 5, Filters()) == []
    assert set(found.sources()) == {"poland.md", "estonia.txt"}


@pytest.mark.parametrize("exact", [True, False], ids=["every match", "best candidates"])
def test_filters_limit_lexical_results(
    settings: Settings, exact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not exact:  # as in an index of more than lexical.EXACT chunks
        monkeypatch.setattr(lexical, "EXACT", 0)
    index = Index(settings)
    index.ingest()
    found = Lexical(index.lexical_path)
    everything = sources(found.search("Article 4 consultations request", 10, Filters()))
    assert set(everything) == set(DOCS)
    only = Filters(sources=("turkey.md",))
    assert set(sources(found.search("Article 4 request", 10, only))) == {"turkey.md"}
    before_2010 = Filters(date_to="2010-01-01")
    assert set(sources(found.search("Article 4 request", 10, before_2010))) == {"turkey.md"}


def test_a_serving_process_picks_up_another_ingest_without_restart(settings: Settings) -> None:
    serving = build_assistant(settings)
    writer = build_assistant(settings)
    writer.ingest()
    assert "Crimea" in serving.ask("Why did Poland request consultations?").answer
    old = serving.retriever.lexical
    assert serving.retriever.generation == 1

    (settings.corpus_dir / "latvia.md").write_text(
        "# Latvia 2031\n\nLatvia requested Article 4 consultations on 2 May 2031 after "
        "a cable to Gotland was cut.\n",
        encoding="utf-8",
    )
    writer.ingest()
    answer = serving.ask("When did Latvia request Article 4 consultations?")
    assert "2 May 2031" in answer.answer
    assert serving.retriever.generation == 2 and serving.retriever.lexical is not old


def test_an_index_without_a_lexical_file_catches_up_from_chroma(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_assistant(settings).ingest()
    for name in os.listdir(settings.index_dir):
        if name.startswith("lexical.sqlite3"):
            os.remove(settings.index_dir / name)
    monkeypatch.setattr(lexical, "PAGE", 2)  # several pages, as with 100k chunks
    serving = build_assistant(settings)
    assert serving.retriever.lexical.n == serving.index.count() > 2
    assert len(serving.index.all_chunks()) == serving.index.count()
    assert "19 September 2025" in serving.ask("When did Estonia ask for consultations?").answer


def test_a_rebuild_moves_to_a_new_generation_that_readers_follow(settings: Settings) -> None:
    serving = build_assistant(settings)
    serving.ingest()
    assert serving.retriever.generation == 1
    before = serving.index.store
    report = build_assistant(settings).ingest(rebuild=True)
    assert serving.retriever.generation == 2
    assert serving.retriever.lexical.n == report.chunks
    # The rebuilt folder is opened afresh, not searched through the old one's client.
    assert serving.index.store is not before
    assert "Crimea" in serving.ask("Why did Poland request consultations?").answer


def test_an_index_of_terms_stemmed_another_way_is_rebuilt_from_chroma(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_assistant(settings).ingest()
    path = settings.index_dir / "lexical.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE stamp SET value = '1' WHERE key = 'terms'")
        db.execute("UPDATE chunks SET words = ''")  # what another stemmer wrote
    stale = Lexical(path)
    assert stale.n == 0  # emptied, not searched with terms it does not share
    stale.close()
    serving = build_assistant(settings)
    assert serving.retriever.lexical.n == serving.index.count()
    assert Lexical(path).df(text.stem("consultations")) > 0
    assert "19 September 2025" in serving.ask("When did Estonia ask for consultations?").answer
