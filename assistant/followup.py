"""Rewrites a follow-up question into a standalone one, without a language model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant import text
from assistant.schema import Turn

_ANAPHORA = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|he|she|him|her|his|then|there|"
    r"the same|the reason|the outcome|the result|the request|the meeting|the invocation|"
    r"(?:which|that|this) one|which of)\b",
    re.IGNORECASE,
)
# A question that carries on from the last answer: it places itself in time against what
# was just said ("a couple of days later", "the next day"), or opens with "and" and names
# nothing of its own.
_UNANCHORED = re.compile(
    r"\b(?:later|afterwards|earlier|beforehand|in (?:response|reply|return)|"
    r"the (?:next|following|previous) (?:day|week|month|year)|"
    r"the (?:day|week|month|year) (?:after|before))\s*\??\s*$",
    re.IGNORECASE,
)
_CARRIES_ON = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|right|alright|cool|hm+|wow)\b[\s,.!]*)?(?:and|so|also|then|but)\b"
    r"|\b(?:happened|came|followed|did \w+ do) next\b|" + _UNANCHORED.pattern,
    re.I,
)
# A count whose thing is left out ("How many did Germany send?"): what the conversation
# was counting.
_ELLIPTICAL = re.compile(
    r"^\s*(?:and\s+|so\s+)?how (?:many|much)\s+(?:did|do|does|were|was|are|is|have|has|had)\b",
    re.IGNORECASE,
)
_WHICH_ONE = re.compile(r"\b(which|what)\s+(?:one|of (?:them|these|those))\b", re.IGNORECASE)
# A question word alone ("Where?", "And why exactly?"): the last question asked again.
_BARE = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?(?P<wh>when|where|why|who|how|which year|what year|"
    r"which day|what date|by whom|how many|how often)"
    r"(?:\s+(?:exactly|then|though|precisely|again))?\s*\??\s*$",
    re.IGNORECASE,
)
_TACKED_ON = re.compile(
    r"^\s*(?P<first>(?:is|was|were|are|did|does|do|has|have|had)\b[^?]{3,})\?\s*"
    r"(?:and\s+|if so,?\s+)?(?P<wh>where|when|why)\s*\??\s*$",
    re.IGNORECASE,
)
# What a question opens with that asks for something: "In which city", "How many times".
_ASKING = re.compile(
    r"^\s*(?:(?:in|on|at|from|by|to|for|since|during)\s+)?(?:(?:what|which|whose)\s+\w+"
    r"|how (?:many|much) \w+|how long|how|what|when|where|why|who|whom)\b\s*",
    re.IGNORECASE,
)
_SWAP = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$|^\s*and\s+(?P<y>[^?]+?)\s*\?\s*$",
    re.IGNORECASE,
)
_BOUND = re.compile(
    r"\b(?:before|after|since|until|till|prior to|up to|by)\s+((?:1[89]|20)\d\d)\b", re.I
)
_THAT = re.compile(r"\b(?:that|this|it)\b(?! (?:one|time|meeting|request)\b)", re.IGNORECASE)
_ABOUT_THEN = re.compile(
    r"^\s*(?:and\s+|ok\s+|so\s+)?(?:what|how)\s+about\s+(?P<x>[^,?]+?)\s*[,;:]\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
# Words that start questions or sentences and are capitalised for that reason alone.
_NOT_NAMES = frozenset(
    """
    what when where why who whom whose which how is are was were did does do can could
    would should will has have had and but or the a an in on at of for to tell give list
    explain describe i please yes no it its he she his her they their we this that these
    those there then because although however after before since while
    """.split()
)
# A name runs over capitalised words ("North Atlantic Council") but stops after a
# possessive ("Estonia's September 2025 request" names Estonia, then September 2025).
_ENTITY = re.compile(
    r"\b(?:Article\s+\d+|(?:1[89]|20)\d\d"
    r"|(?:[A-Z]\.|[A-Z][\w-]*(?:[’'][\w-]+)?)"
    r"(?:(?<![’']s)\s+(?:of\s+)?(?:[A-Z]\.|[A-Z][\w-]*(?:[’'][\w-]+)?))*)"
)


_ARTICLE = re.compile(r"\b(?:Articles?|art\.?)\s*\d+\b", re.IGNORECASE)


def entities(question: str) -> list[str]:
    """Names, years and 'Article N' mentions: what a question is about."""
    found: list[tuple[int, str]] = []
    # "Article N" first, so "Has Article 5 ..." does not read as the name "Has Article".
    for match in _ARTICLE.finditer(question):
        # "article 5" in a question typed in lower case is still Article 5.
        found.append((match.start(), "Article " + re.sub(r"\D", "", match.group())))
    rest = _ARTICLE.sub(lambda m: "," + " " * (len(m.group()) - 1), question)
    for match in _ENTITY.finditer(rest):
        value = match.group()
        if _plain(value.split()[0]) in _NOT_NAMES:
            value = " ".join(value.split()[1:])
        # A common word that only opens a sentence ("Just once, ...") names nothing.
        opening = not rest[: match.start()].strip() or rest[: match.start()].rstrip()[-1] in ".!?:"
        if opening and " " not in value and _plain(value) in text.STOPWORDS | _NOT_NAMES:
            continue
        if value and _plain(value) not in _NOT_NAMES:
            found.append((match.start(), value))
    return list(dict.fromkeys(value for _, value in sorted(found)))


def _plain(word: str) -> str:
    """A word in lower case without its possessive: "What's" is "what"."""
    return re.sub(r"['’]s$", "", word.lower())


_HE = re.compile(r"\b(he|she|him|his|her)\b", re.IGNORECASE)
_IT = re.compile(r"(?<!^is )(?<!^was )\b(it|its)\b", re.IGNORECASE)


def _person(said: str, first: bool = False) -> str:
    """The last person a text names (the first with `first`), by the language model's
    reading."""
    from assistant import analysis  # the model loads only when a follow-up needs it

    # "Lord (George) Robertson" is one name.
    plain = re.sub(r"\(([^()]*)\)", r"\1", said)
    people = [e.text for e in analysis.entities_of([plain])[0] if e.label == "PERSON"]
    return (people[0] if first else people[-1]) if people else ""


def _asked_who(question: str) -> bool:
    """True when the question asked for a person: "he" or "she" next is the one named in
    answer, whoever else the answer goes on to name."""
    from assistant import analysis

    return analysis.analyse(question).kind == "person"


def _asked_of_subject(question: str) -> bool:
    """True when the question asks something of a subject it names (when, why, how many,
    yes or no), rather than asking for a thing."""
    from assistant import analysis

    return analysis.analyse(question).kind in (
        "definition",
        "date",
        "number",
        "reason",
        "yes-no",
        "duration",
        "person",
        "place",
    )


def _named(pronoun: re.Match[str], person: str) -> str:
    """'his' -> "Mark Rutte's", 'he' -> 'Mark Rutte'."""
    return f"{person}'s" if pronoun.group().lower() in ("his", "her") else person


def needs_context(question: str) -> bool:
    """True when the question leans on earlier turns to make sense."""
    swap = _SWAP.match(question)
    if (swap and _is_swap(swap.group("x") or swap.group("y") or "")) or _ANAPHORA.search(question):
        return True
    if _BARE.match(question) or _UNANCHORED.search(question) or _ELLIPTICAL.match(question):
        return True
    own = [e for e in entities(question) if not e.startswith("Article")]
    # "How many people were killed?" names nothing: it asks about the conversation's subject.
    short = len(question.split()) <= 8 or _refers_by_position(question)
    return (short or bool(_CARRIES_ON.search(question))) and not own


def _refers_by_position(question: str) -> bool:
    """'the second one', 'the first time': an item of an earlier answer, by position."""
    match = _ORDINAL.search(question)
    return bool(match and match.group(2))


# "the second one", "the latter", "the last time": an item of the last answer, by position.
_ORDINAL = re.compile(
    r"\bthe (first|second|third|fourth|fifth|sixth|last|latest|final|former|latter)\b"
    r"(?:\s+(one|time|request|invocation|meeting|case|incident|attack|occasion))?",
    re.IGNORECASE,
)
_POSITION = {
    "first": 0,
    "former": 0,
    "second": 1,
    "third": 2,
    "fourth": 3,
    "fifth": 4,
    "sixth": 5,
    "last": -1,
    "latest": -1,
    "final": -1,
    "latter": -1,
}
# "that meeting", "this request": an event the last answer dated.
_EVENT = re.compile(
    r"\b(that|this|the same|those)\s+(meeting|request|invocation|session|day|incident|attack|"
    r"consultation|statement|decision|time|year|point|moment)\b"
    r"|\b(?:at the time|back then)\b",
    re.IGNORECASE,
)


# "the naval one", "the Polish request": an item of the last answer, by a word it holds.
_DESCRIBED = re.compile(
    r"\bthe ([a-z][\w-]+) (one|request|invocation|meeting|operation|incident|attack|mission)\b",
    re.IGNORECASE,
)


def items(answer: str) -> list[str]:
    """The items an answer enumerates, each with what it says of them: "Turkey, five
    times: 2003, June 2012 and 2020" -> ["2003", "June 2012", "2020"]; "Poland on 10
    September after ..., and Estonia on 19 September after ..." -> both clauses. A
    parenthesis is left out, and [] when the answer lists nothing."""
    said = re.sub(r"\[\d+\]|\([^()]*\)", "", answer)
    # "Yes. The first ..., and the second ...": the yes or no is none of the items.
    said = re.sub(r"^\s*(?:yes|no)\b[.,!]?\s+", "", said, flags=re.IGNORECASE)
    _, colon, tail = said.partition(": ")
    body = tail if colon else said
    # Items that are clauses are set apart by "; " or ", and"; short ones by commas.
    parts = [p for p in re.split(r";\s*|,\s+and\s+", body) if p.strip()]
    short = [p for p in re.split(r",\s*|\s+and\s+", body) if p.strip()]
    if short and all(len(p.split()) <= 3 for p in short):
        parts = short
    parts = [re.sub(r"^\s*(?:and|in|on|at)\s+|[\s.]+$", "", p).strip() for p in parts]
    return parts if len(parts) >= 2 else []


def referred_item(question: str, answer: str) -> str:
    """What 'the second one', 'the naval one' or 'that meeting' points at in the last
    answer, or ''."""
    said = text.unmarked(answer)
    dates = text.date_mentions(said) or text.months(said)
    listed = items(said)
    match = _ORDINAL.search(question)
    if match and (match.group(2) or match.group(1).lower() in ("former", "latter")):
        found = listed or dates or [e for e in entities(said) if not e.startswith("Article")]
        at = _POSITION[match.group(1).lower()]
        if found and -len(found) <= at < len(found):
            return found[at]
    described = _DESCRIBED.search(question)
    if described and described.group(1).lower() not in _POSITION:
        root = text.fold(described.group(1))[:5]
        holding = [i for i in listed if any(w.startswith(root) for w in text.words(text.fold(i)))]
        if len(holding) == 1:
            return holding[0]
    if _EVENT.search(question) and dates:
        precise = [d for d in dates if text.has_full_date(d)]
        return (precise or dates)[0]
    return ""


def rewrite(question: str, history: Sequence[Turn]) -> str:
    """Returns the question made standalone using the latest turns."""
    # "Was anything damaged on the ground? Where?": the first question asked with the
    # second's word ("Where was anything damaged on the ground?").
    tacked = _TACKED_ON.match(question)
    if tacked:
        question = _asked_again(tacked.group("wh"), tacked.group("first"))
    asked = [t.content.strip() for t in history if t.role == "user" and t.content.strip()]
    answers = [t.content for t in history if t.role == "assistant"]
    item = referred_item(question, answers[-1]) if answers else ""
    if not asked or not (needs_context(question) or item):
        return question
    previous, reply = asked[-1], answers[-1] if answers else ""
    last = text.unmarked(answers[-1]) if answers else ""  # the last answer, as said
    # A previous follow-up borrowed its subject too: walk back to one that names it, and
    # past follow-ups that name only what they lean on ("Was the Council meeting ...?").
    exchanges = _exchanges(history)
    naming = [(q, a) for q, a in reversed(exchanges) if entities(q)]
    standalone = [(q, a) for q, a in naming if not needs_context(q)]
    if standalone or naming:
        previous, reply = (standalone or naming)[0]
    about = _ABOUT_THEN.match(question)
    if about:
        # "What about Finland, when did it join?": the question asked of Finland.
        new, rest = about.group("x"), about.group("rest")
        if not _IT.search(rest):
            return f"{rest.rstrip(' ?')} ({new})?"
        return _IT.sub(lambda m: new + ("'s" if m.group().lower() == "its" else ""), rest, count=1)
    bare = _BARE.match(question)
    if bare:
        return _asked_again(bare.group("wh"), asked[-1])
    # "Which one joined last?" after "How many members ...?": one of what was counted.
    counted = text.focus_noun(previous)
    if counted and counted != "times":
        one = re.sub(r"(?<=[^aeiou])ies$", "y", counted).removesuffix("s")
        question = _WHICH_ONE.sub(lambda m: f"{m.group(1)} {one}", question, count=1)
    swap = _SWAP.match(question)
    if swap and _is_swap(swap.group("x") or swap.group("y") or ""):
        new = (swap.group("x") or swap.group("y") or "").strip()
        retimed = _retimed(previous, _AT_TIME.sub("", new))
        if retimed:
            return retimed
        article = new.lower().startswith("article")
        old = [e for e in entities(previous) if e.startswith("Article") == article]
        if old:
            return previous.replace(old[0], new, 1)
        return f"{previous.rstrip(' ?')} {new}?"
    # "Has Poland used Article 4 before 2025?": 2025 bounds the question, it is no occasion.
    bounds = set(_BOUND.findall(previous))
    context = [e for e in entities(previous) if e not in question and e not in bounds]
    own = [e for e in entities(question) if not e.startswith("Article")]
    if item and _refers_by_position(question) and not own:
        # "the second one" has been found: left in, its "second" would be searched for.
        question = _ORDINAL.sub(lambda m: f"that {m.group(2)}", question, count=1)
    if item:
        # The answer's subject ("Turkey, five times: ...") and the item it listed.
        # An item that names its own subject ("Estonia on 19 September ...") needs no other.
        subjects = [e for e in entities(last) if e not in item]
        named = [e for e in context if not e.startswith("Article") and not text.years(e)]
        named += [e for e in entities(item) if not text.years(e) and text.months(e) != [e]]
        context += [e for e in subjects[:1] if e not in context and not named] + [item]
        # "Who did he make that decision with?": the person the last answer named.
        person = _person(last) if _HE.search(question) else ""
        if person:
            question = _HE.sub(lambda m: _named(m, person), question)
            context = [e for e in context if e not in person and person not in e]
    elif answers and _ANAPHORA.search(question):
        # "Who runs it?" after "NATO launched Eastern Sentry": the answer named the subject.
        said = last
        fresh = [
            e
            for e in entities(said)
            if e not in previous and e not in question and text.months(e) != [e]
        ]
        # "How's that different from Article 4?" after a question about Article 5: "that"
        # is the last question's subject, set beside the new one, not its occasion.
        from assistant.analysis import compares  # the model loads only when a question needs it

        if context and compares(question) and _THAT.search(question):
            return _THAT.sub(context[0], question, count=1)
        context += [e for e in fresh if e not in context][:1]
        context += _one_date(said, question, context)
        # "What did he say?": the person the last answer, or else question, named; the
        # one it gave when the last question asked who.
        if _HE.search(question):
            person = _person(said, first=_asked_who(asked[-1])) or _person(previous)
        else:
            person = ""
        # "It" is what the last answer introduced when the last question asked for a
        # thing ("What did NATO launch?"); after "When was Article 5 invoked?" it may be
        # that question's subject or anything it led to, so the context only is added.
        things = [e for e in fresh if not text.years(e)]  # "it" is not a year
        plural = re.search(r"\b(they|them)\b", question, re.IGNORECASE)
        if person:
            question = _HE.sub(lambda m: _named(m, person), question)
            context = [e for e in context if e not in person and person not in e]
        elif (
            things
            and _IT.search(question)
            and not plural
            and not _asked_of_subject(previous)
            and not _said_before_it(question)
        ):
            thing = things[0]
            question = _IT.sub(
                lambda m: thing + ("'s" if m.group().lower() == "its" else ""), question, count=1
            )
            context = [e for e in context if e != thing]
    elif answers and _CARRIES_ON.search(question):
        # "And what followed a couple of days later?": the subject the conversation is
        # on, which the answers may have named rather than the questions.
        for said in dict.fromkeys([reply, *(a for _, a in exchanges[-2:])]):
            said = text.unmarked(said)
            fresh = [e for e in entities(said) if e not in context and e not in question]
            context += fresh[:1]
        context += _one_date(last, question, context)
    elif _refers_by_position(question):
        # "When was the second one?" after "Turkey, five times": the subject's own events.
        context += [e for e in entities(last)[:1] if e not in context]
    if any(_is_state(e) for e in own):
        # "And when was the first time Poland did it?": asked of its own state, so the
        # last subject's state and the dates of its occasion are not borrowed.
        context = [e for e in context if not _is_state(e) and not text.date_mentions(e)]
    if all(text.date_mentions(e) == [e] for e in context):
        # Only dates to borrow ("what happened in akcakale in 2012?" names its place in
        # lower case): the last question's own words place this one.
        return f"{question.rstrip(' ?')} ({previous.rstrip(' ?')})?"
    return f"{question.rstrip(' ?')} ({', '.join(context)})?"


# What "its" may stand for within the question itself: "did the alliance decide at its
# summit".
_OWNER = re.compile(r"\b(?:NATO|the alliance|the council|the allies|the treaty)\b", re.IGNORECASE)


def _said_before_it(question: str) -> bool:
    """True when "its" follows a name or the alliance in the question itself, which it
    then stands for."""
    found = re.search(r"\bits\b", question, re.IGNORECASE)
    if found is None:
        return False
    before = question[: found.start()]
    return bool(_OWNER.search(before) or [e for e in entities(before) if not text.years(e)])


def _is_state(name: str) -> bool:
    from assistant.analysis import STATES  # the model loads only when a question needs it

    return _plain(name).removeprefix("the ") in STATES


def _retimed(previous: str, new: str) -> str:
    """'And what about October that year?' after 'Why ... in June 2012?': the question
    asked again of the new time, in the year of the old one unless it names its own."""
    dated = text.date_mentions(previous)
    if not dated or not (text.months(new) or text.years(new)):
        return ""
    year = text.years(dated[0])
    when = re.sub(r"\b(?:that|the same) year\b", year[0] if year else "", new, flags=re.I)
    when = " ".join(when.split())
    if year and not text.years(when):
        when = f"{when} {year[0]}"
    return previous.replace(dated[0], when, 1)


def _one_date(said: str, question: str, context: Sequence[str]) -> list[str]:
    """The date of the occasion the last answer told of, when it gave one date and the
    question has no year of its own or borrowed: "Why did they do it?" after "Turkey, in
    February 2003"."""
    dated = set(text.date_mentions(said))
    if len(dated) == 1 and not text.years(question + " " + " ".join(context)):
        return list(dated)
    return []


