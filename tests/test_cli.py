"""The command line: JSON output other tools rely on, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import Settings
from assistant.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def at(settings: Settings) -> list[str]:
    return ["--corpus-dir", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]


def test_ask_json_has_the_documented_shape(
    nato_settings: Settings, nato: object, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "ask", "Who chairs the North Atlantic Council?", "--json", *at(nato_settings)
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["question"] == "Who chairs the North Atlantic Council?"
    assert isinstance(data["answer"], str) and data["refused"] is False
    citation = data["citations"][0]
    assert {"n", "source", "title", "date", "quote", "chunk_id", "score"} <= citation.keys()
    assert citation["n"] == 1 and not Path(citation["source"]).is_absolute()
    assert isinstance(citation["score"], float)
    assert all({"source", "chunk_id", "score"} <= r.keys() for r in data["retrieved"])
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}


def test_ask_reads_history_from_a_file(
    nato_settings: Settings, nato: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "turns.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "Why did Poland invoke Article 4 in March 2014?"},
                {"role": "assistant", "content": "Because of Crimea [1]."},
            ]
        )
    )
    code, out, _ = run(
        capsys,
        "ask",
        "Who was Secretary General then?",
        "--history",
        str(history),
        *at(nato_settings),
    )
    assert code == 0 and "Rasmussen" in out and "Sources:" in out


def test_ingest_json_reports_documents_and_embedded_chunks(
    make_corpus: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    args = at(
        make_corpus({"a.txt": "Turkey asked for consultations in 2003.", "b.txt": b"\x00bin"})
    )
    code, out, _ = run(capsys, "ingest", "--json", *args)
    report = json.loads(out)
    assert code == 0 and report["added"] == ["a.txt"] and report["embedded"] == 1
    assert report["skipped"] == [{"source": "b.txt", "reason": "binary file, not text"}]
    code, out, _ = run(capsys, "ingest", "--json", *args)
    assert json.loads(out)["embedded"] == 0
    code, _, err = run(capsys, "ingest", "--strict", *args)
    assert code == 1 and err.startswith("error: Not ingested (--strict): b.txt")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "Anything?"], "Nothing to index in"),
        (["ask", ""], "The question is empty"),
        (["ask", "Why?", "--history", "missing.json"], "No history file"),
        (["ask", "Why?", "--generator", "magic"], "Unknown generator 'magic'"),
        (["ask", "Why?", "--date-from", "yesterday"], "is not a YYYY-MM-DD date"),
    ],
)
def test_errors_are_one_line_and_a_non_zero_exit(
    tmp_path: Path,
    nato_settings: Settings,
    nato: object,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    if args[1] == "Anything?":  # no index yet, and nothing to build one from
        (tmp_path / "empty").mkdir()
        where = ["--index-dir", str(tmp_path / "none"), "--corpus-dir", str(tmp_path / "empty")]
    else:
        where = ["--index-dir", str(nato_settings.index_dir)]
    code, out, err = run(capsys, *args, *where)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[-1].startswith("error: ") and message in lines[-1]
    assert all("Traceback" not in line for line in lines)


def test_bad_environment_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_TOP_K", "many")
    code, _, err = run(capsys, "ask", "Why?")
    assert code == 1 and "ASSISTANT_TOP_K='many'" in err


def test_help_is_instant_and_imports_nothing_heavy() -> None:
    probe = (
        "import sys\nfrom assistant.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'chromadb', 'gradio', 'langchain_core') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "ingest" in result.stdout and result.stdout.strip().endswith("[]")


def test_ask_loads_no_web_framework_and_no_torch(nato_settings: Settings, nato: object) -> None:
    # A one-shot answer starts in a few seconds only without them (benchmarks/startup.py).
    probe = (
        "import sys\nfrom assistant.cli import main\n"
        f"code = main(['ask', 'Who chairs the North Atlantic Council?', *{at(nato_settings)!r}])\n"
        "heavy = ('gradio', 'fastapi', 'uvicorn', 'torch', 'sentence_transformers')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "Sources:" in result.stdout and result.stdout.strip().endswith("0 []")


def test_ask_on_a_fresh_checkout_builds_the_index_first(
    make_corpus: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    args = at(
        make_corpus({"a.md": "# Turkey\n\nTurkey made the first Article 4 request in 2003.\n"})
    )
    code, out, err = run(capsys, "ask", "Who made the first Article 4 request?", *args)
    assert code == 0 and "Turkey made the first Article 4 request in 2003 [1]." in out
    assert "building it from" in err and "1 added" in err
    code, out, err = run(capsys, "ask", "Who made the first Article 4 request?", *args)
    assert code == 0 and err == ""
