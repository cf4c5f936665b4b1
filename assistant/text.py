"""Small text helpers shared by retrieval and answering: tokens, sentences, numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

# Raised whenever `terms` would turn the same text into other terms: an index of terms
# written before then is rebuilt rather than searched with a vocabulary it does not share.
TERMS_VERSION = 4

STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been
    being do does did done has have had having it its this that these those there here
    what which who whom whose when where why how than then so such not no nor can could
    would should will shall may might must i you he she we they me him her us them my
    your his our their about into over under again further once any all each few more
    most other some own same too very just also only both up down out off s t don please
    tell know say said says whether one ever many much often country countries city type
    kind date day number make made become became happen happened
    """.split()
)

_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduces a lower-case word to a crude stem so 'invoked' meets 'invocation'."""
    # A plural or past form of a word in -y meets the word: allies ~ ally, denied ~ deny.
    if word[-3:] in ("ied", "ies") and len(word) >= 6:
        return word[:-3] + "y"
    for suffix, keep in (
        ("ations", 3),
        ("ation", 3),
        ("ings", 3),
        ("ing", 3),
        ("ed", 3),
        ("es", 4),
        ("ly", 4),
        ("s", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix == "ed" and word.endswith("ceed"):
                break  # succeed, proceed: the verb itself, as "succeeding" is
            word = word[: -len(suffix)]
            break
    # A noun made from a verb meets the verb: decision ~ decide, invasion ~ invade.
    word = re.sub(r"(?<=\w\w[aeiou])sion$", "d", word)
    if len(word) > 5 and word.endswith("ian"):
        word = word[:-1]  # Estonian ~ Estonia, Syrian ~ Syria
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 4 and word[-1] in "kc" and word[-2] in "aeiou":
        word = word[:-1]  # invok(e), invoc(ation) -> invo
    return word


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes kept inside words."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


# English irregular verbs, base then past forms: scoring meets "met" with "meet" and
# "held" with "hold", which stemming cannot. Forms that are also common words of another
# meaning ("left", "found", "saw") are left out.
_IRREGULAR = """
meet met; hold held; shoot shot; make made; take took taken; begin began begun; send sent;
lead led; strike struck stricken; fly flew flown; fight fought; say said; tell told;
give gave given; go went gone; come came; see seen; know knew known; bring brought;
buy bought; build built; lose lost; keep kept; spend spent; stand stood; win won;
write wrote written; break broke broken; choose chose chosen; speak spoke spoken;
rise rose risen; become became; run ran; sit sat; seek sought; think thought;
catch caught; feel felt; hear heard; get got gotten; grow grew grown; draw drew drawn;
drive drove driven; fall fell fallen; hide hid hidden; shake shook shaken; steal stole stolen;
withdraw withdrew withdrawn; undertake undertook undertaken; overtake overtook overtaken;
forbid forbade forbidden; freeze froze frozen; wear wore worn; teach taught; sell sold;
pay paid; lay laid; mean meant; shut shut; deal dealt; light lit; sweep swept; bear bore borne
"""
_BASE = {
    stem(form): stem(forms.split()[0])
    for forms in _IRREGULAR.replace("\n", " ").split(";")
    for form in forms.split()[1:]
}


# Verbs that tell the same act, so a question's verb meets the source's: "When did Poland
# invoke Article 4?" is answered by "Poland requested consultations on ...".
_SAME_ACT = """
invoke request ask call seek trigger; meet hold convene gather; join accede admit member;
enter cross violate intrude stray; respond react scramble; launch start begin establish;
chair preside head lead run; shoot down; kill die; say state tell declare announce
"""


def same_act(verb: str) -> tuple[str, ...]:
    """A stemmed verb with the stems of the verbs that tell the same act."""
    for group in _SAME_ACT.replace("\n", " ").split(";"):
        stems = tuple(base_term(stem(w)) for w in group.split())
        if verb in stems:
            return (verb, *(s for s in stems if s != verb))
    return (verb,)


def base_term(term: str) -> str:
    """A stemmed term with an irregular verb's past form taken to its base: 'met' -> 'meet'."""
    return _BASE.get(term, term)


@lru_cache(maxsize=16384)
def base_terms(text: str) -> frozenset[str]:
    """The distinct terms of a text with irregular past forms at their base."""
    return frozenset(base_term(t) for t in term_set(text))


def tells(words: str, acts: Iterable[str]) -> bool:
    """True when a word of the text tells one of the acts (stems from `same_act`), in any
    form that starts with the stem: "deployment" tells "deploy"."""
    return any(t.startswith(a) for t in base_terms(words) for a in acts)


@lru_cache(maxsize=16384)
def term_set(text: str) -> frozenset[str]:
    """The distinct terms of a text, remembered: answering compares the same sentences often."""
    return frozenset(terms(text))


