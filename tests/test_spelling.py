"""Misspelled words in questions are corrected to words the corpus holds."""

from __future__ import annotations

from assistant import spelling

VOCABULARY = {
    6: ["sweden", "poland", "treati"],
    7: ["estonia", "council"],
    11: ["stoltenberg"],
}
KNOWN = {w for words in VOCABULARY.values() for w in words} | {"join", "nato", "ask", "stray"}


WORDS = {"sweden", "poland", "estonia", "council", "stoltenberg"}


def fixed(question: str) -> str:
    return spelling.correct(question, KNOWN.__contains__, lambda: VOCABULARY, WORDS.__contains__)


def test_a_misspelled_name_is_corrected_to_the_corpus_word() -> None:
    assert fixed("when did sweeden join nato") == "when did sweden join nato"
    assert fixed("Who is Stoltenburg?") == "Who is Stoltenberg?"


def test_swapped_neighbouring_letters_are_corrected() -> None:
    assert fixed("why did estonai ask") == "why did estonia ask"
    assert fixed("hw many times has polnad asked") == "hw many times has poland asked"


def test_known_short_and_unrelated_words_are_left_alone() -> None:
    # Known words, words under five letters and words like no indexed term stay as typed.
    assert fixed("Did Poland ask NATO?") == "Did Poland ask NATO?"
    assert fixed("who won the football final") == "who won the football final"
    # An English word is no misspelling of a corpus word it resembles ("stray", "stay").
    assert fixed("a stray missile") == "a stray missile"


def test_a_stem_is_never_put_into_a_question() -> None:
    # "treati" is how the index stores "treaty"; it is not a word to write back.
    assert fixed("the treatie text") == "the treatie text"


def test_a_tie_between_two_corrections_leaves_the_word_alone() -> None:
    vocabulary = {5: ["abcde", "abcdf"]}
    assert spelling.correct("abcdx", lambda w: False, lambda: vocabulary) == "abcdx"
