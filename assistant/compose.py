"""Composes the offline answer by what the question asks for: a direct answer first (the
person, date, number, "Yes." or "No.", the list), then the sentences it rests on, each
with the number of its source. One chunk has one source number.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from assistant import analysis, text
from assistant.analysis import WANTED, Question, short_name
from assistant.followup import borrowed, own_words
from assistant.schema import Citation, Draft, refusal

if TYPE_CHECKING:
    from assistant.extractive import Candidate

_NEGATION = re.compile(
    r"\b(not|no|never|neither|nor|none|without|declined|refused|rejected|blocked|cannot|"
    r"contradict\w*|false(ly)?|wrong(ly)?|denied|no longer|"
    r"\w+n['’]t)\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(because|in response to|due to|following|after|over|against|amid|caused by|"
    r"triggered by)\b",
    re.IGNORECASE,
)
# Sentences that say a point is not established, as against ones that correct an error.
_UNCERTAIN = re.compile(
    r"\b(not confirmed|unconfirmed|is unclear|no source|(?:found|named|recorded) (?:in|by) the "
    r"sources)\b",
    re.IGNORECASE,
)
_FIRST = re.compile(r"\b(first|earliest|initial)\b", re.IGNORECASE)
_STILL = re.compile(r"\bstill\b", re.IGNORECASE)
# Answers stop adding sentences below this share of the best sentence's score.
_KEEP = 0.8


class Sources:
    """Numbers the cited chunks in order of first use, one number per chunk."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.citations: list[Citation] = []

    def cite(self, cand: Candidate) -> int:
        key = cand.passage.chunk_id
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            self.citations.append(Citation(self.numbers[key], cand.passage, cand.quote))
        return self.numbers[key]

    def sentence(self, cand: Candidate) -> str:
        return cite(cand.quote, [self.cite(cand)])

    def draft(self, parts: Sequence[str]) -> Draft:
        # A sentence said once, however many ways it was reached.
        said = " ".join(dict.fromkeys(p for p in parts if p))
        return Draft(answer=said, refused=False, citations=tuple(self.citations))


def cite(sentence: str, ns: Sequence[int]) -> str:
    """Puts the markers before the sentence's final punctuation: 'It was signed [1].'"""
    stripped = sentence.rstrip()
    closing = ""
    while stripped and stripped[-1] in '"”’)':
        closing = stripped[-1] + closing
        stripped = stripped[:-1]
    end = stripped[-1] if stripped and stripped[-1] in ".!?" else "."
    body = stripped[:-1] if stripped and stripped[-1] in ".!?" else stripped
    markers = "".join(f"[{n}]" for n in dict.fromkeys(ns))
    return f"{body}{closing} {markers}{end}"


def _when(cand: Candidate) -> list[int]:
    """The dates a sentence names, else its document's date."""
    found = text.date_values(cand.quote)
    if found:
        return found
    return [int(cand.passage.date.replace("-", ""))] if cand.passage.date else []


def _titled(q: Question, cand: Candidate) -> bool:
    """The sentence's document names one of the question's subjects in its title."""
    title = text.fold(cand.passage.title)
    return any(text.fold(s) in title for s in q.subjects)


def pick(q: Question, ranked: Sequence[Candidate], at: int | None = None) -> Candidate:
    """The sentence to lead with: the best, or among the good ones the earliest or latest
    when the question asks for 'first' or 'current', or the one that fits a date."""
    best = ranked[0]
    # Sentences about the question's own subject, stating facts rather than doubts; an
    # order ("the latest") looks further down, since the newest fact may be worded apart.
    # The bar for naming the question's names is set by sentences of the asked type: a
    # reason that names the cause ("over Crimea") sets none for the date asked.
    top = ranked[:5]
    typed_top = [c for c in top if c.features["type_match"] >= 1.0] or top
    cover = max(c.features["entity_cover"] for c in typed_top)
    follow = borrowed(q.text)
    if follow:
        # A follow-up's names are borrowed from earlier turns to place it: any of them
        # ties a sentence to the subject ("when did the council meet on it?"), and so
        # does a document whose title names it ("whose jets responded?" after Estonia).
        cover = min(cover, 0.01)
    floor = 0.25 if q.order and at is None else 0.6
    typed = max(c.features["type_match"] for c in ranked[:10] if c.score >= 0.5 * best.score)
    good = [
        c
        for c in ranked
        if c.score >= floor * best.score
        and c.features["type_match"] >= min(0.6, typed)
        and (c.features["entity_cover"] >= cover or (follow and _titled(q, c)))
        and c.features["hedged"] < 1.0
    ]
    if not good:
        # A stated fact about less of the question before a claim only reported as
        # unconfirmed.
        stated = [
            c for c in ranked[:10] if c.features["hedged"] < 1.0 and c.score >= 0.5 * best.score
        ]
        good = stated[:1] or [best]
    if q.kind in ("reason", "outcome", "statement"):
        # A sentence that gives a cause ("because ..."), a response ("NATO launched ...")
        # or the speaker's words ("Russia denied ...") before one nearly as good that
        # only follows ("... following a request"), even if it names fewer of the
        # question's names.
        # A sentence dated to the month of the question's date is about the same
        # occasion even when it names it otherwise ("the meeting on 28 July 2015" and
        # "Turkey invoked Article 4 in July 2015 because ...").
        # An outcome told outside a section on what came of the event is typed 0.8
        # (extractive._type_match); one filed under such a section, 1.0, leads when half
        # as good as the best.
        typed = 0.8 if q.kind == "outcome" else 1.0
        strong = [
            c
            for c in ranked[:10]
            if c.features["type_match"] >= typed
            and c.features["hedged"] < 1.0
            and (
                (c.score >= 0.8 * best.score and c.features["entity_cover"] > 0)
                or (c.score >= 0.5 * best.score and _same_month(q, c.quote))
                or (
                    q.kind == "outcome"
                    and c.score >= 0.5 * best.score
                    and c.features["type_match"] >= 1.0
                )
            )
        ]
        strong.sort(key=lambda c: -c.features["type_match"])
        if q.kind == "outcome":
            # What came of the event is filed in the event's own document, that of the
            # best sentence: its section on the outcome, however low that ranks.
            filed = [
                c
                for c in ranked[:40]
                if c.features["type_match"] >= 1.0 and not c.features["hedged"]
            ]
            home = ranked[0].passage.source
            if not strong or strong[0].passage.source != home:
                first = [c for c in filed if c.passage.source == home][:1]
                strong = first + [c for c in strong if c not in first]
        if q.kind == "outcome" and q.act and not set(q.act) & _RESPONDING:
            # "What did NATO end up deploying?": what came of it by the act asked about;
            # "How did NATO respond?" asks any act.
            told = [
                c
                for c in ranked[:10]
                if c.features["type_match"] >= 0.8
                and not c.features["hedged"]
                and c.score >= 0.5 * best.score
                and text.tells(c.quote, q.act)
            ]
            strong = told + [c for c in strong if c not in told]
        good = strong + [c for c in good if c not in strong]
    if q.kind == "person" and good[0].features["type_match"] < 1.0:
        # A sentence naming someone new before a close one naming only an office: "Who
        # was it decided with?" is not answered by "Prime Minister Tusk told ...".
        named = [
            c
            for c in good
            if c.features["type_match"] >= 1.0
            and c.score >= 0.75 * good[0].score
            and (
                c.features["year_match"] >= good[0].features["year_match"]
                or not text.years(own_words(q.text))
            )
        ]
        good = named[:1] + [c for c in good if c not in named[:1]]
    if q.kind in ("person", "place", "organisation") and q.act:
        # "Who requested ...?": a sentence that tells the act before one that only says
        # someone called for it or considered it.
        urged = [c for c in good if _urged_only(q.act, c.quote)]
        good = [c for c in good if c not in urged] + urged
    linked = linked_by(q)
    if linked is not None:
        # "... taken jointly with whom?": a sentence with a name after "with", from
        # among the good ones or, when none has one, from near the top.
        joined = [
            c
            for c in [*good[:6], *ranked[:10]]
            if c.score >= 0.5 * good[0].score
            and c.features["hedged"] < 1.0
            and any(map(linked(c.quote), c.named(q.wanted, q)))
        ]
        good = joined[:1] + [c for c in good if c not in joined[:1]]
    if q.kind == "name" and analysis.thing_asked(q.text):
        # "Which activity ...?": a name said to be an activity before a better-scored
        # sentence whose name may be anything.
        said = [
            c
            for c in ranked[:10]
            if c.features["type_match"] >= 1.0
            and c.features["hedged"] < 1.0
            and c.score >= 0.5 * best.score
        ]
        good = said + [c for c in good if c not in said]
    best = good[0]
    if at is not None:
        return max(good, key=lambda c: (_fits_date(c, at), c.score))
    if q.kind == "date" and not q.order:
        # The most precise date among sentences nearly as good as the best.
        # When none of the best tells the act asked about ("meet"), one that does, not
        # far below, dates it rather than the event that led to it.
        untyped = good[0].features["type_match"] < 1.0
        near = [
            c
            for c in good
            if c.score >= 0.8 * good[0].score
            or (untyped and c.features["type_match"] >= 1.0 and c.score >= 0.6 * good[0].score)
        ]
        return max(
            near,
            key=lambda c: (
                c.features["type_match"],
                not c.features["hedged"],
                _precision(span(q, c)),
                c.score,
            ),
        )
    if q.kind == "definition" and q.names and not q.manner:
        # "What is Article 4?": the sentence that says what it is (not "How does ... ?").
        # A defining sentence may rank far lower than ones that merely mention the name,
        # which are many when the name is the corpus's subject.
        name = defined(q)
        defining = [
            c
            for c in ranked
            if c.score >= 0.15 * ranked[0].score
            and c.features["hedged"] < 1.0
            and _defines(name, c.quote)
        ]
        if defining:
            return defining[0]
    if q.order == "latest":
        # Sentences that date themselves first; a document's date stands in otherwise.
        dated = [c for c in good if text.date_values(c.quote)] or [c for c in good if _when(c)]
        return max(dated, key=lambda c: (max(_when(c)), c.score)) if dated else best
    if q.order == "first":
        # A sentence that calls its fact the first outweighs an older date elsewhere (a
        # treaty of 1949 is not the first request made under it).
        firsts = [c for c in good if _says_first(q, c.quote)]
        if firsts and q.kind == "date":
            near = [c for c in firsts if c.score >= 0.7 * firsts[0].score]
            return max(near, key=lambda c: (_precision(span(q, c)), c.score))
        if firsts:
            return firsts[0]
        dated = [c for c in good if text.date_values(c.quote)]
        return (
            min(dated, key=lambda c: (min(text.date_values(c.quote)), -c.score)) if dated else best
        )
    return best


