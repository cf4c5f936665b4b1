"""The assistant: one factory builds index, retriever, generator and the answering chain."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from assistant import followup, generators, inputs
from assistant.errors import BadQuestion
from assistant.extractive import Draft, Search
from assistant.index import Index, IngestReport, Progress
from assistant.retrieval import Filters, HybridRetriever
from assistant.schema import Answer, Passage, Turn, parse_history
from assistant.settings import Settings


def to_passage(doc: Document) -> Passage:
    """Turns a retrieved LangChain document into a Passage."""
    meta = doc.metadata
    urls = str(meta.get("urls") or "").split()
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
    )


class Assistant:
    """Answers questions from the indexed corpus, with citations."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index = Index(settings)
        self.retriever = HybridRetriever(index=self.index, k=settings.top_k)

    @cached_property
    def generator(self) -> generators.Generator:
        return generators.build(self.settings.generator, self)

    @cached_property
    def extractive(self) -> generators.Generator:
        """The offline generator, also the fallback for the others."""
        return generators.build("extractive", self)

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
        condense = getattr(self.generator, "condense", None)
        if condense is not None and history:
            return str(condense(question, history))
        return followup.rewrite(question, history)

    def retrieve(
        self, query: str, filters: Filters | None = None, k: int | None = None
    ) -> list[Passage]:
        """The passages for a standalone query, best first."""
        docs = self.retriever.invoke(query, filters=filters or Filters(), k=k)
        return [to_passage(d) for d in docs]

    def _draft(self, inp: dict[str, Any]) -> Draft:
        return generators.draft(
            self.generator,
            inp["standalone"],
            inp["retrieval"]["passages"],
            inp["history"],
            search=self._search(inp["filters"]),
        )

    def _search(self, filters: Filters) -> Search:
        # Generators that check figures against other sources search within the same
        # filters as the question.
        return lambda query: self.keyword_search(query, filters)

    def keyword_search(self, query: str, filters: Filters, k: int = 30) -> list[Passage]:
        """BM25 alone, deeper than the answer's passages: for corroborating figures."""
        hits = self.retriever.lexical.search(query, k, filters)
        top = hits[0][1] if hits else 1.0
        return [
            to_passage(
                Document(
                    doc.page_content,
                    metadata={**doc.metadata, "chunk_id": doc.id, "score": score / top},
                    id=doc.id,
                )
            )
            for doc, score in hits
        ]

    @cached_property
    def prepare(self) -> Runnable[dict[str, Any], dict[str, Any]]:
        """question + history + filters -> standalone question -> passages (timed)."""

        def condense(inp: dict[str, Any]) -> str:
            return self.standalone(inp["question"], inp["history"])

        def retrieve(inp: dict[str, Any]) -> dict[str, Any]:
            started = time.perf_counter()
            passages = self.retrieve(inp["standalone"], inp["filters"], inp.get("k"))
            return {"passages": passages, "ms": (time.perf_counter() - started) * 1000}

        return RunnablePassthrough.assign(
            standalone=RunnableLambda(condense)
        ) | RunnablePassthrough.assign(retrieval=RunnableLambda(retrieve))

    @cached_property
    def chain(self) -> Runnable[dict[str, Any], dict[str, Any]]:
        """The retrieval chain followed by the generator, with timings."""

        def answer(inp: dict[str, Any]) -> dict[str, Any]:
            started = time.perf_counter()
            draft = self._draft(inp)
            return {"draft": draft, "ms": (time.perf_counter() - started) * 1000}

        return self.prepare | RunnablePassthrough.assign(generation=RunnableLambda(answer))

    def _inputs(
        self, question: Any, history: Any, filters: Any, top_k: int | None
    ) -> dict[str, Any]:
        if top_k is not None and not (isinstance(top_k, int) and 1 <= top_k <= 50):
            raise BadQuestion("top_k must be a whole number between 1 and 50.")
        self.index.check_ready()
        return {
            "question": self.check_question(question),
            "history": parse_history(history),
            "filters": filters if isinstance(filters, Filters) else Filters.from_dict(filters),
            "k": top_k,
        }

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
        out = self.chain.invoke(self._inputs(question, history, filters, top_k))
        return _answer(out, out["generation"]["draft"], started, self.generator.name)

    def stream(
        self,
        question: Any,
        history: Any = None,
        filters: Mapping[str, Any] | Filters | None = None,
        top_k: int | None = None,
    ) -> Iterator[str | Answer]:
        """Yields pieces of answer text as they come, then the final checked Answer."""
        started = time.perf_counter()
        inp = self.prepare.invoke(self._inputs(question, history, filters, top_k))
        passages = inp["retrieval"]["passages"]
        t1 = time.perf_counter()
        stream = getattr(self.generator, "stream", None)
        draft: Draft | None = None
        if stream is None:
            draft = self._draft(inp)
            yield from _pieces(draft.answer)
        else:
            search = self._search(inp["filters"])
            for item in stream(inp["standalone"], passages, inp["history"], search=search):
                if isinstance(item, Draft):
                    draft = item
                else:
                    yield item
        assert draft is not None, "a streaming generator must end with its Draft"
        inp["generation"] = {"draft": draft, "ms": (time.perf_counter() - t1) * 1000}
        yield _answer(inp, draft, started, self.generator.name)


def _pieces(answer: str) -> Iterator[str]:
    """Splits a finished answer into word-sized pieces for progressive display."""
    words = answer.split(" ")
    for i, word in enumerate(words):
        yield word if i == len(words) - 1 else word + " "


def _answer(out: dict[str, Any], draft: Draft, started: float, generator: str) -> Answer:
    total = (time.perf_counter() - started) * 1000
    return Answer(
        question=out["question"],
        answer=draft.answer,
        refused=draft.refused,
        citations=draft.citations,
        retrieved=_with_cited(out["retrieval"]["passages"], draft),
        timings_ms={
            "retrieve": round(out["retrieval"]["ms"], 2),
            "answer": round(out["generation"]["ms"], 2),
            "total": round(total, 2),
        },
        standalone_question=out["standalone"],
        generator=generator if not draft.fallback else "extractive",
        fallback=draft.fallback,
    )


def _with_cited(passages: list[Passage], draft: Draft) -> tuple[Passage, ...]:
    """The retrieved passages, plus any a generator found by its own search and cited."""
    seen = {p.chunk_id for p in passages}
    extra = {
        c.passage.chunk_id: c.passage for c in draft.citations if c.passage.chunk_id not in seen
    }
    return (*passages, *extra.values())


def build_assistant(settings: Settings | None = None) -> Assistant:
    """The one way to build an assistant: the CLI, web app and tests all use it."""
    return Assistant(settings or Settings.from_env())
