"""Answers with a language model (an OpenAI-compatible server or a local Hugging Face model),
then keeps only the sentences their cited sources support."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from assistant import followup, prompting
from assistant.errors import GeneratorUnavailable, SettingsError, unknown_name
from assistant.grounding import Grounding
from assistant.schema import Draft, Passage, Search, Turn, refusal
from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from assistant.embeddings import VectorCache
    from assistant.extractive import ExtractiveGenerator

log = logging.getLogger(__name__)

# After a failure the model is left alone this long, so a follow-up's condense step and
# its answer, or the next question, do not each wait for the same timeout.
COOLDOWN_S = 30.0
_WITHOUT = " This is the extractive answer, composed from the sources without the model."


def openai_model(settings: Settings) -> BaseChatModel:
    """A chat model on any server that speaks OpenAI's chat-completions API."""
    if not settings.llm_model:
        raise SettingsError(
            "ASSISTANT_GENERATOR=openai needs ASSISTANT_LLM_MODEL: the name of a model the "
            "server serves (for Ollama, `ollama list` shows them, e.g. llama3.1:8b)."
        )
    url = urlparse(settings.llm_base_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise SettingsError(
            f"ASSISTANT_LLM_BASE_URL={settings.llm_base_url!r} is not an http(s) URL: set it "
            "to the server's OpenAI-compatible root, e.g. http://127.0.0.1:11434/v1."
        )
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        # Local servers ignore the key, but the client refuses to start without one.
        api_key=SecretStr(settings.llm_api_key or "unused"),
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,  # the client backs off exponentially
        temperature=0.0,
        stream_usage=False,
        # Sent as max_tokens, which vLLM, Ollama and llama.cpp all read; the client's own
        # parameter goes out as max_completion_tokens, which some of them ignore.
        extra_body={"max_tokens": settings.llm_max_tokens},
    )


def huggingface_model(settings: Settings) -> BaseChatModel:
    """A local transformers chat model, by folder or hub name, run on this machine."""
    if not settings.llm_model:
        raise SettingsError(
            "ASSISTANT_GENERATOR=huggingface needs ASSISTANT_LLM_MODEL: a local folder or a "
            "Hugging Face hub name of a chat (instruction-tuned) model."
        )
    from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline

    folder = Path(settings.llm_model).expanduser()
    name = str(folder) if folder.is_dir() else settings.llm_model
    try:
        llm = HuggingFacePipeline.from_model_id(
            model_id=name,
            task="text-generation",
            pipeline_kwargs={
                "max_new_tokens": settings.llm_max_tokens,
                "do_sample": False,
                "return_full_text": False,
            },
        )
    except (OSError, ValueError, ImportError) as exc:
        raise SettingsError(
            f"Cannot load the Hugging Face model {settings.llm_model!r} ({exc}). Set "
            "ASSISTANT_LLM_MODEL to a local folder or a hub name this machine can download."
        ) from None
    tokenizer = llm.pipeline.tokenizer
    if not getattr(tokenizer, "chat_template", None):
        raise SettingsError(
            f"The model {settings.llm_model!r} has no chat template: use a chat "
            "(instruction-tuned) model."
        )
    return ChatHuggingFace(llm=llm, tokenizer=tokenizer, model_id=name)


MODELS: dict[str, Callable[[Settings], BaseChatModel]] = {
    "openai": openai_model,
    "huggingface": huggingface_model,
}


def describe(exc: Exception, settings: Settings) -> str:
    """What went wrong with the model, in words that say what to check."""
    import openai

    where = settings.llm_base_url
    if isinstance(exc, openai.APITimeoutError):
        return (
            f"The language model is unreachable: {where} did not answer within "
            f"{settings.llm_timeout:g} s."
        )
    if isinstance(exc, openai.APIConnectionError):
        return f"The language model is unreachable: cannot connect to {where}."
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return (
            f"The language model server at {where} refused the API key "
            f"(HTTP {exc.status_code}): check ASSISTANT_LLM_API_KEY."
        )
    if isinstance(exc, openai.NotFoundError):
        return (
            f"The language model server at {where} has no model "
            f"{settings.llm_model!r} (HTTP 404): check ASSISTANT_LLM_MODEL."
        )
    if isinstance(exc, openai.APIStatusError):
        return f"The language model is unavailable: {where} answered HTTP {exc.status_code}."
    return f"The language model {settings.llm_model} failed ({type(exc).__name__}: {exc})."