def terms(text: str) -> list[str]:
    """Stemmed content words: the vocabulary BM25 and overlap scoring share."""
    out = []
    for w in words(text):
        w = w.removesuffix("'s")
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        out.append(stem(w))
    return out


_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr st gen lt col sgt no nos vs etc e.g i.e u.s u.k d.c a.m p.m jan feb mar
    apr jun jul aug sep sept oct nov dec fig approx
    """.split()
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|#+)\s+")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yields (start, end) spans of sentences; lines and list items end a sentence too."""
    for line in re.finditer(r"[^\n]+", text):
        offset = line.start()
        body = line.group()
        marker = _LIST_MARK.match(body)
        cursor = marker.end() if marker else 0
        for boundary in _BOUNDARY.finditer(body, cursor):
            before = body[cursor : boundary.start()].rstrip('.!?"”’)] ')
            last = before.rsplit(None, 1)[-1].lower() if before.split() else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue  # "D.C. Washington", "A. B. Smith": not an end
            yield from _span(body, cursor, boundary.start(), offset)
            cursor = boundary.end()
        yield from _span(body, cursor, len(body), offset)


def _span(body: str, start: int, end: int, offset: int) -> Iterator[tuple[int, int]]:
    """The stripped span body[start:end], as offsets into the whole text."""
    piece = body[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        yield offset + start + lead, offset + start + lead + len(piece.strip())


# A series of three or more: "the territorial integrity, political independence or security".
SERIES = re.compile(r"\w[^,.;:]*, [^,.;:]+,? (?:and|or) \w", re.IGNORECASE)
# Words that report a claim: 'NATO said that ...', 'according to Rutte'.
REPORTED = re.compile(r"\b(says?|said|wrote|claims?|according to|reports?|reported)\b", re.I)

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "twenty": 20,
    "thirty": 30,
    "once": 1,
    "twice": 2,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:[–-]\d{{1,2}})?\s+(?:{_MONTHS})(?:\s+\d{{4}})?|(?:{_MONTHS})\s+\d{{1,2}}(?:,\s*\d{{4}})?|(?:{_MONTHS})\s+\d{{4}}|(?:1[89]|20)\d\d)\b",
    re.IGNORECASE,
)
_DAY = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b(?!\d)", re.I)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
# "Article 4", "F-16s", "MiG-31": numbers that name things rather than count them.
_NOT_COUNTS = re.compile(r"\bArticles?\s+\d+(?:\s*(?:,|and)\s*\d+)*|\b\w+-\d+\w*", re.IGNORECASE)


def has_date(text: str) -> bool:
    """True when the text names a year or a day and month."""
    return bool(_DATE.search(text))


def years(text: str) -> list[str]:
    """The years a text names."""
    return _YEAR.findall(text)


def has_full_date(text: str) -> bool:
    """True when the text names a day and a month (a precise date)."""
    return bool(_DAY.search(text))


def counts(text: str) -> list[int]:
    """Numbers a sentence states as counts or ranks, in order, leaving out dates and years."""
    without_dates = _NOT_COUNTS.sub(" ", _DATE.sub(" ", text))
    found: list[int] = []
    for w in words(without_dates):
        if w.replace(",", "").isdigit():
            found.append(int(w.replace(",", "")))
        elif w in NUMBER_WORDS:
            found.append(NUMBER_WORDS[w])
    return found


@lru_cache(maxsize=16384)
def bigrams(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent word pairs (stemmed, stop words kept): phrase matches like 'been invoked'."""
    toks = [stem(w) for w in words(text) if w not in ("a", "an", "the")]
    return frozenset(itertools.pairwise(toks))


def has_number(text: str) -> bool:
    """True when the sentence states a count (digits or number words), dates aside."""
    return bool(counts(text))


def fold(text: str) -> str:
    """Lower case without accents, for matching names: 'Akçakale' meets 'Akcakale'."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def focus_noun(question: str) -> str | None:
    """What a count question counts: 'how many allies' -> 'allies'; 'how often' -> 'times'."""
    lowered = question.lower()
    if re.search(r"\bhow (often|frequently)\b|\bnumber of times\b", lowered):
        return "times"
    # "How many died?", "how many were hurt?": people, though no noun says so.
    if re.search(
        r"\bhow many (?:(?:were|was|got|have been|had been) )?(?:died|perished|killed|injured|"
        r"wounded|hurt)\b",
        lowered,
    ):
        return "people"
    match = re.search(
        r"\bhow many (?:(?:more|other|different|separate|distinct|individual|total)\s+)?"
        r"([a-z-]+)",
        lowered,
    )
    if not match or match.group(1) in ("of", "more", "other", "different", "separate"):
        return None  # "how many of them": what is counted is the earlier subject
    return match.group(1)


ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())


