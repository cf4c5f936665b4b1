"""The offline answerer: finds the sentences that answer the question and composes a cited
answer from them, shaped by what the question asks for (see assistant/compose.py).

Each sentence of the retrieved passages is described by a few features and scored by a
logistic regression fitted on held-apart data (assistant/scoring); a second one decides
whether the evidence answers the question at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant import analysis, compose, scoring, text
from assistant.analysis import Entity, Question
from assistant.chunking import body_offset
from assistant.embeddings import VectorCache
from assistant.followup import own_words
from assistant.schema import NOT_ENGLISH, SPECULATIVE, Draft, Passage, Search, Turn, refusal

_CAUSAL = re.compile(
    r"\b(because|after|following|in response to|due to|over|triggered|prompted|reason|"
    r"caused|killed|attack|shot down|so that|to discuss|response|amid|concern|only)\b|, so\b",
    re.IGNORECASE,
)
_CAUSE_STATED = re.compile(
    r"\b(because|in response to|due to|triggered|prompted|caused|reason|so that|feared|"
    r"in order to)\b|, so\b",
    re.IGNORECASE,
)
# What an event led to: a response, a decision, a step taken ("in response to" says what
# a step answered, not what followed).
_OUTCOME_STATED = re.compile(
    r"(?<!\bin )\b(responses?|responded|reaction|launch(?:ed)?|announced|activat\w+|deploy\w*|"
    r"decid\w+|decisions?|agreed|approved|authori[sz]ed|tasked|set up|led to|resulted|results?|"
    r"outcomes?|as a result|consequently|subsequently|began|started|established|sent|"
    r"statement|declared|condemned|demanded|urged|called on|pledged)\b",
    re.IGNORECASE,
)
# A section heading that files what came of an event: "The outcome", "NATO's response".
_OUTCOME_HEADING = re.compile(r"\b(outcomes?|responses?|results?|reactions?|aftermath)\b", re.I)
_EARLIER = re.compile(r"\b(already|although|though|previously|earlier|before)\b", re.I)
_HEDGES = re.compile(
    r"\b(wrong(ly)?|error|erroneous|incorrect(ly)?|falsely|mistaken(ly)?|undercount|"
    r"not confirmed|unconfirmed|no source|(?:found|named|recorded) (?:in|by) the sources)\b",
    re.IGNORECASE,
)
_EDITORIAL = re.compile(r"\bthis corpus\b", re.IGNORECASE)
# Role words that narrow a person question: 'the ambassador who spoke' is not any person.
_ROLES = re.compile(
    r"\b(secretar(?:y|ies)[- ]generals?|secretar(?:y|ies)|ministers?|presidents?|ambassadors?|"
    r"chair\w*|spokes\w*|commanders?|prime ministers?|chancellors?|kings?|"
    r"queens?|generals?|pilots?|crews?|soldiers?|officers?|diplomats?|envoys?|saceur|sact)\b",
    re.IGNORECASE,
)


# How much a term a follow-up borrowed from earlier turns weighs against its own words.
BORROWED_WEIGHT = 0.5
# Military offices that answer for one another: a general may be asked for as a commander.
_SAME_OFFICE = {"saceur": "commander", "sact": "commander", "general": "commander"}


def _roles(said: str) -> set[str]:
    """The offices a text names, each word stemmed: 'Secretaries General' is 'secretar general'."""
    found = {
        " ".join(
            text.stem(re.sub(r"ies$", "y", w)) for w in m.group().lower().replace("-", " ").split()
        )
        for m in _ROLES.finditer(said)
    }
    return {_SAME_OFFICE.get(r, r) for r in found}


_EVENTS = re.compile(
    r"\b(requests?|cases?|invocations?|incidents?|crisis|crises|consultations?|incursions?)\b",
    re.IGNORECASE,
)
_NAME_ASKED = re.compile(r"\bnames?\b|\bcalled\b", re.IGNORECASE)

# The manner of an act: "by consensus", "through ...", "in a letter".
_MANNER = re.compile(
    r"\bby (?!(?:a|an|the|one|any|its|their|his|her|him|them|\d+)\b)[a-z]|"
    r"\b(?:through|via|without|using|on the basis of|in writing|in person)\b|\bno \w+ing\b|"
    r"\bin an? (?:\w+ )?(?:letter|call|message|note)\b"
)
# Words that report what someone said.
_SAYS = re.compile(
    r"\b(said|says|stated|denied|denies|claimed|called|told|argued|responded|replied|"
    r"warned|insisted|accused|rejected|condemned|described|demanded|urged|pledged|"
    r"called on|called for)\b",
    re.IGNORECASE,
)
_TOWNS = re.compile(
    r"\b(which|what) (?:\w+ )?(city|town|village|island|base|airport|port)\b", re.IGNORECASE
)
# Answer types that say little of what is asked.
_ALLIES = ("alli", "nato", "coun", "memb", "nort")
_VAGUE = ("other", "definition", "comparison", "list", "yes-no")
# Types whose answer must be in the evidence: without one the question is not answered.
_STRICT = (
    "person",
    "date",
    "number",
    "duration",
    "money",
    "time",
    "place",
    "organisation",
    "name",
    "statement",  # words reported from the speaker asked of
)


@dataclass(frozen=True)
class Candidate:
    """One sentence of a passage, described and scored for the question."""

    passage: Passage
    quote: str
    start: int  # offset of the quote in passage.text
    entities: tuple[Entity, ...]  # inside the quote, offsets into passage.text
    features: dict[str, float]
    score: float

    def named(self, labels: frozenset[str], question: Question) -> list[str]:
        """Entities of these labels that the question does not already name, in any form:
        'Estonian' is named by a question about Estonia."""
        asked = text.fold(question.text)
        said = {w.removesuffix("'s") for w in text.words(asked)}
        # 'Turkish' and 'Turkey' share four letters.
        roots = {w[:4] for n in question.names for w in text.words(text.fold(n)) if len(w) >= 5}
        # "Which city ...?" is not answered by a state.
        towns = bool(_TOWNS.search(question.text))
        return [
            e.text
            for e in self.entities
            if e.label in labels
            and text.fold(e.text).removeprefix("the ") not in asked
            and not (
                e.label in ("NORP", "GPE")
                and (
                    text.fold(e.text)[:4] in roots
                    or any(f in asked for f in analysis.nation_forms(text.fold(e.text)))
                )
            )
            and not (towns and text.fold(e.text).removeprefix("the ") in analysis.STATES)
            # "Russian drones" names no one who acted; "the Russians" may.
            and not (e.label == "NORP" and "PERSON" in labels and self._attributive(e))
            # "Jens Stoltenberg" is named by a question about Stoltenberg.
            and not (e.label == "PERSON" and set(text.words(text.fold(e.text))[-1:]) <= said)
        ]

    def _attributive(self, e: Entity) -> bool:
        """True when the nationality stands before a noun it describes: 'Russian drones'."""
        return bool(re.match(r"\s+[a-z]", self.passage.text[e.end : e.end + 3]))


def hedged(sentence: str, asked: bool = False) -> float:
    """1 for sentences that report a claim's error, 0.4 for reported claims and notes on
    how the sources are read (unless the question asks what was said), else 0."""
    if _HEDGES.search(sentence):
        return 1.0
    if asked:
        return 0.0
    # A note on how the sources are read ("this corpus follows ...") reports a choice.
    return 0.4 if text.REPORTED.search(sentence) or _EDITORIAL.search(sentence) else 0.0


_ACTED = frozenset({"person", "place", "organisation", "name", "date", "number"})


def type_match(
    question: Question,
    quote: str,
    found: Sequence[str],
    context: str = "",
    titles: Mapping[str, frozenset[str]] | None = None,
) -> float:
    """How well a sentence holds the kind of thing the question asks for (0 to 1); the
    context is the passage around the sentence, and titles the offices that other
    passages give the people named. A person, date or place given for another act than
    the one asked about ("Who briefed ...?" against "... noted that ...") counts for less."""
    held = _type_match(question, quote, found, context, titles or {})
    if question.kind not in _ACTED or not question.act:
        return held
    if not text.base_terms(quote).isdisjoint(question.act):
        return held
    # A sentence naming who holds the office asked for answers "Which general briefed
    # ...?" without telling the briefing: "In 2025, SACEUR was General ...".
    if question.kind == "person" and _asked_roles(question) & _roles(quote):
        return held
    return 0.6 * held


def _asked_roles(question: Question) -> set[str]:
    """The office a question asks for: the first it names ('the ambassador who handed
    the request to the Secretary General' asks for an ambassador)."""
    first = _ROLES.search(analysis.main_question(question.text))
    return _roles(first.group() if first else "")


def _type_match(
    question: Question,
    quote: str,
    found: Sequence[str],
    context: str,
    titles: Mapping[str, frozenset[str]],
) -> float:
    kind = question.target if question.kind == "list" else question.kind
    if question.unnamed_items:
        # A series of things, not of names: "France, Germany and Belgium" lists states.
        return 1.0 if text.SERIES.search(quote) and len(found) < 3 else 0.3
    if kind == "outcome":
        # The question dates the event; what followed it may come later, not before.
        event, after = text.date_values(question.text), text.date_values(quote)
        if event and after and max(after) < min(event):
            return 0.0
    elif text.date_conflict(
        _date_bounds(question) if kind == "date" else analysis.unbounded(question), quote
    ):
        # A year a follow-up borrowed places it, but does not rule out the date it asks
        # for ("when did he take office?" after a question about 2025).
        return 0.0
    if kind == "person" and _reversed(question.text, quote):
        return 0.0
    if kind == "person":
        # The office asked for is the first the question names: "the ambassador who
        # handed the request to the Secretary General" asks for an ambassador.
        roles, said = _asked_roles(question), _roles(quote)
        # "On 16 November 2022, Mateusz Morawiecki said ..." answers "Which prime
        # minister ...?" when another passage calls him Prime Minister.
        said |= {r for f in found for r in titles.get(text.fold(f).split()[-1], ())}
        if roles and not roles & said:
            return 0.0
        if found:
            return 1.0
        # 'Who chairs the Council?' may be answered by an office, not a name; 'what is the
        # name of the ambassador' may not.
        return 0.6 if said - roles and not _NAME_ASKED.search(question.text) else 0.0
    if kind in ("money", "time"):
        return float(bool(found))
    if kind == "name" and question.kind != "list" and found:
        # "Which operation ...?" is best answered by a name that says it is one.
        thing = analysis.thing_asked(question.text)
        return 1.0 if not thing or any(_is_a(f, thing, context or quote) for f in found) else 0.6
    if kind in ("place", "organisation", "name"):
        return min(1.0, len(found) / 2) if question.kind == "list" else float(bool(found))
    if kind == "date":
        if not found:
            # The model may read "the morning of 23 September 2025" as a time of day.
            asked = text.fold(question.text)
            new = [d for d in text.date_mentions(quote) if text.fold(d) not in asked]
            return 1.0 if any(text.has_full_date(d) for d in new) else 0.0
        return 1.0 if text.has_full_date(quote) or text.years(" ".join(found)) else 0.6
    if kind == "number":
        if any(text.counts_of(n, quote) for n in text.counted_nouns(question.focus)):
            return 1.0
        return 0.6 if text.has_number(quote) else 0.0
    if kind == "duration":
        return 1.0 if text.durations(quote) or text.ranges(quote) else 0.0
    if kind == "reason":
        # "because", "in response to" give a cause; "after", "following" may only date.
        if _CAUSE_STATED.search(quote):
            return 1.0
        return 0.6 if _CAUSAL.search(quote) else 0.0
    if kind == "statement":
        if not _SAYS.search(quote):
            return 0.2
        # Said by whom the question asks of: 'Russia denied ...' for 'What did Moscow say?'
        who = text.fold(analysis.speaker(question.text))[:4]
        # The speaker comes before the verb of saying; the allies speak through the
        # Council and as NATO.
        speaking = _ALLIES if who in _ALLIES else (who,)
        before = [
            text.fold(" ".join(quote[: m.start()].split()[-8:])) for m in _SAYS.finditer(quote)
        ]
        return 1.0 if not who or any(w in b for w in speaking for b in before) else 0.5
    if kind == "outcome":
        if re.search(r"\b(could|would|might|may)\b", quote, re.I):
            return 0.3  # what could follow did not follow
        # "..., even though NATO had already deployed air defences" tells of before.
        if _OUTCOME_HEADING.search(_context(context).rpartition("›")[2]):
            # The source files the sentence under what came of the event.
            return 1.0
        stated = [
            m
            for m in _OUTCOME_STATED.finditer(quote)
            if not _EARLIER.search(" ".join(quote[: m.start()].split()[-4:]))
        ]
        return 0.8 if stated else 0.2
    if kind == "definition" and question.manner:
        # "How does the Council make decisions?": a manner of deciding, not any manner.
        told = not text.term_set(quote).isdisjoint(question.manner)
        return 1.0 if told and _MANNER.search(quote) else 0.5
    return 0.5


_RELATION_ASKED = re.compile(
    r"\b(?P<r>predecessor|successor) of (?:\w+ )?(?P<n>\w+)"
    r"|\b(?P<n2>\w+)['’]s (?P<r2>predecessor|successor)\b",
    re.IGNORECASE,
)


def _reversed(question: str, sentence: str) -> bool:
    """True when the sentence holds the asked relation the other way round: "Who was the
    predecessor of Stoltenberg?" (or "Stoltenberg's predecessor") is not answered by
    "Stoltenberg was the predecessor of Rutte" or "Rutte took office, succeeding
    Stoltenberg"."""
    asked = _RELATION_ASKED.search(question)
    if asked is None:
        return False
    relation = (asked.group("r") or asked.group("r2")).lower()
    name = re.escape(asked.group("n") or asked.group("n2"))
    holds = re.search(rf"\b{name}\b[^.;]*?\b(?:was|is|as) the {relation} of\b", sentence, re.I)
    if relation == "predecessor":
        other = re.search(rf"\bsucceed(?:s|ed|ing)\s+(?:\w+\s+)?{name}\b", sentence, re.I)
    else:
        other = re.search(rf"\b{name}\b[^.;]*?\bsucceed(?:s|ed|ing)\s+(?!by\b)", sentence, re.I)
    return bool(holds or other)


def _date_bounds(question: Question) -> str:
    """The question's own words, as far as they bound the date asked for: "When did NATO
    decide after the 11 September 2001 attacks?" names another day, which the answer is
    not."""
    own = own_words(question.text)
    for day in [d for d in text.date_mentions(own) if text.has_full_date(d)]:
        own = own.replace(day, " ")
    return own


def missing_names(question: Question, passages: Sequence[Passage], own: str) -> list[str]:
    """The question's own names and years that no passage mentions.

    A question about 2030 or about FIFA is not answered by passages about 2025 and NATO,
    however close they are in meaning.
    """
    haystack = text.fold(" ".join(p.text for p in passages))
    present = set(text.words(haystack)) | {text.stem(w) for w in text.words(haystack)}
    own_folded = text.fold(analysis.spell_out(own))
    missing = []
    nationalities = {e.text for e in question.entities if e.label == "NORP"}
    for name in [*question.names, *question.years]:
        if name in nationalities:
            continue  # "an American general": a description, not the subject
        name = text.fold(re.sub(r"['’]s$", "", name)).removeprefix("the ")
        if name not in own_folded or name in haystack:
            continue
        state = analysis.CAPITALS.get(name)
        if state and text.fold(state).removeprefix("the ") in haystack:
            continue  # "Warsaw asked ..." is about Poland
        articles = re.findall(r"\barticles? \d+\b", name)
        if any(not re.search(rf"\b{a}\b", haystack) for a in articles):
            missing.append(name)  # "Article 50" is not "Article 5" and a stray "50"
            continue
        # Words meet by stem too: "Patriots" is named by "Patriot".
        parts = [w for w in text.words(name) if w not in text.STOPWORDS]
        parts = [w if w in present else text.stem(w) for w in parts]
        # A long name may be paraphrased ("Supreme Allied Commander Europe"): half will do.
        if len(parts) > 1 and sum(p in present for p in parts) * 2 >= len(parts):
            continue
        if parts and all(p in present for p in parts):
            continue
        missing.append(name)
    return missing


def _is_a(name: str, thing: str, context: str) -> bool:
    """True when the name is said to be a thing of that kind: "Operation Display
    Deterrence", "NATO's Eastern Sentry activity", "Eastern Sentry is a NATO military
    activity"."""
    folded, said = text.fold(name), text.fold(context)
    # An activity asked for may be called an operation or a mission.
    kind = thing if thing == "thing" else analysis.THING_NOUNS
    if re.search(rf"\b{kind}\b", folded):
        return True
    name_ = re.escape(folded)
    return bool(re.search(rf"\b{name_}\b(?: (?:is|was) an?)?(?: [\w-]+){{0,3}} {kind}\b", said))


class ExtractiveGenerator:
    """Composes a short answer from retrieved sentences, each ending with its [n]."""

    name = "extractive"

    def __init__(
        self,
        idf: Callable[[str], float],
        vectors: VectorCache,
        min_evidence: float | None = None,
    ) -> None:
        self.idf = idf
        self.vectors = vectors
        models = scoring.load()
        self.sentence = models["sentence"]
        self.answerable = models["answerable"]
        self.min_evidence = self.answerable.threshold if min_evidence is None else min_evidence

    # ----- scoring -------------------------------------------------------------------------
    def candidates(self, question: Question, passages: Sequence[Passage]) -> list[Candidate]:
        """Every sentence of the passages, described and scored, best first."""
        spans: list[tuple[int, Passage, int, str]] = []
        seen: set[str] = set()
        for rank, passage in enumerate(passages):
            offset = body_offset(passage.text)
            for i, (s, e) in enumerate(text.sentences(passage.text[offset:])):
                quote = passage.text[offset + s : offset + e]
                if quote not in seen and len(quote.split()) >= 4:
                    seen.add(quote)
                    spans.append((rank, passage, offset + s if i else -(offset + s) - 1, quote))
        if not spans:
            return []
        q_terms = set(text.terms(question.text))
        q_pairs = text.bigrams(question.text)
        # What a follow-up borrowed from earlier turns places the question; its own
        # words say what it asks, and weigh more.
        own = text.term_set(own_words(question.text))
        # A date question asks for the date: a year it borrowed is no evidence.
        own_years = [y for y in question.years if y in own or question.kind != "date"]
        weights = {t: self.idf(t) * (1.0 if t in own else BORROWED_WEIGHT) for t in q_terms}
        total = sum(weights.values()) or 1.0
        top_dense = max((p.dense for p in passages), default=0.0) or 1.0
        names = [text.fold(n) for n in question.names]
        wanted = question.wanted or frozenset({"DATE"} if question.kind == "date" else ())
        q_vec = np.asarray(self.vectors.query(question.text))
        sims = np.asarray(self.vectors.documents([quote for *_, quote in spans])) @ q_vec
        last_rank = max(1, len(passages) - 1)
        # Each passage's entities, read once: every sentence of it takes its own.
        entities = [_entities(p) for p in passages]
        titles = _titles(passages, entities)
        # "What did Tusk say ...?" is answered by what he is reported to have said.
        reported = bool(text.REPORTED.search(own_words(question.text)))
        # What came of an event is told under the event's own title ("Estonia's
        # request › The outcome"), often without naming it again: read with each sentence.
        titles_said = (
            [" " + text.fold(_context(p.text)) for p in passages]
            if question.kind == "outcome"
            else ["" for _ in passages]
        )
        found: list[Candidate] = []
        for (rank, passage, start, quote), semantic in zip(spans, sims.tolist(), strict=True):
            opening = start < 0
            start = -start - 1 if opening else start
            ents = tuple(
                e for e in entities[rank] if e.start >= start and e.end <= start + len(quote)
            )
            s_terms = text.base_terms(quote)
            folded = text.fold(quote)
            told = folded + titles_said[rank]
            cand = Candidate(passage, quote, start, ents, {}, 0.0)
            features = {
                "overlap": sum(w for t, w in weights.items() if text.base_term(t) in s_terms)
                / total,
                "phrase": len(q_pairs & text.bigrams(quote)) / max(1, len(q_pairs)),
                "semantic": max(0.0, float(semantic)),
                "relevance": min(1.0, passage.score),
                "dense": max(0.0, passage.dense) / top_dense,
                "type_match": type_match(
                    question, quote, cand.named(wanted, question), passage.text, titles
                ),
                "entity_cover": (sum(_covers(n, told) for n in names) / len(names))
                if names
                else 0.5,
                "year_match": float(any(y in quote for y in own_years)) if own_years else 0.5,
                "opening": float(opening),
                "long": float(len(quote.split()) > 45),
                "hedged": hedged(quote, reported),
                "rank": rank / last_rank,
            }
            score = self.sentence.probability(features)
            found.append(dataclasses.replace(cand, features=features, score=score))
        return sorted(found, key=lambda c: -c.score)

    def evidence(self, question: Question, ranked: Sequence[Candidate], own: str) -> float:
        """The probability that the passages answer the question."""
        return self.answerable.probability(self.evidence_features(question, ranked, own))

    def evidence_features(
        self, question: Question, ranked: Sequence[Candidate], own: str
    ) -> dict[str, float]:
        """What describes the best evidence for the question (scoring.ANSWERABLE_FEATURES)."""
        best = ranked[0]
        good = [c for c in ranked if c.score >= 0.6 * best.score]
        names = question.names
        return {
            "best": best.score,
            "overlap": best.features["overlap"],
            "semantic": best.features["semantic"],
            "dense": max(c.passage.dense for c in ranked),
            "type_found": max(c.features["type_match"] for c in good),
            "names_found": 1.0
            if not names
            else 1.0 - len(missing_names(question, [best.passage], own)) / len(names),
            "entity_cover": best.features["entity_cover"],
            "margin": best.score - (ranked[1].score if len(ranked) > 1 else 0.0),
        }

    # ----- answering -----------------------------------------------------------------------
    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn] = (),
        search: Search | None = None,
    ) -> Draft:
        """Answers from the passages, or refuses when they do not answer the question.

        `search` looks further when the question needs it: a two-step question's inner
        event, a list's items in other documents, another source's figure for a count.
        """
        own = own_words(question)
        q = analysis.analyse(question)
        if not analysis.is_english(own):
            return refusal(NOT_ENGLISH)
        if speculation := analysis.speculative(own):
            return refusal(SPECULATIVE[speculation])
        if missing_names(q, passages, own):
            return refusal()
        if q.relative and search is not None:
            placed = self._relative(q, search)
            if placed is not None:
                return placed
        if q.interval and search is not None:
            between = self._between(q, search)
            if between is not None:
                return between
        if q.options and search is not None:
            chosen = self._chosen(q, search)
            if chosen is not None:
                return chosen
        if q.kind == "yes-no" and (done := analysis.did_anything(q.text)):
            # "Did NATO do anything after ...?": yes, and what it did, when the sources
            # tell what came of it; nothing found is no "no".
            outcome = self.generate(done, passages, (), search)
            if outcome.refused:
                return outcome
            return dataclasses.replace(outcome, answer="Yes. " + outcome.answer)
        if q.kind == "yes-no" and search is not None and (among := analysis.membership(q.text)):
            member = self._member(*among, search)
            if member is not None:
                return member
        if q.inner and q.kind not in ("list", "comparison") and search is not None:
            return self._two_step(q, passages, search, own)
        if q.bridge and search is not None:
            bridged = self._bridged(q, search)
            if bridged is not None:
                return bridged
        wide = q.kind in ("list", "outcome") or q.order or (q.kind == "definition" and q.names)
        if wide and search:
            # Lists gather items, "first" or "current" compares dates, "what is X" looks
            # for the sentence that defines X, and what followed an event is often told
            # in another document than the event: across more documents than an answer's
            # passages.
            passages = _merged(passages, search(q.text, 16))
        if q.kind == "outcome" and (q.names or q.years) and search:
            # What came of an event is told under its own heading ("The outcome", "NATO's
            # response to ..."), which the question's account of the event does not find.
            passages = _merged(passages, search(_outcome_query(q), 16))
        if q.kind == "definition" and q.names and not q.manner and search:
            # The name alone finds the passages about it, where its definition is, when
            # the question's other words ("what is ... of NATO") find every passage.
            passages = _merged(passages, search(compose.defined(q), 16))
        if q.occasions and search is not None:
            q = dataclasses.replace(q, sides=self._occasions(q, search))
        ranked = self.candidates(q, passages)
        linked = compose.linked_by(q)
        # "Who did he make the decision with?": when no sentence found puts a name after
        # "with", one further down the search may.
        if (
            linked is not None
            and search is not None
            and not any(any(map(linked(c.quote), c.named(q.wanted, q))) for c in ranked[:10])
        ):
            passages = _merged(passages, search(q.text, 16))
            ranked = self.candidates(q, passages)
        if q.kind == "comparison" and len(q.sides) >= 2 and search is not None and ranked:
            per_side, answered = self._sides(q, passages, search)
            # Evidence is weighed for the question as a whole, or else for each side:
            # every side answered on its own answers the comparison.
            if self._answers(q, ranked, own) or all(answered):
                return compose.answer(q, ranked, per_side=per_side)
            return refusal()
        if not ranked or not self._answers(q, ranked, own):
            held = self._office_then(q, own, search) if search is not None else None
            return held or refusal()
        if q.kind in ("number", "yes-no") and search is not None:
            ranked = _merged_candidates(ranked, self.candidates(q, search(q.text, 30)))
        if search is not None and (held := self._holder(q, ranked, search)):
            return held
        return compose.answer(q, ranked)

    def _member(self, who: str, asked: str, search: Search) -> Draft | None:
        """Whether `who` is among the items that the list question `asked` finds: yes or
        no before the list itself; None when there is no list of two or more to tell."""
        lq = analysis.analyse(asked)
        if lq.kind != "list":
            return None
        # The list as asked on its own: the passages found for the name asked about
        # would rank its own sentences ("Turkey made 5 requests ...") into the list.
        ranked = self.candidates(lq, search(lq.text, 16))
        if not ranked or not self._answers(lq, ranked, asked):
            return None
        listed = compose.answer(lq, ranked)
        line = listed.answer.split(" [", 1)[0]
        inside = compose.mentions(line, who)
        if listed.refused or (not inside and len(re.findall(r", | and ", line)) < 2):
            return None
        return dataclasses.replace(listed, answer=("Yes. " if inside else "No. ") + listed.answer)

    def _sides(
        self, q: Question, passages: Sequence[Passage], search: Search
    ) -> tuple[list[list[Candidate]], list[bool]]:
        """Each side of a comparison ranked on its own (the question without the other
        side), and whether the evidence answers each side."""
        out = []
        answered = []
        parts = analysis.asked_parts(q.text)
        sides = q.compared
        for side in sides:
            # Dated occasions are not in the question's words: each is asked with its date.
            asked = q.text if side in q.text else f"{q.text} ({side})"
            for other in sides:
                if other != side:
                    asked = re.sub(rf"\b{re.escape(other)}\b", "", asked)
            # What is asked of each side: "what prompted ..." is a reason, "in which year
            # did each join" a date; "how do they differ" asks for anything about it.
            # "Who ... for Poland's request, and who ... for Turkey's?" asks each its own.
            own = [p for p in parts if side in p]
            side_q = analysis.analyse(analysis.uncompared(asked))
            if len(parts) == 2 and len(own) == 1:
                # "..., and which announced Estonia's?" asks what the first part asks.
                kinds = [analysis.analyse(analysis.uncompared(p)) for p in (own[0], parts[0])]
                side_q = next((k for k in kinds if k.kind not in _VAGUE), side_q)
            if side_q.kind in ("comparison", "list", "yes-no"):
                side_q = dataclasses.replace(side_q, kind="other", target="")
            if side_q.kind in ("other", "definition") and _RESPONSE_ASKED.search(q.text):
                # "How did NATO's response differ between ...?": what came of each.
                side_q = dataclasses.replace(side_q, kind="outcome", target="")
            if (
                side_q.kind in ("other", "definition")
                and _EVENTS.search(q.text)
                and not re.search(r"\b(figures?|numbers?|counts?|totals?)\b", q.text, re.I)
            ):
                # Two requests or incidents differ first in what set them off.
                side_q = dataclasses.replace(side_q, kind="reason", target="")
            pool = _merged(passages, search(asked, 8))
            if side_q.kind == "outcome":
                pool = _merged(pool, search(f"{side} {_outcome_query(side_q)}", 8))
            folded = text.fold(side)
            ranked = [c for c in self.candidates(side_q, pool) if folded in text.fold(c.quote)]
            out.append(ranked)
            answered.append(bool(ranked) and self._answers(side_q, ranked, asked))
        return out, answered

    def _occasions(self, q: Question, search: Search) -> tuple[str, ...]:
        """The months of the occasions a comparison of one subject's occasions means
        ("Turkey's two 2012 requests" -> "June 2012", "October 2012"): those its sources
        date most often, in the question's years, oldest first."""
        dating = dataclasses.replace(q, kind="date", target="", sides=(), occasions=False)
        ranked = self.candidates(dating, search(q.text, 16))
        best = ranked[0].score if ranked else 0.0
        subjects = [text.fold(s) for s in q.subjects]
        # A sentence dates one of the occasions when it tells their act: "requests" are
        # told as requested, invoked or asked for.
        noun = _EVENTS.search(q.text)
        acts = (
            set(text.same_act(text.base_term(text.stem(noun.group(1).lower())))) if noun else set()
        )
        months: Counter[int] = Counter()
        for cand in ranked[:20]:
            folded = text.fold(cand.quote)
            if cand.score < 0.3 * best or cand.features["hedged"] >= 0.4:
                continue
            if compose.negates(cand.quote):
                continue  # "... made no Article 4 request in November 2021"
            if not all(_covers(s, folded) for s in subjects):
                continue
            if len(acts) > 1 and not acts & text.base_terms(cand.quote):
                continue
            for d in {d for d, _ in text.dates_at(cand.quote)}:
                if d % 10000 and (not q.years or str(d // 10000) in q.years):
                    months[d // 100] += 1
        said = re.search(r"\b(two|twice|both|three|four|five)\b", q.text, re.I)
        word = said.group(1).lower() if said else "five"
        wanted = 2 if word in ("twice", "both") else text.NUMBER_WORDS[word]
        chosen = sorted(m for m, _ in months.most_common(wanted))
        return tuple(f"{dt.date(m // 100, m % 100, 1):%B %Y}" for m in chosen)

    def _answers(self, q: Question, ranked: Sequence[Candidate], own: str) -> bool:
        if self.evidence(q, ranked, own) < self.min_evidence:
            return False
        if q.kind in _STRICT or (q.kind == "list" and q.target):
            best = ranked[0].score
            return any(c.features["type_match"] >= 0.6 for c in ranked if c.score >= 0.5 * best)
        return True

    def _dated(
        self, event_text: str, search: Search, after: int = 0, before: int = 0
    ) -> tuple[Candidate, int] | None:
        """The sentence that dates an event as its sources state it (not as a source
        reports another's claim), and its date: the earliest it gives (from `after` on,
        when given), or the latest when the event is "the latest", made day-precise by
        another sentence about the same event when the first gives a year alone. None
        when no sentence dates it."""
        # Any sentence that dates the event will do, whatever verb it tells it with.
        asked = analysis.analyse(event_text)
        inner = dataclasses.replace(asked, kind="date", target="", act=())
        ranked = self.candidates(inner, search(event_text, 8))
        stated = [c for c in ranked if not c.features["hedged"]] or ranked
        if after:
            # "How long after the airstrike did the meeting take place?": the first such
            # event after it, among sentences not far below the best.
            later = {id(c): _later(c.quote, after, _act_of(event_text, asked)) for c in stated}
            stated = [c for c in stated if later[id(c)] and c.score >= 0.3 * stated[0].score]
            stated.sort(key=lambda c: later[id(c)])
        if not stated:
            return None
        if before:
            # "How many days after the meeting on Poland's request was Eastern Sentry
            # announced?": of an event that recurs, the occasion last before the other,
            # told by a sentence that names as much of the event as the best do.
            near = [c for c in stated if c.score >= 0.3 * stated[0].score]
            cover = max(c.features["entity_cover"] for c in near)
            sides = [
                (max(ds), c)
                for c in near
                if c.features["type_match"] >= 0.6 and c.features["entity_cover"] >= cover
                if (ds := [d for d in _near_names(inner, c.quote) if d < before])
            ]
            if not sides:
                return None
            date, last = max(sides, key=lambda x: (x[0], x[1].score))
            return last, date
        event = stated[0] if after else compose.pick(inner, stated)
        dates = [
            d
            for d in _near_names(inner, event.quote)
            if (not inner.years or str(d // 10000) in inner.years) and d > after
        ]
        if not dates or event.features["type_match"] < 0.6:
            return None
        when = min(dates) if inner.order != "latest" else max(dates)
        if when % 10000 == 0:
            for cand in stated:
                days = [
                    d
                    for d in text.date_values(cand.quote)
                    if d // 10000 == when // 10000 and d % 100
                ]
                if days and cand.features["entity_cover"] >= event.features["entity_cover"]:
                    return event, min(days)
        return event, when

    def _relative(self, q: Question, search: Search) -> Draft | None:
        """'Before Poland's request in March 2014, when had Article 4 last been used?':
        date the event, then answer with the nearest occasion on the asked side of it.
        None when the event cannot be dated or nothing lies on that side."""
        if not q.relative:
            return None
        way, event_text = q.relative
        found = self._dated(event_text, search)
        if found is None:
            return None
        event, when = found
        asked = " ".join(q.text.replace(event_text, " ").split())
        outer = dataclasses.replace(analysis.analyse(asked), order="", relative=())
        ranked = self.candidates(outer, _merged(search(asked, 16), search(q.text, 16)))
        if not ranked:
            return None
        # Occasions are told in many wordings: look well down the ranking.
        floor = 0.15 * ranked[0].score
        before = way == "before"
        sided = [
            (d, mention, c)
            for c in ranked
            # "X made no request in November 2021" is no occasion.
            if c.score >= floor and not c.features["hedged"] and not compose.negates(c.quote)
            for mention in text.event_dates(c.quote)
            for d in text.date_values(mention)[:1]
            if _on_side(d, when, before)
        ]
        if not sided:
            return None
        # The nearest year on that side, then its most precise date nearest the event.
        year = (max if before else min)(d // 10000 for d, _, _ in sided)
        near = [x for x in sided if x[0] // 10000 == year]
        _, mention, lead = max(
            near, key=lambda x: (bool(x[0] % 10000), x[0] if before else -x[0], x[2].score)
        )
        sources = compose.Sources()
        parts = [mention[0].upper() + mention[1:] + ".", sources.sentence(lead)]
        parts.append(sources.sentence(event))
        return sources.draft(parts)

    def _between(self, q: Question, search: Search) -> Draft | None:
        """'How many years passed between X and Y?': date each event, then say the time
        between the dates, with the sentence that dates each. None when either event
        cannot be dated, the dates come in the other order than the question says, both
        date to the same day, or the dates are too vague for the unit asked."""
        if not q.interval:
            return None
        unit, first, second, ordered = q.interval
        began = self._dated(first, search)
        if began is None:
            return None
        ended = self._dated(second, search)
        if ended is not None and ended[0].quote == began[0].quote:
            ended = None  # "between the incursion and the meeting on it": another sentence
        # The second event placed by the first's names and years: "the meeting on it"
        # after "Syria downing the Turkish jet in 2012" is searched as a meeting of 2012.
        placed = analysis.analyse(first)
        tied = f"{second} ({', '.join([*placed.names, *placed.years])})"
        if (ordered or ended is None) and (ended is None or ended[1] <= began[1]):
            # "How long after the airstrike did the meeting take place?": not any meeting,
            # but the first found beside the airstrike that followed it.
            ended = self._dated(
                f"{second} after {first}" if ordered else tied, search, after=began[1]
            )
        if ended is None:
            return None
        (one, start), (other, end) = began, ended
        if start < end and not (placed.order or placed.years):
            # An event said without its date or its place in a series is the occasion
            # nearest the other event, not the first of its kind.
            # Occasions a year or more apart, not a day's difference in telling one.
            nearer = self._dated(first, search, before=end)
            if nearer is not None and nearer[1] // 10000 > start // 10000:
                one, start = nearer
        recurs = analysis.analyse(second)
        if (
            start < end
            and _ON_IT.search(second)
            and not (recurs.order or recurs.years)
            and _act_of(second, recurs)
        ):
            # And "the meeting on it": the meeting first after the event it is on, when
            # the question tells what happened (a meeting, not "that").
            nearer = self._dated(tied, search, after=start)
            if nearer is not None and nearer[1] // 10000 < end // 10000:
                other, end = nearer
        if ordered and start > end:
            return None  # "How long after X did Y?" with Y dated before X: a wrong event
        said = text.elapsed(start, end, unit) if start != end else None
        if said is None:
            return None
        return _led(said[0].upper() + said[1:] + ".", one, other)

    def _chosen(self, q: Question, search: Search) -> Draft | None:
        """'Which country joined NATO earlier, Greece or Spain?': date each name's event,
        then name the earlier (or the later), with the sentence that dates each. None when
        either cannot be dated by a sentence that names it, or both date to the same day."""
        found = []
        for name, event in q.options:
            dated = self._dated(event, search)
            if dated is None or not compose.mentions(dated[0].quote, name):
                return None
            found.append((name, *dated))
        (one, first, when), (other, second, then) = found
        if when == then:
            return None
        name = one if (when > then) == (q.order == "latest") else other
        return _led(f"{name}.", first, second)

    def _bridged(self, q: Question, search: Search) -> Draft | None:
        """'The NATO chief who unveiled Eastern Sentry used to be prime minister of which
        country?': name the described subject first, then answer the question about the
        name. None when the subject cannot be named."""
        if not q.bridge:
            return None
        described, asked = q.bridge
        inner = analysis.analyse(asked)
        ranked = self.candidates(inner, search(asked, 8))
        if not ranked or not self._answers(inner, ranked, asked):
            return None
        event = compose.pick(inner, ranked)
        name = compose.span(inner, event)
        if not name:
            placed = self._occasion(described, search)
            if placed is None:
                return None
            name, event = placed
        outer = analysis.analyse(q.text.replace(described, name))
        dates = text.date_mentions(described)
        if dates and outer.kind == "person" and analysis.ROLE_NOUNS.search(outer.text):
            # An office asked of the named subject is held at the description's time:
            # "the prime minister of the country whose airspace drones violated in
            # September 2025" is Poland's as of then.
            named = f"{name} ({', '.join(dates)})"
            outer = analysis.analyse(q.text.replace(described, named))
        ranked = self.candidates(outer, search(outer.text, 8))
        if not ranked or not self._answers(outer, ranked, outer.text):
            return None
        # The described subject's date is when an office asked of it was held: "Who
        # presided over the session that followed ...?" is asked of that session's day.
        dated = [d for d, _ in text.dates_at(event.quote)]
        at = min(dated) if dated and dated[0] % 100 else None
        held = self._holder(outer, ranked, search, at=at)
        return held or compose.answer(outer, ranked, event=event)

    def _occasion(self, described: str, search: Search) -> tuple[str, Candidate] | None:
        """A described occasion that no name answers, told by the state and the date of
        the best sentence that places it in the count as the description does: "the
        incident that led to the third invocation" -> "the incident (Turkey, October
        2012)", with that sentence. None when the description counts nothing or no
        sentence places it."""
        head = re.match(_OCCASION_HEAD, described, re.IGNORECASE)
        counted = re.search(rf"\bthe\s+(?:\w+\s+)?({'|'.join(text.ORDINALS)})\b.*", described)
        if not head or not counted:
            return None
        occasion = analysis.analyse(counted.group())
        for cand in self.candidates(occasion, search(counted.group(), 24)):
            states = [
                e.text
                for e in cand.entities
                if e.label in ("GPE", "NORP")
                and text.fold(e.text).removeprefix("the ") in analysis.STATES
            ]
            dates = text.date_mentions(cand.quote)
            # "Poland's third request" counts Poland's, not all: a place in the count
            # the description gives without an owner is not one of an owner's.
            owned = re.search(rf"['’]s\s+{counted.group(1)}\b", cand.quote, re.I)
            if states and dates and counted.group(1) in text.words(cand.quote.lower()):
                if owned and not re.search(r"['’]s\s", counted.group()):
                    continue
                return f"the {head.group(1)} ({states[0]}, {dates[0]})", cand
        return None

    def _office_then(self, q: Question, own: str, search: Search) -> Draft | None:
        """'Who was chairing the council back then (Poland, 4 March 2014)?': the office a
        follow-up's own words ask about, named by its holder on the day it borrowed. None
        unless it is such a follow-up and the office is found."""
        dated = [d for d in text.date_values(q.text) if d % 100]
        if q.kind != "person" or own == q.text or len(set(dated)) != 1:
            return None
        ranked = self.candidates(q, search(own, 8))
        return self._holder(q, ranked, search, at=dated[0]) if ranked else None

    def _holder(
        self, q: Question, ranked: Sequence[Candidate], search: Search, at: int | None = None
    ) -> Draft | None:
        """'Who chaired the meeting held after the drones?' answered by an office ("The
        Secretary General chairs the Council"): name who held the office when the event
        took place, with the office's sentence after. None when the best sentence names
        a person, is not about an office, or no one is found in the office at that date."""
        if q.kind != "person" or not (q.past or q.years) or _NAME_ASKED.search(q.text):
            return None  # "Who chairs the Council?" is answered by the office
        lead = compose.pick(q, ranked)
        office = _ROLES.search(lead.quote)
        # The office is what the sentence is about (its first words), and no one is named.
        if office is None or len(lead.quote[: office.start()].split()) > 2:
            return None
        # "Which minister briefed ...?" is not answered by SACEUR; "Who chaired ...?" is
        # by whichever office chairs.
        wanted = _asked_roles(q) - {"chair"}
        if wanted and not wanted & _roles(office.group()):
            return None
        if any(e.label == "PERSON" for e in lead.entities) or lead.named(
            frozenset({"GPE", "NORP"}), q
        ):
            # A person holds the office, or a state the question does not name answers:
            # "Turkey's foreign minister ..."
            return None
        dates = [at] if at else text.date_values(lead.quote)
        found = None if dates else self._dated(q.text, search)
        when = min(dates) if dates else found[1] if found else None
        if not when:
            return None
        asked = f"Who was the {office.group()} {text.spoken_date(when)}?"
        outer = dataclasses.replace(analysis.analyse(asked), years=(str(when // 10000),))
        roles = _roles(office.group())
        held = [
            c
            for c in self.candidates(outer, search(asked, 8))
            if c.features["type_match"] >= 1.0
            and roles <= _roles(c.quote)
            and c.named(frozenset({"PERSON"}), outer)
        ]
        if not held:
            return None
        # The person first, then what the question asked them of, then who held the
        # office: "Alexus G. Grynkewich. SACEUR briefed ... [1]. In 2025, SACEUR was ...".
        holder = compose.pick(outer, held, when)
        name = compose.span(outer, holder)
        if not name:
            return None
        sources = compose.Sources()
        return sources.draft([f"{name}.", sources.sentence(lead), sources.sentence(holder)])

    def _two_step(
        self, q: Question, passages: Sequence[Passage], search: Search, own: str
    ) -> Draft:
        """'Who was Secretary General when Poland first invoked Article 4?': find when the
        inner event happened, then answer the outer question at that date."""
        found = self._dated(q.inner, search)
        if found is None:
            return self._directly(q, passages, own)
        event, when = found
        outer_text = f"{q.outer} {text.spoken_date(when)}"
        outer = dataclasses.replace(
            analysis.analyse(outer_text), order="", years=(str(when // 10000),)
        )
        ranked = self.candidates(outer, _merged(search(outer_text, 8), passages))
        if not ranked or not self._answers(outer, ranked, own):
            # "Did anyone get hurt when the debris hit the house?": the passages on the
            # event may tell it whole, where the outer question alone finds nothing.
            return self._directly(q, passages, own) if q.kind == "yes-no" else refusal()
        held = self._holder(outer, ranked, search, at=when)
        return held or compose.answer(outer, ranked, at=when, event=event)

    def _directly(self, q: Question, passages: Sequence[Passage], own: str) -> Draft:
        """The question answered whole from its passages, or refused."""
        ranked = self.candidates(q, passages)
        if not ranked or not self._answers(q, ranked, own):
            return refusal()
        return compose.answer(q, ranked)


# The head of a described occasion: "the incident" of "the incident that led to ...".
_OCCASION_HEAD = (
    r"(?:the\s+)?((?:\w+\s+){0,2}?\w+?)\s+(?:"
    + "|".join(("that", "which", *analysis.OCCASION_PREPS))
    + r")\b"
)


def _led(lead: str, one: Candidate, other: Candidate) -> Draft:
    """A direct answer worked out from two sentences, then each sentence cited (once, when
    both are the same)."""
    sources = compose.Sources()
    cited = [one] if one.quote == other.quote else [one, other]
    return sources.draft([lead, *(sources.sentence(c) for c in cited)])


# A comparison of what came of two events: "How did NATO's response differ ...?"
_RESPONSE_ASKED = re.compile(
    r"\b(?:respon(?:se|ses|ded|d)|reactions?|outcomes?|results?)\b|\bwhat (?:\w+ ){1,3}did after\b",
    re.I,
)


# An event told by the one before it: "the meeting on it", "the statement about that".
_ON_IT = re.compile(r"\b(?:on|about|over|after|to|for|of) (?:it|that|this|them)\b", re.I)


def _act_of(event: str, asked: Question) -> tuple[str, ...]:
    """The act an event is told by: its verb, or the first noun that names one ("the
    meeting on it")."""
    return asked.act or next(
        (
            acts
            for w in text.words(event)
            if len(acts := text.same_act(text.base_term(text.stem(w)))) > 1
        ),
        (),
    )


def _later(sentence: str, after: int, act: Sequence[str] = ()) -> int:
    """The date a sentence gives for what happened after `after`, else 0: the one nearest
    the words that tell the act when it names the act ("NATO announced on 24 June that
    the Council would meet on 26 June" dates the meeting), else the earliest."""
    found = [(d, at) for d, at in text.dates_at(sentence) if d > after]
    told = [m.start() for m in re.finditer(r"[\w'’]+", sentence) if text.tells(m.group(), act)]
    if told and found:
        return min(found, key=lambda x: (min(abs(x[1] - t) for t in told), x[0]))[0]
    return min((d for d, _ in found), default=0)


# The alliance is named by its Council and its members as often as by its own name: a
# sentence on what "the North Atlantic Council agreed" is about NATO.
_ALLIANCE_FORMS = ("nato", "north atlantic council", "the alliance", "allies")


def _covers(name: str, folded: str) -> bool:
    """True when the folded sentence names the folded name, a state by its adjective or
    the other way round, or the alliance by another of its names."""
    if name == "nato":
        return any(form in folded for form in _ALLIANCE_FORMS)
    return any(form in folded for form in analysis.nation_forms(name))


def _near_names(q: Question, sentence: str) -> list[int]:
    """The dates a sentence gives, only those nearest the question's subjects (else its
    names) when it dates several: 'Spain joined NATO in 1982, and ... Poland joined in 1999' dates
    Poland's joining to 1999."""
    found = text.dates_at(sentence)
    places = [
        m.start()
        for name in q.subjects or q.names
        for m in re.finditer(rf"\b{re.escape(name)}\b", sentence, re.IGNORECASE)
    ]
    if not places or len({d for d, _ in found}) < 2:
        return [d for d, _ in found]
    gap: dict[int, int] = {}
    for d, at in found:
        gap[d] = min(gap.get(d, len(sentence)), *(abs(at - p) for p in places))
    nearest = min(gap.values())
    return [d for d, _ in found if gap[d] == nearest]


def _on_side(day: int, when: int, before: bool) -> bool:
    """True when a date (YYYYMMDD, zeros where vague) lies before, or after, the event's
    date in another month; a year alone only when the whole year does ('2014' is not
    before March 2014)."""
    if day // 100 == when // 100:
        return False
    if day % 10000 == 0:
        return day // 10000 < when // 10000 if before else day // 10000 > when // 10000
    return day < when if before else day > when


def _titles(
    passages: Sequence[Passage], entities: Sequence[Sequence[Entity]]
) -> dict[str, frozenset[str]]:
    """The offices the passages give people in front of their names ('Polish Prime
    Minister Mateusz Morawiecki'), by each person's folded last name; entities holds each
    passage's entities."""
    out: dict[str, set[str]] = {}
    for passage, found in zip(passages, entities, strict=True):
        for e in found:
            if e.label == "PERSON":
                before = " ".join(passage.text[max(0, e.start - 60) : e.start].split()[-4:])
                last = [m for m in _ROLES.finditer(before)][-1:]
                # The office must stand right before the name: "met X and SACEUR Y".
                if last and last[0].end() == len(before) and text.words(e.text):
                    held = _roles(before[: last[0].end()])
                    out.setdefault(text.fold(e.text).split()[-1], set()).update(held)
    return {name: frozenset(roles) for name, roles in out.items()}


def _entities(passage: Passage) -> tuple[Entity, ...]:
    found = passage.entities if passage.entities is not None else analysis.parse_chunk(passage.text)
    return tuple(_retitled(e) for e in found)


# Offices before a name, one or more: "SACEUR General", "Polish Prime Minister".
_TITLES = re.compile(rf"^(?:(?:{_ROLES.pattern})\s+)+(?=[A-Z])", re.IGNORECASE)


def _retitled(e: Entity) -> Entity:
    """A person the model took, office and all, for a body ('SACEUR General Alexus
    Grynkewich' as an organisation): the name after the office, as a person."""
    if e.label == "PERSON":
        return e
    title = _TITLES.match(e.text)
    rest = e.text[title.end() :] if title else ""
    if not title or not re.fullmatch(r"[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){1,3}", rest):
        return e
    return Entity(rest, "PERSON", e.start + title.end(), e.end)


def _context(chunk_text: str) -> str:
    """A chunk's context line: 'Title › Heading'."""
    return chunk_text[: body_offset(chunk_text)]


def _outcome_query(q: Question) -> str:
    """A search for what followed the event a question names: its names and years, and
    the words the sources tell a response in."""
    return " ".join([*q.names, *q.years, "response", "outcome"])


def _merged(first: Sequence[Passage], more: Sequence[Passage]) -> list[Passage]:
    seen = {p.chunk_id for p in first}
    return [*first, *(p for p in more if p.chunk_id not in seen)]


def _merged_candidates(first: list[Candidate], more: list[Candidate]) -> list[Candidate]:
    seen = {c.quote for c in first}
    return sorted([*first, *(c for c in more if c.quote not in seen)], key=lambda c: -c.score)