# Verbs that ask what came of an event without saying what kind of act it was.
_RESPONDING = frozenset(text.base_term(text.stem(w)) for w in "respond react reply".split())


def _urged_only(act: Sequence[str], sentence: str) -> bool:
    """True when the sentence tells the act only under a word of intent: "called for
    Article 4 consultations" does not say that anyone requested them."""
    told = set(act) & text.base_terms(sentence)
    return bool(told) and not set(act) & text.base_terms(_IRREALIS.sub(" ", sentence))


_PREP_ASKED = re.compile(
    r"\b(with|to|from|by|against)\s+(?:whom|which\s+\w+|what\s+\w+)\b"
    # "Who did he make the decision with?": the preposition left at the end.
    r"|^(?:\w+\s+)*?who\b.*\b(with|to|from|by|against)\s*(?:\([^()]*\))?\s*\??\s*$",
    re.IGNORECASE,
)


def linked_by(q: Question) -> Callable[[str], Callable[[str], bool]] | None:
    """For a question that asks for whoever stands after a preposition ("with whom?",
    "to which ambassador?"), a test of whether a sentence puts a name there; None for
    other questions."""
    asked = _PREP_ASKED.search(q.text)
    if asked is None or q.kind not in ("person", "place", "organisation"):
        return None
    prep = (asked.group(1) or asked.group(2)).lower()

    def within(sentence: str) -> Callable[[str], bool]:
        return lambda name: bool(
            re.search(rf"\b{prep}\s+(?:\S+\s+){{0,3}}?{re.escape(name)}", sentence, re.I)
        )

    return within


def defined(q: Question) -> str:
    """The name a definition question asks about: the head of "NATO Article 4" is
    Article 4, NATO only says whose it is."""
    for name, after in zip(q.names, q.names[1:], strict=False):
        if re.search(rf"{re.escape(name)}(?:['’]s)?\s+{re.escape(after)}", q.text):
            return after
    return q.names[0]