_ADVERB_COUNTS = {"once": 1, "twice": 2, "thrice": 3}
_NOT_ADVERB_COUNT = frozenset("a an the again more it they he she we".split())


def counts_of(noun: str, sentence: str) -> list[int]:
    """Numbers attached to the noun: 'nine times' -> 9, 'for the eighth time' -> 8, and
    for times 'once' -> 1, 'twice' -> 2.

    Ordinals count only times ('the eighth time'); 'the first request' is not one request.
    """
    target = stem(noun)
    ordinals = target == "time"
    tokens = words(_NOT_COUNTS.sub(" ", _DATE.sub(" ", sentence)))
    found: list[int] = []
    for i, token in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if ordinals and token in _ADVERB_COUNTS and after not in _NOT_ADVERB_COUNT:
            # "invoked only once"; not "once the Council met" or "once again".
            found.append(_ADVERB_COUNTS[token])
            continue
        if stem(token) != target:
            continue
        for before in reversed(tokens[max(0, i - 3) : i]):
            if before.replace(",", "").isdigit():
                found.append(int(before.replace(",", "")))
                break
            if before in NUMBER_WORDS and (ordinals or before not in ORDINALS):
                found.append(NUMBER_WORDS[before])
                break
    return found


_MONTH_NO = {m: i for i, m in enumerate(_MONTHS.split("|"), 1)}
_DATE_PARTS = re.compile(
    rf"\b(?:(\d{{1,2}})(?:[–-]\d{{1,2}})?\s+)?({_MONTHS})\s+(?:\d{{1,2}},\s*)?((?:1[89]|20)\d\d)\b"
    rf"|\b((?:1[89]|20)\d\d)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(?:for|lasted|lasting|took|within|after)\s+(?:about\s+|nearly\s+|around\s+|over\s+)?"
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|"
    r"a few|about \d+|nearly \d+)\s+(?:full\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|"
    r"months?|years?|decades?)\b(?!\s+(?:ago|later|after|before|earlier))",
    re.IGNORECASE,
)


def dates_at(text: str) -> list[tuple[int, int]]:
    """The dates a text gives for what happened, each as (YYYYMMDD, where it starts in the
    text), without those that only say how far it counts ('up to 23 September 2025')."""
    found = [
        (date_values(m.group()), m.start())
        for m in _DATE_PARTS.finditer(text)
        if not _AS_OF.search(text[: m.start()])
    ]
    return [(values[0], at) for values, at in found if values]


def date_values(text: str) -> list[int]:
    """The dates a text names as sortable YYYYMMDD numbers (a month alone gives day 00)."""
    found = []
    for day, month, year, bare in _DATE_PARTS.findall(text):
        if bare:
            found.append(int(bare) * 10000)
        else:
            found.append(int(year) * 10000 + _MONTH_NO[month.lower()] * 100 + int(day or 0))
    return found


def durations(text: str) -> list[str]:
    """Stretches of time a text states: 'for about 12 minutes', 'two days'."""
    return [m.group() for m in _DURATION.finditer(text)]


_RANGE = re.compile(
    rf"\b(?:from|between)\s+(?:(?:early|mid|late)[- ])?(?P<a>{_DATE.pattern})\s+"
    rf"(?:to|until|till|through|and)\s+(?:(?:early|mid|late)[- ])?(?P<b>{_DATE.pattern})",
    re.IGNORECASE,
)


def ranges(text: str) -> list[tuple[str, str]]:
    """The stretches a text gives by their two ends, with their length where the ends
    allow: ('from mid-October 2001 to mid-May 2002', '7 months')."""
    found = []
    for m in _RANGE.finditer(text):
        start, end = date_values(m.group("a")), date_values(m.group("b"))
        if not (start and end) or end[0] < start[0]:
            continue
        found.append((m.group(), elapsed(start[0], end[0]) or ""))
    return found


def spoken_date(value: int) -> str:
    """A YYYYMMDD number as words: 'on 3 March 2014', 'in March 2014', 'in 2014'."""
    year, month, day = value // 10000, value // 100 % 100, value % 100
    if not month:
        return f"in {year}"
    name = _MONTHS.split("|")[month - 1].capitalize()
    return f"on {day} {name} {year}" if day else f"in {name} {year}"


_MARKERS = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


def unmarked(answer: str) -> str:
    """An answer without its [n] source markers."""
    return _MARKERS.sub("", answer)


