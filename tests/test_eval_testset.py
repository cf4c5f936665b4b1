"""Test sets: JSONL validation that names bad lines, and the SQuAD converter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DEV_SET

from assistant.errors import EvalError
from assistant.evaluation import squad, testset
from assistant.settings import Settings


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def tiny_squad() -> dict[str, object]:
    """Two articles in the official SQuAD 2.0 shape, one unanswerable question."""
    return {
        "version": "v2.0",
        "data": [
            {
                "title": "Normans",
                "paragraphs": [
                    {
                        "context": "The Normans gave their name to Normandy, a region in France.",
                        "qas": [
                            {
                                "id": "n1",
                                "question": "In what country is Normandy located?",
                                "answers": [
                                    {"text": "France", "answer_start": 55},
                                    {"text": "France", "answer_start": 55},
                                    {"text": "in France", "answer_start": 52},
                                ],
                                "is_impossible": False,
                            },
                            {
                                "id": "n2",
                                "question": "Who gave their name to Normandy in the 1000s?",
                                "answers": [],
                                "plausible_answers": [{"text": "Normans"}],
                                "is_impossible": True,
                            },
                        ],
                    },
                    {
                        "context": "Rollo was the leader of the Norse raiders.",
                        "qas": [
                            {
                                "id": "n3",
                                "question": "Who led the Norse raiders?",
                                "answers": [{"text": "Rollo", "answer_start": 0}],
                                "is_impossible": False,
                            }
                        ],
                    },
                ],
            },
            {
                "title": "Sky_(United_Kingdom)",
                "paragraphs": [
                    {
                        "context": "Sky UK Limited is a British broadcaster.",
                        "qas": [
                            {
                                "id": "s1",
                                "question": "What kind of company is Sky UK?",
                                "answers": [{"text": "broadcaster", "answer_start": 29}],
                                "is_impossible": False,
                            }
                        ],
                    },
                ],
            },
        ],
    }


def test_the_nato_dev_set_loads_with_its_kinds_of_questions() -> None:
    tests = testset.load(DEV_SET)
    groups = [i.group for i in tests.items]
    assert len(tests.items) >= 60
    assert groups.count("follow-up") >= 10 and groups.count("unanswerable") >= 10
    assert tests.kind == "jsonl" and not tests.documents
    follow_up = next(i for i in tests.items if i.history)
    assert follow_up.history[0].role == "user"


def test_unknown_fields_are_ignored_and_defaults_apply(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "t.jsonl",
        [
            {"id": "a", "question": "Q?", "difficulty": "hard", "notes": {"x": 1}},
            "",
            {"id": "b", "question": "R?", "answerable": False, "reference": "No.", "history": None},
        ],
    )
    items = testset.load(path).items
    assert [i.id for i in items] == ["a", "b"]
    assert items[0].answerable and items[0].answers == () and items[0].sources == ()
    assert not items[1].answerable and items[1].reference == "No."


def test_bad_lines_are_all_named_and_nothing_runs(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "t.jsonl",
        [
            {"id": "ok", "question": "Fine?"},
            '{"id": "broken", "question": ',
            {"id": "noq"},
            {"id": "types", "question": "Q?", "answers": "nine"},
            ["not", "an", "object"],
            {"id": "ok", "question": "Again?"},
            {"id": "hist", "question": "Q?", "history": [{"role": "bot", "content": "x"}]},
            {"id": "contra", "question": "Q?", "answerable": False, "answers": ["x"]},
            {"id": "flag", "question": "Q?", "answerable": "yes"},
            {"id": 7, "question": "Q?"},
        ],
    )
    with pytest.raises(EvalError) as caught:
        testset.load(path)
    message = str(caught.value)
    assert "9 bad line(s)" in message
    for expected in (
        "line 2: not valid JSON",
        "line 3: missing 'question'",
        "line 4: 'answers' must be a list of strings, not a string",
        "line 5: expected a JSON object, found a list",
        "line 6: id 'ok' repeats line 1",
        "line 7: history[0].role",
        "line 8: an unanswerable item cannot have accepted 'answers'",
        "line 9: 'answerable' must be true or false",
        "line 10: 'id' must be a non-empty string, not a number",
    ):
        assert expected in message


def test_long_lists_of_bad_lines_are_counted(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "t.jsonl", ["{"] * 20)
    with pytest.raises(EvalError, match=r"20 bad line\(s\).*line 12: .*and 8 more"):
        testset.load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No test set at"),
        ("", "holds no questions"),
        (b"\xff\xfe{", "cannot be read"),
    ],
)
def test_unreadable_or_empty_files(
    tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "t.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(EvalError, match=message):
        testset.load(path)


def test_limit_keeps_the_first_items(tmp_path: Path) -> None:
    tests = testset.load(DEV_SET)
    assert [i.id for i in tests.limited(3).items] == [i.id for i in tests.items[:3]]
    assert tests.limited(3).limit == 3 and tests.limited(None) is tests
    with pytest.raises(EvalError, match="at least 1"):
        tests.limited(0)


# ----- SQuAD -------------------------------------------------------------------
def test_squad_json_is_recognised_and_converted(tmp_path: Path) -> None:
    path = tmp_path / "dev-tiny.json"
    path.write_text(json.dumps(tiny_squad()), encoding="utf-8")
    tests = testset.load(path)
    assert tests.kind == "squad"
    assert [d.name for d in tests.documents] == ["Normans#0", "Normans#1", "Sky_(United_Kingdom)#0"]
    assert tests.documents[2].title == "Sky (United Kingdom)"
    by_id = {i.id: i for i in tests.items}
    assert by_id["n1"].answers == ("France", "in France")  # duplicates dropped, order kept
    assert by_id["n1"].sources == ("Normans#0",) and by_id["n1"].answerable
    assert not by_id["n2"].answerable and by_id["n2"].answers == ()
    assert by_id["n2"].sources == ("Normans#0",)  # the paragraph it was written against
    assert by_id["n3"].sources == ("Normans#1",)


def test_malformed_squad_says_where(tmp_path: Path) -> None:
    data = tiny_squad()
    data["data"][0]["paragraphs"][1]["qas"][0].pop("question")  # type: ignore[index]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        EvalError,
        match=r"data\[0\]\.paragraphs\[1\]\.qas\[0\] needs a string "
        r"'question'",
    ):
        testset.load(path)


def test_squad_documents_are_written_with_titles_and_stale_ones_removed(tmp_path: Path) -> None:
    path = tmp_path / "dev-tiny.json"
    path.write_text(json.dumps(tiny_squad()), encoding="utf-8")
    tests = testset.load(path)
    settings = squad.settings_for(Settings(index_dir=tmp_path / "idx"), tests)
    assert settings.index_dir == tmp_path / "idx"
    assert settings.corpus_dir == tmp_path / "idx" / "documents"
    settings.corpus_dir.mkdir(parents=True)
    (settings.corpus_dir / "Old#3.txt").write_text("stale")
    assert squad.write_documents(tests, settings) == 3
    files = sorted(p.name for p in settings.corpus_dir.iterdir())
    assert "Old#3.txt" not in files and "Normans#0.txt" in files
    meta = json.loads((settings.corpus_dir / "Normans#1.txt.meta.json").read_text())
    assert meta["title"] == "Normans"
    assert squad.write_documents(tests, settings) == 0  # unchanged files are not rewritten


def test_squad_never_shares_the_default_index() -> None:
    tests = testset.TestSet(Path("/data/dev-v2.0.json"), "squad", ())
    settings = squad.settings_for(Settings(), tests)
    assert settings.index_dir == Settings().index_dir.with_name("squad-dev-v2.0")
    assert settings.corpus_dir == settings.index_dir / "documents"


def test_squad_refuses_an_index_that_holds_another_corpus(
    nato_settings: Settings, nato: object, tmp_path: Path
) -> None:
    path = tmp_path / "dev-tiny.json"
    path.write_text(json.dumps(tiny_squad()), encoding="utf-8")
    tests = testset.load(path)
    settings = nato_settings.replace(corpus_dir=tmp_path / "documents")
    with pytest.raises(EvalError, match="holds other documents"):
        squad.write_documents(tests, settings)
    assert not (tmp_path / "documents").exists()


@pytest.mark.parametrize("path", sorted((DEV_SET.parent / "rounds").glob("*.jsonl")), ids=str)
def test_the_question_sets_of_each_round_load_with_classes_and_keys(path: Path) -> None:
    loaded = testset.load(path)
    assert len(loaded.items) >= 40  # the smallest set, follow-ups only, has 40
    assert all(item.kind for item in loaded.items)
    assert all(item.answers or not item.answerable for item in loaded.items)