def _exchanges(history: Sequence[Turn]) -> list[tuple[str, str]]:
    """Each question asked, with the answer that followed it ('' when none did)."""
    out: list[tuple[str, str]] = []
    for turn in history:
        if turn.role == "user" and turn.content.strip():
            out.append((turn.content.strip(), ""))
        elif turn.role == "assistant" and out and not out[-1][1]:
            out[-1] = (out[-1][0], turn.content)
    return out


def _asked_again(wh: str, previous: str) -> str:
    """'Where?' after 'When was the Treaty signed?' -> 'Where was the Treaty signed?';
    'When?' after 'Did Poland invoke Article 4?' -> 'When did Poland invoke Article 4?'."""
    body = previous.strip().rstrip("?").strip()
    asking = _ASKING.match(body)
    if asking:
        body = body[asking.end() :]
    elif body:
        body = body[0].lower() + body[1:]
    return f"{wh[0].upper()}{wh[1:].lower()} {body}?"


_BORROWED = re.compile(r"\s\([^()]*\)\?$")


@lru_cache(maxsize=2048)
def own_words(standalone: str) -> str:
    """A rewritten question without the context it borrowed from earlier turns. A state
    named after its capital ("Tallinn (Estonia)?") is the question's own."""
    match = _BORROWED.search(standalone)
    if match is None:
        return standalone
    from assistant.analysis import CAPITALS  # the model loads only when a question needs it

    before = standalone[: match.start()].split()
    if before and CAPITALS.get(before[-1].lower()) == match.group().strip(" ()?"):
        return standalone
    return standalone[: match.start()] + "?"


def borrowed(standalone: str) -> bool:
    """True when a rewritten question carries context borrowed from earlier turns."""
    return own_words(standalone) != standalone


def _is_swap(subject: str) -> bool:
    """'What about Estonia?' swaps the subject, and 'And in October?' the time; 'And who
    was ...?' is a new question."""
    subject = _AT_TIME.sub("", subject)
    first = subject.split()[0].lower() if subject.split() else ""
    return 0 < len(subject.split()) <= 4 and first not in _NOT_NAMES


_AT_TIME = re.compile(
    r"^(?:in|on|during|by)\s+(?=(?:\w+\s+)?(?:(?:1[89]|20)\d\d|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\b)",
    re.IGNORECASE,
)