def elapsed(start: int, end: int, unit: str = "") -> str | None:
    """The time between two YYYYMMDD dates in the unit asked ("years", "months", "weeks",
    "days", or "" for the fitting one): '19 years', 'almost 15 years', '13 days'. None
    when the dates are too vague for the unit (days between two months) or the span is
    less than one of it."""
    start, end = sorted((start, end))
    y1, m1, d1 = start // 10000, start // 100 % 100, start % 100
    y2, m2, d2 = end // 10000, end // 100 % 100, end % 100
    if d1 and d2 and m1 and m2:
        try:
            days = (dt.date(y2, m2, d2) - dt.date(y1, m1, d1)).days
        except ValueError:  # "31 February"
            return None
        if unit == "days" or (not unit and days < 62):
            return _plural(days, "day")
        if unit == "weeks":
            return _plural(round(days / 7), "week")
    elif unit in ("days", "weeks"):
        return None
    if not (m1 and m2):
        return None if unit == "months" else _plural(y2 - y1, "year")
    months = (y2 - y1) * 12 + m2 - m1 - (1 if d1 and d2 and d2 < d1 else 0)
    if unit == "months" or (not unit and months < 24):
        return _plural(months, "month")
    years, rest = divmod(months, 12)
    if rest >= 10:
        return f"almost {_plural(years + 1, 'year')}"
    if rest >= 3 and years:
        return f"{_plural(years, 'year')} and {_plural(rest, 'month')}"
    return _plural(years, "year")


def _plural(n: int, noun: str) -> str | None:
    """'1 year', '13 days'; None for nothing at all, which answers no "how long"."""
    return f"{n} {noun}{'' if n == 1 else 's'}" if n > 0 else None


def date_mentions(text: str) -> list[str]:
    """The dates a text names, in order: '2003', 'June 2012', '10 September 2025'."""
    return [m.group() for m in _DATE.finditer(text)]


_AS_OF = re.compile(r"\b(?:up to|as of|until|till|through|by the end of)\s+$", re.IGNORECASE)


def event_dates(text: str) -> list[str]:
    """The dates a text gives for what happened, without those that only say how far it
    counts: 'the first of nine invocations up to 23 September 2025' dates nothing."""
    return [m.group() for m in _DATE.finditer(text) if not _AS_OF.search(text[: m.start()])]


def months(text: str) -> list[str]:
    """Month names a text mentions on their own ('in June ... in October')."""
    return re.findall(rf"\b(?:{_MONTHS})\b", text, re.IGNORECASE)


# Words sources use for what a question counts: how often, and how many states.
_SAME_COUNT = (
    ("times", "occasions", "requests", "invocations"),
    ("countries", "states", "allies", "members", "nations"),
    ("people", "persons", "civilians", "victims"),
    ("soldiers", "troops", "personnel"),
)


def counted_nouns(focus: str | None) -> tuple[str, ...]:
    """The nouns a count of `focus` may be stated with ('countries' -> states, allies...)."""
    if not focus:
        return ()
    focus = re.sub(r"(?<=[^aeiou])ys$", "ies", focus)  # "countrys" is "countries"
    for group in _SAME_COUNT:
        if stem(focus) in {stem(n) for n in group}:
            return (focus, *(n for n in group if n != focus))
    return (focus,)


_BOUND = re.compile(r"\b(?:after|before|since|following|prior to)\b[^,;?]*", re.IGNORECASE)


_SPAN = re.compile(
    r"\bfrom\b[^.;]*?\b(?:until|till|to|through)\b|\b(?:1[89]|20)\d\d\s*[–-]\s*(?:(?:1[89]|20)?\d\d)\b"
)


def date_conflict(question: str, sentence: str) -> bool:
    """True when the question names a year or month the sentence contradicts: 'in 2026'
    against a sentence dated only 2025, 'in June 2012' against one dated 3 October 2012.
    A month the question sets its answer after or before ("After the decision of 12
    September 2001, when ...") bounds the answer instead of naming it."""
    said = date_values(sentence)
    named = date_values(_BOUND.sub(" ", question))  # dates the question names, not bounds
    years = {d // 10000 for d in named}
    if years and said and not years & {d // 10000 for d in said}:
        # "from 2014 until 30 September 2024" spans 2020: no contradiction.
        first, last = min(said) // 10000, max(said) // 10000
        if not (_SPAN.search(sentence) and all(first <= y <= last for y in years)):
            return True
    # "since 2010", "before 2003": the sentence's years must lie on that side.
    for bound in _BOUND.finditer(question):
        limit = date_values(bound.group())
        if not limit or not said:
            continue
        year = limit[0] // 10000
        earlier = bound.group().lower().startswith(("before", "prior"))
        if not any((d // 10000 <= year) if earlier else (d // 10000 >= year) for d in said):
            return True
    asked = {d // 100 for d in named if d // 100 % 100}
    if not asked or not said:
        return False
    years = {a // 100 for a in asked}
    same_year = [d for d in said if d // 10000 in years]
    return bool(same_year) and not any(d // 100 in asked or not d // 100 % 100 for d in same_year)
