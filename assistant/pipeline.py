"""The assistant: one factory builds index, retriever, generator and the answering chain."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableLambda

from assistant import analysis, followup, generators, inputs, spelling, text
from assistant.errors import BadQuestion
from assistant.index import Index, IngestReport, Progress
from assistant.retrieval import Filters, HybridRetriever
from assistant.schema import Answer, Draft, Passage, Search, Turn, parse_history
from assistant.settings import Settings


def to_passage(doc: Document) -> Passage:
    """Turns a retrieved LangChain document into a Passage."""
    meta = doc.metadata
    urls = str(meta.get("urls") or "").split()
    raw = meta.get("entities")  # missing in an index built before chunks were parsed
    return Passage(
        chunk_id=str(meta.get("chunk_id") or doc.id or ""),
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        text=doc.page_content,
        score=float(meta.get("score", 0.0)),
        dense=float(meta.get("dense", 0.0)),
        date=str(meta.get("date") or "") or None,
        heading=str(meta.get("heading", "")),
        url=urls[0] if urls else "",
        entities=analysis.load(str(raw), doc.page_content) if raw else None,
    )


@dataclass(frozen=True)
class Request:
    """A checked question with its conversation, filters and passage count."""

    question: str
    history: tuple[Turn, ...]
    filters: Filters
    k: int | None


@dataclass(frozen=True)
class Prepared:
    """A request after the follow-up rewrite and retrieval."""

    request: Request
    standalone: str
    passages: tuple[Passage, ...]
    retrieve_ms: float


class Assistant:
    """Answers questions from the indexed corpus, with citations."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index = Index(settings)
        self.retriever = HybridRetriever(index=self.index, k=settings.top_k)

    @cached_property
    def parts(self) -> generators.Parts:
        """What generators are built from."""
        lexical = self.retriever
        return generators.Parts(
            settings=self.settings,
            idf=lambda term: lexical.lexical.idf(term),
            vectors=self.index.vectors,
        )

    @cached_property
    def generator(self) -> generators.Generator:
        return generators.build(self.settings.generator, self.parts)

    # ----- ingestion ---------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        *,
        strict: bool = False,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Indexes the corpus (or the given paths) incrementally."""
        return self.index.ingest(paths, strict=strict, rebuild=rebuild, progress=progress)

    # ----- answering ---------------------------------------------------------
    def check_question(self, question: Any) -> str:
        """Returns the cleaned question. Raises BadQuestion when it cannot be asked."""
        if not isinstance(question, str):
            raise BadQuestion("The question must be text.")
        cleaned = " ".join(inputs.clean_question(question).split())
        if not cleaned:
            raise BadQuestion("The question is empty: type a question about NATO consultations.")
        limit = self.settings.max_question_chars
        if len(cleaned) > limit:
            raise BadQuestion(
                f"The question is {len(cleaned):,} characters long; the limit is {limit:,}. "
                "Shorten it to the question itself."
            )
        return cleaned

    def standalone(self, question: str, history: Sequence[Turn]) -> str:
        """The question rewritten so it makes sense without the conversation."""
        if history and isinstance(self.generator, generators.StreamingGenerator):
            return self.generator.condense(question, history)
        return followup.rewrite(question, history)

    def retrieve(
        self, query: str, filters: Filters | None = None, k: int | None = None
    ) -> list[Passage]:
        """The passages for a standalone query, best first."""
        docs = self.retriever.invoke(query, filters=filters or Filters(), k=k)
        return [to_passage(d) for d in docs]

    def search(self, filters: Filters) -> Search:
        """A search within the request's filters, for generators that look further."""
        return lambda query, k: self.retrieve(query, filters, k)

    def request(self, question: Any, history: Any, filters: Any, top_k: int | None) -> Request:
        """Checks a request's parts. Raises BadQuestion or IndexNotReady."""
        if top_k is not None and not (isinstance(top_k, int) and 1 <= top_k <= 50):
            raise BadQuestion("top_k must be a whole number between 1 and 50.")
        self.index.check_ready()
        return Request(
            question=self.check_question(question),
            history=tuple(parse_history(history)),
            filters=filters if isinstance(filters, Filters) else Filters.from_dict(filters),
            k=top_k,
        )

    def prepare(self, request: Request) -> Prepared:
        """The follow-up rewritten, then the passages retrieved for it (timed)."""
        standalone = self.standalone(request.question, request.history)
        started = time.perf_counter()
        lexical = self.retriever.lexical
        standalone = spelling.correct(
            standalone,
            lambda word: analysis.is_word(word) or lexical.df(text.stem(word)) > 0,
            lexical.vocabulary,
            analysis.is_word,
        )
        # Searched as spelled out: "art 4 vs art 5 whats the diff" finds "Article 4".
        passages = self.retrieve(analysis.spell_out(standalone), request.filters, request.k)
        ms = (time.perf_counter() - started) * 1000
        return Prepared(request, standalone, tuple(passages), ms)

    def ask(
        self,
        question: Any,
        history: Any = None,
        filters: Mapping[str, Any] | Filters | None = None,
        top_k: int | None = None,
    ) -> Answer:
        """Answers one question, given earlier turns and optional filters.

        Raises:
            BadQuestion: the question, history or filters are unusable.
            IndexNotReady: there is no index yet.
        """
        started = time.perf_counter()
        prepared = self.prepare(self.request(question, history, filters, top_k))
        generated = time.perf_counter()
        draft = self.generator.generate(*self._arguments(prepared))
        return _answer(prepared, draft, started, generated, self.generator.name)

    def _arguments(
        self, prepared: Prepared
    ) -> tuple[str, tuple[Passage, ...], tuple[Turn, ...], Search]:
        """What every generator is given: the standalone question, its passages, the
        conversation, and a search within the request's filters."""
        request = prepared.request
        return (
            prepared.standalone,
            prepared.passages,
            request.history,
            self.search(request.filters),
        )

    def stream(
        self,
        question: Any,
        history: Any = None,
        filters: Mapping[str, Any] | Filters | None = None,
        top_k: int | None = None,
    ) -> Iterator[str | Answer]:
        """Yields pieces of answer text as they come, then the final checked Answer."""
        started = time.perf_counter()
        prepared = self.prepare(self.request(question, history, filters, top_k))
        t1 = time.perf_counter()
        args = self._arguments(prepared)
        draft: Draft | None = None
        if isinstance(self.generator, generators.StreamingGenerator):
            for item in self.generator.stream(*args):
                if isinstance(item, Draft):
                    draft = item
                else:
                    yield item
        else:
            draft = self.generator.generate(*args)
            yield from _pieces(draft.answer)
        assert draft is not None, "a streaming generator must end with its Draft"
        yield _answer(prepared, draft, started, t1, self.generator.name)

    @cached_property
    def chain(self) -> Runnable[Request, Answer]:
        """The same path as a LangChain runnable: request -> prepared -> answer."""

        def generate(prepared: Prepared) -> Answer:
            started = time.perf_counter()
            draft = self.generator.generate(*self._arguments(prepared))
            return _answer(prepared, draft, started, started, self.generator.name)

        return RunnableLambda(self.prepare) | RunnableLambda(generate)