def _same_month(q: Question, sentence: str) -> bool:
    """True when the question names a day or month and the sentence dates something to
    that month."""
    asked = [a // 100 for a in text.date_values(q.text) if a % 10000]
    return any(d // 100 in asked for d in text.date_values(sentence))


def _says_first(q: Question, sentence: str) -> bool:
    """True when the sentence calls something the first in the question's own scope:
    "Poland's first request" is not the first request at all, unless Poland is asked of."""
    asked = text.fold(q.text)
    for m in _FIRST.finditer(sentence):
        owner = re.search(r"(\w+)['’]s\s+(?:very\s+)?$", sentence[: m.start()])
        if owner is None or text.fold(owner.group(1)) in asked:
            return True
    return False


def _defines(name: str, sentence: str) -> bool:
    """True when the sentence opens with the name and says what it is: 'Article 4 is a
    duty to consult ...', 'Article 4 of the North Atlantic Treaty reads ...', 'Article 5,
    in paraphrase, treats ...'."""
    name = short_name(name).removeprefix("the ")
    return bool(
        re.match(
            rf"(?:the\s+)?{re.escape(name)}\b[^,.;]{{0,45}}?(?:,[^,.;]{{1,30}},\s*)?\b(?:is|are|means|"
            r"says|reads|provides|states|requires|sets out|treats|commits|obliges|declares)\b"
            r"(?! not\b)",
            sentence,
            re.IGNORECASE,
        )
    )


def _fits_date(cand: Candidate, at: int) -> float:
    """1 when the sentence names the date's month or spans it, 0.5 for its year."""
    dates = text.date_values(cand.quote)
    if any(d // 100 == at // 100 and d % 100 in (0, at % 100) for d in dates):
        return 1.0
    if len(dates) >= 2 and min(dates) <= at <= max(dates):
        return 0.9
    return 0.5 if any(d // 10000 == at // 10000 for d in dates) else 0.0


# A question for when something ended.
_ENDING = re.compile(
    r"\b(leave|left|leaving|step(?:ped)? down|end(?:ed|s)?|finish(?:ed)?|retire[ds]?|"
    r"until when|out of office)\b",
    re.IGNORECASE,
)


def span(q: Question, cand: Candidate) -> str:
    """The short direct answer inside the sentence: a name, date, number or stretch."""
    kind = q.kind
    if kind in ("person", "place", "organisation", "name"):
        # A date the model tagged as an event is no name.
        found = [f for f in cand.named(q.wanted, q) if not text.date_values(f)]
        thing = analysis.thing_asked(q.text) if kind == "name" else ""
        found.sort(key=lambda f: thing not in text.fold(f))  # "Operation ..." first
        if found and kind == "place":
            return _state_of(found[0], cand)
        if kind == "person":
            linked = linked_by(q)
            after = linked(cand.quote) if linked is not None else (lambda name: False)
            people = {e.text for e in cand.entities if e.label == "PERSON"}
            found.sort(key=lambda f: (not after(f), f not in people, -_titled_as(q, f, cand.quote)))
        return found[0] if found else ""
    if kind == "date":
        if _ENDING.search(own_words(q.text)):
            # "When did he leave office?" against "from 2014 until 30 September 2024".
            ends = [
                d
                for d in text.date_mentions(cand.quote)
                if re.search(rf"\b(?:until|till|to|through)\s+{re.escape(d)}", cand.quote)
            ]
            if ends:
                return ends[0]
        asked = text.fold(q.text)
        found = [d for d in text.event_dates(cand.quote) if text.fold(d) not in asked]
        found = found or cand.named(WANTED["date"], q)
        near_act = _near_act(q, cand.quote)
        own = _own_clause(q, cand.quote)
        found.sort(
            key=lambda d: (
                _aside(d, cand.quote),
                not own(d),
                -_precision(d),
                near_act(d),
                not any(y in d for y in q.years),
            )
        )
        if q.order and found:
            # "When did Poland first ...": the earliest date the sentence gives, by year.
            sign = 1 if q.order == "first" else -1
            found.sort(key=lambda d: sign * (min(text.date_values(d), default=0) // 10000))
        return found[0] if found else ""
    if kind == "duration":
        found = text.durations(cand.quote)
        if found:
            return found[0]
        # "It ran from mid-October 2001 to mid-May 2002": the length, worked out, and the ends.
        spans = [(said, length) for said, length in text.ranges(cand.quote) if length]
        return f"about {spans[0][1]}, {spans[0][0]}" if spans else ""
    if kind == "number":
        figure = count_of(q, cand.quote)
        return str(figure) if figure is not None else ""
    return ""


_CLAUSES = re.compile(r",\s+(?:and|while|but|whereas)\s+|;\s+")


def _naming_clauses(sentence: str, names: Sequence[str]) -> list[str]:
    """The clauses of the sentence that name any of the names; none when no clause does
    or every clause does, so that there is nothing to choose between."""
    clauses = _CLAUSES.split(sentence)
    naming = [c for c in clauses if any(mentions(c, n) for n in names)]
    return naming if len(naming) < len(clauses) else []


def _own_clause(q: Question, sentence: str) -> Callable[[str], bool]:
    """Whether a date stands in a clause that names the question's subject: "Spain joined
    in 1982, and Poland joined in 1999" dates Poland's joining to 1999. Every date is in
    its own clause when no clause names the subject, or every clause does."""
    naming = _naming_clauses(sentence, q.subjects)
    if not naming:
        return lambda date: True
    return lambda date: any(date in c for c in naming)


def _near_act(q: Question, sentence: str) -> Callable[[str], int]:
    """How far a date stands from the words that tell the asked act: "NATO announced
    that the Council would meet on 4 March 2014" dates the meeting to 4 March."""
    acts = set(q.act)
    at = [
        m.start()
        for m in re.finditer(r"[\w'’]+", sentence)
        if acts and text.base_terms(m.group()) & acts
    ]

    def distance(date: str) -> int:
        where = sentence.find(date)
        return min((abs(where - a) for a in at), default=0) if where >= 0 else 0

    return distance


def _titled_as(q: Question, name: str, sentence: str) -> int:
    """How much of the office the question asks for the sentence gives the person, right
    before the name: 'SACEUR General Alexus Grynkewich' for "Who was SACEUR ...?". The
    whole office ("Secretary General") counts for more than a word of it ("General")."""
    words = r"(?:" + analysis.ROLE_NOUNS.pattern + r")"
    asked = {m.group(0).lower() for m in re.finditer(rf"{words}(?:\s+{words})*", q.text, re.I)}
    at = sentence.find(name)
    before = sentence[max(0, at - 40) : at].lower() if at > 0 else ""
    given = [
        len(role.split())
        for office in asked
        for role in {office, *office.split()}
        if re.search(rf"\b{re.escape(role)}\b[\w\s.]*$", before)
    ]
    return max(given, default=0)


def _state_of(name: str, cand: Candidate) -> str:
    """A nationality as its state where the passage names it: 'Estonian' -> 'Estonia'."""
    if not any(e.text == name and e.label == "NORP" for e in cand.entities):
        return name
    places = [e.text for e in cand.passage.entities or () if e.label == "GPE"]
    # 'Turkish' and 'Turkey' share four letters, 'Polish' and 'Poland' three.
    for size in (4, 3):
        root = text.fold(name)[:size]
        states = [p for p in places if text.fold(p).removeprefix("the ")[:size] == root]
        if states:
            return states[0]
    return name


def _aside(date: str, sentence: str) -> bool:
    """True when the date belongs to another event the sentence sets its own against:
    '... Estonia's second request, after the joint request of eight allies on 24 February
    2022'."""
    at = sentence.find(date)
    return at > 0 and bool(
        re.search(
            r"\b(after|before|following|since|prior to|because)\b[^,;]*$", sentence[:at], re.I
        )
    )


def _precision(date: str) -> int:
    """2 for a day, 1 for a year, 0 for anything vaguer."""
    return 2 if text.has_full_date(date) else 1 if text.years(date) else 0


def count_of(q: Question, sentence: str) -> int | None:
    """The figure a sentence gives for what the question counts."""
    counted = counted_as(q, sentence)
    return counted[0] if counted else None


def counted_as(q: Question, sentence: str) -> tuple[int, str] | None:
    """The figure a sentence gives for what the question counts, and the noun it counts:
    from the clause that names the question's subject when only some do ("Article 5 had
    been invoked only once, while Article 4 had been invoked nine times")."""
    naming = _naming_clauses(sentence, q.names)
    places = [" ".join(naming), sentence] if naming else [sentence]
    for place in places:
        for noun in text.counted_nouns(q.focus):
            found = text.counts_of(noun, place)
            if found:
                return found[0], text.stem(noun)
    return None


def say_count(figure: int, focus: str | None) -> str:
    """'Nine times.', '12 countries.': the figure with what it counts."""
    words = {
        v: k
        for k, v in text.NUMBER_WORDS.items()
        if k not in text.ORDINALS and k not in ("once", "twice")
    }
    said = words.get(figure, f"{figure:,}") if figure <= 12 else f"{figure:,}"
    noun = (focus or "").strip()
    if figure == 1 and noun == "times":
        return "Once."
    if figure == 1 and noun.endswith("s"):
        noun = noun[:-1]
    return f"{said[0].upper()}{said[1:]}{' ' + noun if noun else ''}."


def _leads_with(sentence: str, answer: str) -> bool:
    """True when the sentence already says the answer within its first words."""
    head = " ".join(sentence.split()[:5])
    return text.fold(answer) in text.fold(head)


def answer(
    q: Question,
    ranked: Sequence[Candidate],
    at: int | None = None,
    event: Candidate | None = None,
    per_side: Sequence[Sequence[Candidate]] = (),
) -> Draft:
    """The cited answer to q from its ranked sentences."""
    sources = Sources()
    if q.kind == "list":
        return listing(q, ranked, sources)
    if q.kind == "comparison" and len(q.sides) >= 2:
        return comparison(q, ranked, sources, per_side)
    if q.kind == "yes-no" and _nothing_since(q, ranked):
        return refusal()
    lead = pick(q, ranked, at)
    parts: list[str] = []
    if q.kind == "yes-no":
        said, lead = polar(q, ranked)
        doubt = [
            c
            for c in (lead, *ranked[:3])
            if _UNCERTAIN.search(c.quote)
            and (c is lead or c.features["overlap"] >= 0.5)
            and _of_agent(q, c.quote)
        ]
    else:
        doubt = []
    doubt = doubt or doubted(q, ranked)
    caveat = None
    if doubt and _STILL.search(doubt[0].quote) and not q.years:
        # "Whether X is still ... is not confirmed": the latest evidence answers, with the
        # doubt said after it; only a question about that later time is refused.
        caveat, doubt = doubt[0], []
    if doubt:
        # The best evidence says the point is unconfirmed: say so rather than guess.
        return Draft(
            answer="The sources don't confirm it either way: " + sources.sentence(doubt[0]),
            refused=True,
            citations=tuple(sources.citations),
        )
    if q.kind == "yes-no":
        parts.append("Yes." if said else "No.")
    elif q.kind == "number":
        return counting(q, lead, ranked, sources)
    else:
        direct = span(q, lead)
        if direct and not _leads_with(lead.quote, direct):
            parts.append(direct[0].upper() + direct[1:] + ".")
    parts.append(sources.sentence(lead))
    if event is not None:
        parts.append(sources.sentence(event))
    elif q.kind in ("reason", "outcome", "statement", "definition", "other", "yes-no"):
        parts.extend(sources.sentence(c) for c in _more(lead, ranked, 1))
    if caveat is not None and caveat is not lead:
        parts.append(sources.sentence(caveat))
    return sources.draft(parts)


def negates(sentence: str) -> bool:
    """True when the sentence says that something did not happen or is not so."""
    return bool(_NEGATION.search(sentence))


def doubted(q: Question, ranked: Sequence[Candidate]) -> list[Candidate]:
    """The best evidence, when it says the point asked about is not established: a
    sentence at the top, about the question's subject as fully as any, that calls it
    unconfirmed."""
    cover = max(c.features["entity_cover"] for c in ranked[:5])
    return [
        c
        for c in ranked[:2]
        if c.score >= 0.7 * ranked[0].score
        and c.features["entity_cover"] >= cover
        and _same_time(q, c.quote)
        and _UNCERTAIN.search(c.quote)
        and _of_agent(q, c.quote)
        and _doubt_of_question(q, c)
    ][:1]


def _doubt_of_question(q: Question, c: Candidate) -> bool:
    """False when the doubt is about a state or person the question does not bring up: a
    question naming no one is not answered by "whether Lithuania was a co-requester is
    unconfirmed"."""
    if q.subjects or q.years:
        return True
    return not any(e.label in ("GPE", "PERSON", "NORP") for e in c.entities)


# The alliance acts through its Council and as its members.
_ALLIANCE = re.compile(r"\b(NATO|North Atlantic Council|Council|allies|alliance)\b", re.I)


def _of_agent(q: Question, sentence: str) -> bool:
    """True when the sentence is about who the question says acted: a doubt about what
    Turkish leaders said is none about what NATO did."""
    if not q.agent:
        return True
    if _ALLIANCE.fullmatch(q.agent):
        return bool(_ALLIANCE.search(sentence))
    return mentions(sentence, q.agent)


def _same_time(q: Question, sentence: str) -> bool:
    """True when the sentence is about the year the question asks, if it asks one: the
    first year a sentence names is the one it is about."""
    said = text.years(sentence)
    return not q.years or not said or said[0] in q.years


def _more(lead: Candidate, ranked: Sequence[Candidate], n: int) -> list[Candidate]:
    """Up to n further sentences close in score to the lead and not repeating it."""
    out: list[Candidate] = []
    for cand in ranked:
        if len(out) >= n or cand.score < _KEEP * lead.score:
            break
        if cand is lead or any(similar(cand.quote, c.quote) for c in [lead, *out]):
            continue
        if cand.features["hedged"] >= 1.0:
            continue
        out.append(cand)
    return out


def similar(a: str, b: str) -> bool:
    """True when two sentences say nearly the same (most words of both are shared)."""
    ta, tb = text.term_set(a), text.term_set(b)
    return len(ta & tb) / max(1, len(ta | tb)) > 0.6


def polar(q: Question, ranked: Sequence[Candidate]) -> tuple[bool, Candidate]:
    """Yes or no, and the sentence that says so.

    The evidence says no when a sentence nearly as relevant as the best one negates what
    the question asks (a negated question flips it), or when the years the question names
    are not the evidence's years.
    """
    lead = pick(q, ranked)
    # "Didn't Syria shoot down a Turkish jet?" is answered as "Did Syria ...?" is; only a
    # negative statement put up for checking ("Is it true that ... not ...?") flips.
    checked = re.search(r"\b(?:true|correct|right|the case|accurate)\s+that\b(.*)", q.text, re.I)
    asked_negated = bool(checked and _NEGATION.search(checked.group(1)))
    asked = text.base_terms(q.text)
    if q.years and not any(y in c.quote for c in ranked[:5] for y in q.years):
        return asked_negated, lead
    # "Was Rutte Secretary General when Poland asked in 2014?" against "Rasmussen was
    # Secretary General when Poland asked in 2014": the best evidence gives another person
    # and none near the top names the one asked about.
    people = [e.text for e in q.entities if e.label == "PERSON"]
    if (
        people
        and lead.named(frozenset({"PERSON"}), q)
        and not any(mentions(c.quote, p) for c in ranked[:3] for p in people)
    ):
        return asked_negated, lead
    # "Was it an emergency session?" against "it was the regular weekly session": the
    # evidence names the opposite of what the question asks.
    contrary = _contrary(q, ranked)
    if contrary is not None:
        return asked_negated, contrary
    # The sentences that state the question's own verb and object decide: the best of
    # them says yes, or no when it negates them.
    if q.predicate:
        # Only sentences about the question's own subjects (the states, people and
        # nationalities it names): "Finland became NATO's 31st member" says nothing of
        # whether Estonia is one.
        stating = [
            c
            for c in ranked[:20]
            if _states(q.predicate, text.base_terms(c.quote))
            and c.features["hedged"] < 1.0
            and all(mentions(c.quote, s) for s in q.subjects if s not in q.setting)
        ]
        if stating:
            # The one about the occasion the question means, then about its subjects.
            setting = [text.fold(n) for n in q.setting]

            def about(c: Candidate) -> tuple[float, float, float]:
                folded = text.fold(c.quote)
                return (
                    sum(n in folded for n in setting),
                    c.features["entity_cover"],
                    c.score,
                )

            def affirms(c: Candidate) -> bool:
                return not (
                    _negated(q.predicate, c.quote, q.subjects)
                    or _unrealised(q.predicate, c.quote)
                    or _once_only(q, c.quote)
                    or _other_agent(q, c.quote)
                    or _ends(q, c)
                )

            top = max(stating, key=about)
            once = _REPEATED.search(q.text)  # "ever ... a second time" asks of a repeat
            if _EVER.search(q.text) and not q.years and not once and not affirms(top):
                # "Has NATO ever invoked Article 5?": one occasion that says so is a yes,
                # whatever other occasions say (a question that names its year asks of
                # that occasion alone).
                top = next((c for c in stating if affirms(c)), top)
            return affirms(top) != asked_negated, top
    ended = _ended(q, ranked)
    if ended is not None:
        return asked_negated, ended
    close = [
        c
        for c in ranked[:8]
        if c.score >= 0.7 * lead.score
        and c.features["overlap"] >= 0.8 * lead.features["overlap"]
        and c.features["hedged"] < 1.0
    ]
    negating = [c for c in close if _denies(c.quote, asked)]
    if negating and not asked_negated:
        return False, negating[0]
    return not _denies(lead.quote, asked) or asked_negated, lead


_EVER = re.compile(r"\bever\b", re.I)
# "Has Article 5 been invoked again?" against "has been invoked only once".
_REPEATED = re.compile(r"\b(again|a second time|more than once|twice|since|other times?)\b", re.I)
_ONCE = re.compile(r"\b(only once|just once|once only|only one time|a single time)\b", re.I)
# "Is Stoltenberg still Secretary General?" against "was ... until 30 September 2024".
_CURRENT = re.compile(r"\b(still|currently|now|today|any more|anymore)\b", re.I)
_ENDED = re.compile(
    r"\b(until|till|no longer|ended|left office|stepped down|withdr[ae]w\w*|"
    r"was (?:succeeded|replaced) by)\b",
    re.I,
)
_TOOK_OVER = re.compile(r"\b(succeed(?:ed|ing)|replac(?:ed|ing)|took over from)\s+", re.I)
_FORMER = re.compile(r"\b(?:former|formerly|ex-)\s*((?:\w+\s+){0,2}\w+)", re.I)


_SINCE = re.compile(r"\bsince\b([^?]*)", re.IGNORECASE)


def _nothing_since(q: Question, ranked: Sequence[Candidate]) -> bool:
    """True when a yes/no question asks about anything since a date ("Has any ally asked
    since Estonia did in September 2025?") and no sentence near the top is dated after
    it: the sources do not reach past it, which is no "no"."""
    since = _SINCE.search(q.text)
    bound = text.date_values(since.group(1)) if since else []
    if not bound:
        return False
    month = max(bound) // 100
    top = [c for c in ranked[:8] if c.score >= 0.5 * ranked[0].score]
    # A later date in a sentence that calls the later time unconfirmed is no evidence.
    return not any(
        d // 100 > month and not _UNCERTAIN.search(c.quote)
        for c in top
        for d in text.date_values(c.quote)
    )


def _once_only(q: Question, sentence: str) -> bool:
    """True when the question asks whether something happened again and the sentence says
    it happened only once."""
    return bool(_REPEATED.search(q.text) and _ONCE.search(sentence))


def _ended(q: Question, ranked: Sequence[Candidate]) -> Candidate | None:
    """For a question whether something still holds, a top sentence about its subject
    that says when it ended or who took over, if there is one."""
    return next((c for c in ranked[:5] if _ends(q, c)), None)


def _ends(q: Question, cand: Candidate) -> bool:
    """True when the question asks whether something still holds and the sentence says
    it ended for the question's subject."""
    subject = q.subjects[0] if q.subjects else q.agent  # what the question asks about
    if not _CURRENT.search(q.text) or not subject:
        return False
    quote = cand.quote
    if cand.features["hedged"] >= 1.0 or _NEGATION.search(quote):
        return False

    def before(at: int) -> bool:
        return mentions(quote[:at], subject)

    # "Stoltenberg was Secretary General ... until 2024": the subject, then its end.
    ended = _ENDED.search(quote)
    if ended and before(ended.start()):
        return True
    # "..., a former Prime Minister": only when it is what the question asks about.
    former = _FORMER.search(quote)
    if former and text.term_set(former.group(1)) & text.term_set(q.text) and before(former.start()):
        return True
    # "Rutte took office, succeeding Stoltenberg": the one taken over from.
    took = _TOOK_OVER.search(quote)
    after = " ".join(quote[took.end() :].split()[:4]) if took else ""
    return bool(took) and mentions(after, subject)


def _other_agent(q: Question, sentence: str) -> bool:
    """True when the sentence gives the question's act to someone else: asked whether
    Turkey shot down a Syrian jet, "Syria had shot down a Turkish jet". The question's
    doer must be in the sentence, but not as the doer of the same verb."""
    if not q.agent or not q.predicate or not mentions(sentence, q.agent):
        return False
    verb = text.base_term(q.predicate[0])
    for token in analysis.nlp()(sentence):
        said = text.base_term(text.stem(token.lemma_.lower()))
        if token.pos_ not in ("VERB", "AUX") or said[:4] != verb[:4]:
            continue
        named = [
            d for d in analysis.doers(token) if d.ent_type_ in ("GPE", "NORP", "PERSON", "ORG")
        ]
        if named and not any(mentions(" ".join(t.text for t in d.subtree), q.agent) for d in named):
            return True
    return False


# Pairs of opposites a yes/no question may ask about: the evidence naming one side alone
# answers a question about the other with no.
_OPPOSITES = (
    (
        r"regular|routine|ordinary|scheduled|weekly",
        r"special\w*|emergency|extraordinary|unscheduled",
    ),
    (r"consensus|unanimity|unanimous|no voting", r"majority|votes?|voting"),
    (r"anywhere|any part|worldwide|outside|beyond|also|including", r"only|solely|exclusively"),
)


def _contrary(q: Question, ranked: Sequence[Candidate]) -> Candidate | None:
    """A top sentence about the question's subject that names only the opposite of what
    the question asks, if there is one."""
    top = [
        c
        for c in ranked[:5]
        if c.features["entity_cover"] > 0
        and c.features["hedged"] < 1.0
        and c.score >= 0.5 * ranked[0].score
    ]
    for one, other in _OPPOSITES:
        for said, asked in ((one, other), (other, one)):
            if not re.search(rf"\b({asked})\b", q.text, re.IGNORECASE):
                continue
            if re.search(rf"\b({said})\b", q.text, re.IGNORECASE):
                continue
            for cand in top:
                # "there is no voting" names no voting.
                affirmed = re.sub(r"\b(?:no|not|without|never)\s+\w+", "", cand.quote)
                if re.search(rf"\b({said})\b", cand.quote, re.IGNORECASE) and not re.search(
                    rf"\b({asked})\b", affirmed, re.IGNORECASE
                ):
                    return cand
    return None


# Words that put what follows in doubt or in the future: "Poland examined invoking
# Article 4" does not say Poland invoked it.
_IRREALIS = re.compile(
    r"\b(examin\w*|consider\w*|weigh\w*|debat\w*|threaten\w*|could|would|might|may|if|"
    r"whether|call\w* for|urg\w*|propos\w*|plann\w*|plans? to|intend\w*|essentially|basically|"
    r"ready to|prepared to|discuss\w*)\b",
    re.IGNORECASE,
)


def _unrealised(predicate: Sequence[str], sentence: str) -> bool:
    """True when the sentence puts the predicate's verb under a word of doubt or intent."""
    head = predicate[0]
    words = sentence.split()
    for i, word in enumerate(words):
        if text.fold(word).startswith(head[:4]) and len(head) >= 3:
            # Within the verb's own clause: "had no flight plan, had ... switched off".
            before = " ".join(words[max(0, i - 4) : i]).rsplit(",", 1)[-1].rsplit(";", 1)[-1]
            return bool(_IRREALIS.search(before))
    return False


_CLAUSE = re.compile(r"[,;:]|\b(?:and|but|while|whereas)\b", re.IGNORECASE)


def _negated(predicate: Sequence[str], sentence: str, subjects: Sequence[str] = ()) -> bool:
    """True when the part of the sentence that states the predicate is negated: 'had no
    flight plan, had their transponders switched off' does not deny the transponders; a
    clause with the verb and the question's subject states it too ('Only members can
    invoke Article 4, so a non-member such as Ukraine cannot invoke either article')."""
    # The clauses that state the predicate, else (or with no verb to find: a parse that
    # kept only a year) the whole sentence.
    asked = frozenset(text.base_term(w) for w in predicate)
    if not predicate or not predicate[0].isalpha():
        return _denies(sentence, asked)
    stating = [
        p
        for p in _CLAUSE.split(sentence)
        if _states(predicate, text.base_terms(p))
        or (_states(predicate[:1], text.base_terms(p)) and any(mentions(p, s) for s in subjects))
    ]
    return any(_denies(part, asked) for part in stating or [sentence])


def _denies(sentence: str, asked: frozenset[str]) -> bool:
    """True when the sentence negates something, not counting a word of negation the
    question itself asks about: 'Russia denied ...' answers "Did Russia deny ...?" yes."""
    return any(not text.base_terms(m.group(0)) & asked for m in _NEGATION.finditer(sentence))


# Verbs the sources use for one act, by their first four letters: an ally that invokes
# Article 4 requests consultations under it.
_SAME_ACT = (frozenset({"invo", "requ"}),)


def _states(predicate: Sequence[str], terms: frozenset[str]) -> bool:
    """True when a sentence's terms hold the predicate's first word (its verb, or its
    object when the verb is 'be'), its numbers, and at least half of its other words; words
    meet on a shared stem of four letters ('vote' and 'voting')."""

    def has(word: str) -> bool:
        if len(word) < 3:
            return word in terms
        if any(word[:4] in same and any(t[:4] in same for t in terms) for same in _SAME_ACT):
            return True
        return any(t[:4] == word[:4] or t.startswith(word) or word.startswith(t) for t in terms)

    head, *rest = (text.base_term(w) for w in predicate)
    # Numbers must all be there ("Article 5" is not "Article 4"); other words, half.
    figures = [w for w in rest if w.isdigit()]
    words = [w for w in rest if not w.isdigit()]
    return has(head) and all(map(has, figures)) and sum(map(has, words)) * 2 >= len(words)


def tallied(q: Question, ranked: Sequence[Candidate]) -> tuple[int, Candidate] | None:
    """A figure a sentence gives for the question's own subject in a tally: 'Per requesting
    state, Turkey made 5 requests, Poland 3 (...)' answers "How often has Poland asked?"."""
    subjects = q.subjects
    if len(subjects) != 1:
        return None
    numbers = "|".join(w for w in text.NUMBER_WORDS if w not in text.ORDINALS)
    owned = re.compile(
        rf"\b{re.escape(subjects[0])}(?:\s+(?:has\s+|had\s+)?(?:made|asked|requested|invoked))?"
        rf"\s+(\d{{1,3}}|{numbers})\b(?![.,]?\d|\s*(?:%|per\b))",
        re.IGNORECASE,
    )
    for cand in ranked:
        found = owned.search(cand.quote)
        if found and not cand.features["hedged"]:
            said = found.group(1).lower()
            return (int(said) if said.isdigit() else text.NUMBER_WORDS[said]), cand
    return None


def counting(q: Question, lead: Candidate, ranked: Sequence[Candidate], sources: Sources) -> Draft:
    """A count: the figure first, from an explicit statement; sources that disagree on the
    same figure for the same subject are named, and the latest one is followed."""
    tally = tallied(q, ranked)
    if tally is not None:
        told, cand = tally
        return sources.draft([say_count(told, q.focus), sources.sentence(cand)])
    stated = [
        c
        for c in ranked
        if c.score >= 0.5 * ranked[0].score
        and c.features["hedged"] < 1.0  # "one website wrongly says 19" gives no figure
        and count_of(q, c.quote)
    ]
    # Whose figure it is: "How many did the Dutch F-35s shoot down?" is not answered by a
    # figure for all shoot-downs; the nationalities and people the question names must be
    # in the sentence that gives it.
    counted = re.search(rf"\bhow many\b[^?]*?\b{re.escape(q.focus or '')}\b", q.text, re.I)
    # A preamble ("Filing on the Vaindloo incursion. How many ...?") sets the scene only.
    asked_from = len(q.text) - len(analysis.main_question(q.text))
    # Names a follow-up borrowed from earlier turns stand after its own words.
    borrowed_from = len(own_words(q.text))
    owners = [
        e.text
        for e in q.entities
        if e.label in ("NORP", "PERSON")
        and e.start >= asked_from
        # "How many Russian drones": Russian says which drones, not whose figure.
        and not (counted and counted.start() <= e.start < counted.end())
        # "... the night the Russian drones came": the occasion, not whose figure.
        and e.text not in q.setting
        # Names a follow-up borrowed from earlier turns place it; they own no figure.
        and e.end <= borrowed_from
    ]
    if q.names:
        # A figure for another subject's event ("33 soldiers" killed in Idlib) does not
        # count what the question asks of Eastern Sentry.
        stated = [c for c in stated if c.features["entity_cover"] > 0]
    if stated and owners:
        stated = [c for c in stated if all(mentions(c.quote, o) for o in owners)]
        if not stated:
            return refusal()
    # "How many were injured?" is not answered by how many were killed.
    harmed = _harm(q.text)
    if stated and harmed:
        stated = [c for c in stated if _harm(c.quote) & harmed]
        if not stated:
            return refusal()
    if not stated:
        # No sentence gives a figure for the very noun asked about: the best sentence with
        # a number may still hold it in other words ("three drone shoot-downs"); one with
        # no number at all does not answer a count.
        if not text.has_number(lead.quote) or (harmed and not _harm(lead.quote) & harmed):
            return refusal()
        if _other_thing(q, lead.quote):
            return refusal()
        return sources.draft([sources.sentence(lead)])
    names = [text.fold(n) for n in q.names]

    def same_subject(c: Candidate) -> bool:
        # The question's names come before the counted noun, where a sentence names whose
        # figure it gives: "NATO has 32 members", not "the committee had 18 members, ...
        # outside NATO".
        folded = text.fold(c.quote)
        noun = _noun(q, c.quote)
        at = folded.find(noun) if noun else -1
        at = at if at >= 0 else len(folded)
        return all(0 <= folded.find(n) < at for n in names)

    # A figure for the very noun asked about ("how many times" -> "nine times") before one
    # for a noun that may count the same thing ("one occasion").
    asked_noun = text.stem(q.focus or "")
    stated = [c for c in stated if _noun(q, c.quote) == asked_noun] or stated
    # A source's own figure before one it reports; then the latest, by the date the
    # sentence gives for its figure or else by its document's date.
    own = [c for c in stated if not c.features["hedged"]] or stated
    best = max(own, key=lambda c: c.score)
    near = [c for c in own if c.score >= 0.8 * best.score]
    # By year: "as of late 2025" is not older than an undated sentence of a 2025 page.
    lead = max(near, key=lambda c: (max(_when(c), default=0) // 10000, c.score))
    figure = count_of(q, lead.quote)
    parts = []
    if figure is not None:
        parts.append(say_count(figure, q.focus))
    parts.append(sources.sentence(lead))
    # Another source's own figure for the same thing, however it ranks for the question.
    for other in ranked:
        older = other.passage
        if (
            older.source != lead.passage.source
            and (older.date or "") < (lead.passage.date or "")
            and count_of(q, other.quote) not in (None, figure)
            and _noun(q, other.quote) == _noun(q, lead.quote)
            and same_subject(other)
            and not other.features["hedged"]
            and other.features["overlap"] >= 0.5 * lead.features["overlap"]
        ):
            parts.append(
                f"The sources disagree: “{older.title}” ({long_date(older.date)}) says "
                f"“{other.quote.rstrip('.')}” [{sources.cite(other)}]; this answer follows the "
                f"latest source, dated {long_date(lead.passage.date)} [{sources.cite(lead)}]."
            )
            break
    return sources.draft(parts)


# Kinds of harm a count may be of; a figure for one is no figure for another.
_HARMS = {
    "killed": r"kill\w*|dead|died|deaths?|fatalit\w*",
    "injured": r"injur\w*|wounded|hurt",
    "held": r"arrest\w*|detain\w*|captured",
    "missing": r"missing",
}


def _other_thing(q: Question, sentence: str) -> bool:
    """True when the question counts a thing the sentence never names, in any of the words
    a count of it is given in: 'how many troops' against 'two F-16 jets and a frigate'."""
    if not q.focus:
        return False
    said = text.base_terms(sentence)
    return not any(text.stem(w) in said for n in text.counted_nouns(q.focus) for w in n.split())


def _harm(text_: str) -> set[str]:
    """The kinds of harm a text counts: 'killed five civilians' -> {'killed'}."""
    return {k for k, p in _HARMS.items() if re.search(rf"\b(?:{p})\b", text_, re.IGNORECASE)}


# Last words that name nothing alone: "United States" is not any "states".
_GENERIC_LAST = frozenset("states kingdom republic union council nations general minister".split())


def mentions(sentence: str, name: str) -> bool:
    """True when the sentence names it, in any form: 'Turkish' for 'Turkey's', and a
    person by family name ('Stoltenberg' for 'Jens Stoltenberg')."""
    words = text.words(text.fold(name))
    if not words:
        return False
    folded = text.fold(sentence)
    if len(words) > 1 and words[-1] in _GENERIC_LAST:
        return " ".join(words) in " ".join(text.words(folded))
    root = words[-1][:5] if len(words) > 1 else words[0][:5]
    return any(w.startswith(root) for w in text.words(folded))


def _noun(q: Question, sentence: str) -> str:
    counted = counted_as(q, sentence)
    return counted[1] if counted else ""


def _subject(name: str, quote: str) -> bool:
    """True when the name opens the sentence, where a sentence names what it is about."""
    head = " ".join(text.words(quote)[:4])
    return text.fold(name).removeprefix("the ") in text.fold(head)


def listing(q: Question, ranked: Sequence[Candidate], sources: Sources) -> Draft:
    """A list: the items gathered across the best sentences, one item per entity; items
    no name answers are given as the sentence that lists them."""
    labels = WANTED.get(q.target, frozenset())
    best = ranked[0].score
    if q.unnamed_items:
        series = [
            c
            for c in ranked[:8]
            if c.score >= 0.3 * best
            and not c.features["hedged"]
            and c.features["type_match"] >= 1.0
        ]
        return _with_one_more(series[0] if series else pick(q, ranked), ranked, sources)
    items: dict[str, tuple[str, Candidate]] = {}
    used: list[Candidate] = []
    # A bounded list ("since 2010") keeps only items dated within the bound, a strong
    # filter: it may look further down for them.
    reach, adds = (0.15, 0.15) if q.bound else (0.25, 0.3)
    wide = [c for c in ranked if c.score >= reach * best and c.features["hedged"] < 1.0]
    # A source's own statement before one that reports another's ("Wikipedia says ..."),
    # unless the question asks what was said.
    if not (text.REPORTED.search(q.text) or _TELLING.search(q.text)):
        wide = [c for c in wide if not c.features["hedged"]] or wide
    if q.target == "date":
        return _dates_listed(q, wide, sources) or sources.draft([sources.sentence(pick(q, ranked))])
    if (
        q.target == "name"
        and q.focus
        and not _AGENTS.search(q.focus)
        and not any(_names_kind(q.focus, c.quote) for c in wide)
    ):
        # "Which drone models ...?": no sentence speaks of models, so no name is one.
        # Those who act ("signatories", "contributors") are named as states or people.
        return refusal()
    # The best sentence that enumerates (two items or more) sets the list; when it states
    # how many there are and names as many, the list is complete. An enumeration may rank
    # below sentences about one item each, so it is looked for further down.
    # Items of a kind the analysis has no type for ("signatories") need a real
    # enumeration, three names or more, before they are taken for a list.
    least = 3 if q.target == "name" else 2
    # A name the model tags in one sentence is the same name where it misses it there.
    known = {e.text for c in ranked for e in c.entities if e.label in labels}
    named = {id(c): cand_items(c, labels, q, known) for c in wide}
    if q.bound:
        # "... since 2010": only the items the sentence dates within the bound.
        named = {id(c): [f for f in named[id(c)] if _item_within(q, f, c.quote)] for c in wide}
    of_kind = functools.partial(_of_kind, q)

    enumerating = [
        c
        for c in wide
        if len(named[id(c)]) >= least or (named[id(c)] and all(map(of_kind, named[id(c)])))
    ]
    # A sentence that names more of them is more likely the list itself.
    enumerating.sort(key=lambda c: -c.score * min(8, len(named[id(c)])) ** 0.5)
    if enumerating and q.focus:
        # One that says how many there are and names as many is the whole list: "Eight
        # allies requested ...: Bulgaria, ..." before a tally that names them with others.
        top = enumerating[0].score
        enumerating.sort(
            key=lambda c: (
                not (c.score >= 0.5 * top and len(named[id(c)]) in _stated_counts(q, c.quote))
            )
        )
    # "List all twelve countries ...": an enumeration of as many as the question says.
    asked = text.counts_of(q.focus, q.text) if q.focus else []
    enumerating.sort(key=lambda c: len(named[id(c)]) not in asked)
    adding = [] if not enumerating and q.target == "name" else wide
    if enumerating:
        first = enumerating[0]
        used.append(first)
        for item in named[id(first)]:
            if not _listed(item, items):
                items[_key(item)] = (item, first)
        # Complete when it says how many of the very things asked for there are, and
        # names as many: "The 12 founding members are ..." for "Name the founding members".
        # So is an enumeration of as many as the question itself says there are.
        if q.focus and not q.bound and len(items) in [*_stated_counts(q, first.quote), *asked]:
            adding = []
    # Other sentences add the items they are about (the name that opens them).
    for cand in adding:
        if len(used) >= 6 or cand in used or cand.score < adds * best:
            continue
        fresh = [f for f in named[id(cand)] if not _listed(f, items)]
        if used and all(map(of_kind, named[id(used[0])])):
            fresh = [f for f in fresh if of_kind(f)]  # operations, then only operations
        if used:
            # The item the sentence is about, or one in a clause that tells the act
            # asked about ("..., Montenegro joined in 2017").
            fresh = [
                f
                for f in fresh
                if _subject(f, cand.quote) or of_kind(f) or _acts_in_clause(q, f, cand.quote)
            ]
        if fresh:
            used.append(cand)
            for item in fresh:
                items[_key(item)] = (item, cand)
    if not items:
        return _with_one_more(pick(q, ranked), ranked, sources)
    names = [name for name, _ in items.values()]
    cited = [sources.cite(c) for c in used]
    listed = _joined(names)
    parts = [cite(listed[0].upper() + listed[1:], cited)]
    if len(used[0].quote.split()) <= 35:
        parts.append(sources.sentence(used[0]))
    return sources.draft(parts)


def _acts_in_clause(q: Question, item: str, sentence: str) -> bool:
    """Whether the item does the question's act in its clause: it stands before a word
    that tells the act ("..., Montenegro joined in 2017"), not after one ("became a member
    ... in Washington")."""
    acts = q.act or analysis.verbs(q.text)
    for clause in _CLAUSES.split(sentence):
        at = clause.find(item)
        if at >= 0 and acts and not text.base_terms(clause[at + len(item) :]).isdisjoint(acts):
            return True
    return False


def _item_within(q: Question, item: str, sentence: str) -> bool:
    """Whether the sentence dates the item within the question's bound: by the first date
    after the item ("Montenegro joined in 2017"), else the nearest before it ("Seven states
    joined in 2004: Bulgaria, ..."). An undated item is not within."""
    at = sentence.find(item)
    dates = text.dates_at(sentence)
    after = [d for d, where in dates if where > at]
    before = [d for d, where in dates if where < at]
    date = after[0] if after else before[-1] if before else None
    return date is not None and analysis.within(q.bound, date)


# Nouns that all count states: "Eight allies ..." tells how many countries there are.
_STATE_NOUNS = ("country", "state", "nation", "ally", "member")


def _stated_counts(q: Question, sentence: str) -> list[int]:
    """How many of the question's focus the sentence says there are. A count of states
    in another noun for them counts when the sentence is of the occasion the question
    dates ("the countries in the 2022 request" against "Eight allies requested in 2022");
    undated, the eight may be one occasion's of many."""
    focus = q.focus or ""
    nouns: Sequence[str] = (focus,)
    of_states = text.stem(focus) in map(text.stem, _STATE_NOUNS)
    if of_states and q.years and all(year in sentence for year in q.years):
        nouns = _STATE_NOUNS
    return [n for noun in nouns for n in text.counts_of(noun, sentence)]


# A question about what a statement or speaker told: "Which allies did the statement
# mention ...?".
_TELLING = re.compile(r"\b(mention\w*|statements?|stated?|announce\w*|told|tell)\b", re.I)


def _with_one_more(lead: Candidate, ranked: Sequence[Candidate], sources: Sources) -> Draft:
    """The lead sentence and one more that scores close and says something new."""
    return sources.draft([sources.sentence(lead), *map(sources.sentence, _more(lead, ranked, 1))])


def _joined(names: Sequence[str]) -> str:
    """'A, B and C'."""
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


# Plurals of those who act: signatories, members, contributors, participants.
_AGENTS = re.compile(r"(?:ories|ers|ors|ists|ants|ians)$", re.IGNORECASE)


def _names_kind(kind: str, sentence: str) -> bool:
    """True when the sentence speaks of things of the kind: 'operation' in 'Operation
    Eagle Assist', 'signatories' in 'the letter's signatories'."""
    return text.stem(kind) in text.term_set(sentence)


def _dates_listed(q: Question, wide: Sequence[Candidate], sources: Sources) -> Draft | None:
    """'In which years did Turkey invoke Article 4?': the dates the sentences about the
    question's subject give for what happened (not the dates they set it against), by
    year when years are asked for, in order, each cited. None when none are found."""
    by_year = text.stem(q.focus or "") == "year"
    subjects = q.subjects or [n for n in q.names if not n.startswith("Article")]
    found: dict[int, tuple[str, Candidate]] = {}
    for cand in wide:
        # A sentence about the subject (it opens with it) dates the subject's own acts,
        # in its main clause: the cause it gives ("because ... on 22 June") is dated apart.
        if not any(_subject(s, cand.quote) for s in subjects) or cand.features["hedged"]:
            continue
        main = re.split(r"\b(?:because|after|following|in response to)\b", cand.quote)[0]
        if negates(main) or not all(mentions(main, n) for n in q.names):
            continue
        for said in text.event_dates(main):
            values = text.date_values(said)
            if not values:
                continue
            key = values[0] // 10000 * 10000 if by_year else values[0]
            if key not in found:
                found[key] = (str(key // 10000) if by_year else said, cand)
    # A month already given with its day, or a year with its month, is the same date.
    for key in [k for k in found if k % 100 == 0]:
        wider = 10000 if key % 10000 == 0 else 100
        if any(k != key and k // wider == key // wider for k in found):
            del found[key]
    if not found:
        return None
    dates = [found[k] for k in sorted(found)]
    names = [said for said, _ in dates]
    listed = _joined(names)
    cited = list(dict.fromkeys(sources.cite(c) for _, c in dates))
    return sources.draft([cite(listed[0].upper() + listed[1:], cited)])


def cand_items(
    cand: Candidate, labels: frozenset[str], q: Question, known: Iterable[str] = ()
) -> list[str]:
    """The items a sentence lists: its names of the asked kind, and the known names it
    holds, up to where it turns to a cause ('... in response to Russia's intervention in
    Crimea' names no requester)."""
    cause = _CAUSE.search(cand.quote)
    end = cause.start() if cause else len(cand.quote)
    if _NEGATION.search(cand.quote):
        return []  # "Turkey and Hungary were not among ..." lists no one
    asked = text.fold(q.text)
    left_out = {_key(x) for x in q.excluded}
    spans = [(e.start - cand.start, e.text) for e in cand.entities if e.label in labels]
    for name in known:
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", cand.quote):
            spans.append((m.start(), name))
    found = [
        name
        for at, name in sorted(spans)
        if at < end and _key(name) not in asked and _key(name) not in left_out
    ]
    # "Which operations ...": where some names say what they are ("Operation Active
    # Endeavour"), the others in the sentence ("the Mediterranean Sea") are not items.
    if q.target == "name":
        found = [f for f in found if _of_kind(q, f)] or found
    return list({_key(f): f for f in found}.values())


def _of_kind(q: Question, name: str) -> bool:
    """True when the name says it is one of the things listed: 'Operation Eagle Assist'
    for "Which operations ...?"."""
    kind = text.stem(q.focus or "")
    return len(kind) >= 4 and kind in {text.stem(w) for w in text.words(name)}


def _listed(name: str, items: Iterable[str]) -> bool:
    """True when the name, or a fuller or shorter form of it, is already listed:
    'Robertson' and 'Lord George Robertson' are one item."""
    words = set(text.words(_key(name)))
    return bool(words) and any(
        words <= set(text.words(key)) or set(text.words(key)) <= words for key in items
    )


def _key(name: str) -> str:
    return text.fold(name).removeprefix("the ").strip()


def comparison(
    q: Question,
    ranked: Sequence[Candidate],
    sources: Sources,
    per_side: Sequence[Sequence[Candidate]] = (),
) -> Draft:
    """A comparison: a sentence that sets the sides against each other if one does, then
    the best sentence for each side (ranked for that side alone when per_side is given)."""
    sides = [text.fold(s) for s in q.compared]
    best = ranked[0].score
    good = [c for c in ranked if c.score >= 0.4 * best]
    chosen: list[Candidate] = []
    both = [c for c in good if all(s in text.fold(c.quote) for s in sides)]
    # When each side is asked for something typed (a reason, a date), each side's own
    # sentence answers; a sentence about both answers only a plain "how do they differ".
    typed = any(c.features["type_match"] >= 1.0 for pool in per_side for c in pool[:5])
    if both and both[0].score >= 0.8 * best and not typed:
        chosen.append(both[0])
    for i, side in enumerate(sides):
        pool = list(per_side[i]) if i < len(per_side) else good
        own = [
            c
            for c in pool
            if side in text.fold(c.quote)
            and c not in chosen
            and not any(similar(c.quote, x.quote) for x in chosen)
            and c.features["hedged"] < 1.0
        ]
        alone = [c for c in own if not any(s in text.fold(c.quote) for s in sides if s != side)]
        pool = alone or own
        if pool:
            top = pool[0].score
            close = [c for c in pool if c.score >= 0.6 * top]
            # A typed answer stated rather than reported, by its score; otherwise a
            # stated sentence about the side itself.
            close.sort(
                key=lambda c: (
                    (-c.features["type_match"], c.features["hedged"] > 0, -c.score)
                    if typed
                    else (c.features["hedged"] > 0, not _subject(side, c.quote), -c.score)
                )
            )
            chosen.append(close[0])
    if not chosen:
        chosen = [ranked[0]]
    return sources.draft([sources.sentence(c) for c in chosen[: len(sides) + 1]])


def long_date(iso: str | None) -> str:
    if not iso:
        return "undated"
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"
