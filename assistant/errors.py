"""Exceptions raised by the library; the CLI, web app and API turn them into output."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: the message says what happened and what to do next."""

    #: HTTP status the API answers with for this error.
    status = 500


class SettingsError(AssistantError):
    """A setting has a bad value or names an unknown backend."""

    status = 400


class BadQuestion(AssistantError):
    """The question is empty, too long or otherwise unusable."""

    status = 400


class IndexNotReady(AssistantError):
    """There is no index yet, or it is being built."""

    status = 503


class ModelMismatch(AssistantError):
    """The index was built with another embedding model."""

    status = 409


class IngestError(AssistantError):
    """Ingestion could not run, or a file was rejected under --strict."""

    status = 400


class GeneratorUnavailable(AssistantError):
    """The answer generator (for example an LLM server) cannot be reached."""

    status = 502


class EvalError(AssistantError):
    """A test set, threshold, baseline or export cannot be used as given."""

    status = 400


def unknown_name(kind: str, name: str, valid: list[str]) -> SettingsError:
    """Builds the error for a backend chosen by a name that does not exist."""
    choices = ", ".join(sorted(valid))
    return SettingsError(f"Unknown {kind} {name!r}: choose one of {choices}.")