class LLMGenerator:
    """Answers with a chat model; the citation check decides what reaches the user."""

    def __init__(
        self,
        name: str,
        model: BaseChatModel,
        settings: Settings,
        offline: ExtractiveGenerator,
        grounding: Grounding,
    ) -> None:
        self.name = name
        self.model = model
        self.settings = settings
        self.offline = offline
        self.grounding = grounding
        self._down_until = 0.0
        self._down_reason = ""

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        search: Search | None,
    ) -> Draft:
        """A checked answer from the model, or the extractive one when it cannot give one."""
        offline = self.offline.generate(question, passages, (), search)
        if offline.refused:
            return offline
        messages, sources = prompting.answer_messages(
            question, passages, history, self.settings.llm_context_chars
        )
        try:
            reply = self._call(lambda: str(self.model.invoke(messages).text))
        except GeneratorUnavailable as exc:
            return dataclasses.replace(offline, fallback=str(exc) + _WITHOUT)
        return self.checked(reply, sources, offline)

    def stream(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        search: Search | None,
    ) -> Iterator[str | Draft]:
        """Yields the model's text as it comes, then the checked draft."""
        offline = self.offline.generate(question, passages, (), search)
        if offline.refused:
            yield offline.answer
            yield offline
            return
        messages, sources = prompting.answer_messages(
            question, passages, history, self.settings.llm_context_chars
        )
        pieces: list[str] = []
        try:
            for piece in self._pieces(messages):
                pieces.append(piece)
                yield piece
        except GeneratorUnavailable as exc:
            if not pieces:  # clients that only read the streamed text still get the answer
                yield offline.answer
            yield dataclasses.replace(offline, fallback=str(exc) + _WITHOUT)
            return
        yield self.checked("".join(pieces), sources, offline)

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The follow-up rewritten by the model; the rule-based rewrite if it cannot."""
        messages = prompting.condense_messages(question, history, self.settings.llm_context_chars)
        try:
            reply = self._call(lambda: str(self.model.invoke(messages).text))
        except GeneratorUnavailable:
            return followup.rewrite(question, history)
        lines = [line.strip() for line in reply.splitlines() if line.strip()]
        standalone = lines[0].removeprefix("Standalone question:").strip(" \"'“”") if lines else ""
        if not standalone or len(standalone) > self.settings.max_question_chars:
            return followup.rewrite(question, history)
        return standalone

    def checked(self, reply: str, sources: Sequence[Passage], offline: Draft) -> Draft:
        """The reply after the citation check, or the extractive draft if nothing survives."""
        result = self.grounding.check(reply, sources)
        if result.dropped or result.invented:
            log.info(
                "citation check dropped %d sentence(s) and marker(s) %s",
                len(result.dropped),
                list(result.invented),
            )
        if result.refused:
            return refusal()
        if result.empty:
            return dataclasses.replace(
                offline,
                fallback=(
                    "No sentence of the language model's answer was supported by the source it "
                    "cited." + _WITHOUT
                ),
            )
        return Draft(answer=result.answer, refused=False, citations=result.citations)

    # ----- calling the model -------------------------------------------------
    def _call(self, run: Callable[[], str]) -> str:
        self._check_up()
        try:
            return run()
        except Exception as exc:  # any model failure means: answer without it
            raise self._failed(exc) from exc

    def _pieces(self, messages: list[BaseMessage]) -> Iterator[str]:
        self._check_up()
        try:
            for chunk in self.model.stream(messages):
                if chunk.text:
                    yield str(chunk.text)
        except Exception as exc:  # as in _call
            raise self._failed(exc) from exc

    def _check_up(self) -> None:
        if time.monotonic() < self._down_until:
            raise GeneratorUnavailable(self._down_reason)

    def _failed(self, exc: Exception) -> GeneratorUnavailable:
        reason = (
            describe(exc, self.settings)
            if self.name == "openai"
            else (
                f"The local model {self.settings.llm_model} failed ({type(exc).__name__}: {exc})."
            )
        )
        log.info("%s", reason, exc_info=exc)
        self._down_until = time.monotonic() + COOLDOWN_S
        self._down_reason = reason
        return GeneratorUnavailable(reason)


def build(
    name: str, settings: Settings, vectors: VectorCache, offline: ExtractiveGenerator
) -> LLMGenerator:
    """The generator for the named model kind; its citation check uses the index's vectors."""
    try:
        make = MODELS[name]
    except KeyError:
        raise unknown_name("language model", name, list(MODELS)) from None
    grounding = Grounding(vectors.documents, settings.support_threshold)
    return LLMGenerator(name, make(settings), settings, offline, grounding)