def _pieces(answer: str) -> Iterator[str]:
    """Splits a finished answer into word-sized pieces for progressive display."""
    words = answer.split(" ")
    for i, word in enumerate(words):
        yield word if i == len(words) - 1 else word + " "


def _answer(
    prepared: Prepared, draft: Draft, started: float, generated: float, generator: str
) -> Answer:
    now = time.perf_counter()
    return Answer(
        question=prepared.request.question,
        answer=draft.answer,
        refused=draft.refused,
        citations=draft.citations,
        retrieved=_with_cited(prepared.passages, draft),
        timings_ms={
            "retrieve": round(prepared.retrieve_ms, 2),
            "answer": round((now - generated) * 1000, 2),
            "total": round((now - started) * 1000, 2),
        },
        standalone_question=prepared.standalone,
        generator=generator if not draft.fallback else "extractive",
        fallback=draft.fallback,
    )


def _with_cited(passages: Sequence[Passage], draft: Draft) -> tuple[Passage, ...]:
    """The retrieved passages, plus any a generator found by its own search and cited."""
    seen = {p.chunk_id for p in passages}
    extra = {
        c.passage.chunk_id: c.passage for c in draft.citations if c.passage.chunk_id not in seen
    }
    return (*passages, *extra.values())


def build_assistant(settings: Settings | None = None) -> Assistant:
    """The one way to build an assistant: the CLI, web app and tests all use it."""
    return Assistant(settings or Settings.from_env())
