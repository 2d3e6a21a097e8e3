"""The honest abstention: "I don't know about X", in the question's language, naming its subject."""

from __future__ import annotations

import re

from assistant.inflection import conjugated
from assistant.language import detect_language

SUBJECT_CHARS_EN = 60
SUBJECT_CHARS_ZH = 24

_QUOTED = re.compile(r"《[^》]+》|“[^”]+”|\"[^\"]+\"")
# A run of capitalised words, allowing the small linking words inside names ("Pride and Prejudice").
_NAME = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:(?:of|and|the|de|da|van|von|del|der|la|le)\s+)*[A-Z][\w'’.-]*)*")
_WH_WORD_TEXT = (
    "who what when where which why how whom whose is are was were do does did can could in on at "
    "the a an tell please name give"
)
_WH_WORDS = frozenset(_WH_WORD_TEXT.split())
# From the first question word to the end: "李白是哪个朝代的诗人？" -> "李白"; a verb just before it
# goes too ("枪击事件造成多少人死亡？" asks about the shooting, not about "the shooting caused").
_ZH_QUESTION_TAIL = re.compile(
    r"(?:共计|一共|总共|共|累计)?(?:确认)?"
    r"(?:出生于|出生在|成立于|位于|创办了|发明了|叫做|叫作|叫|称为|名为|被判处|判处|被判"
    r"|造成了?|导致了?|获得了?|拥有|需要|花了|用了|达到了?|死亡|遇难|受伤|获救)?(?:是|有)?"
    r"(?:谁|什么|哪|多少|多[长高大远重久]|何|怎么|为什么|几)\S*$|[吗呢]?[？?。！!\s]+$"
)
_ZH_POLITE = re.compile(r"^(?:请问|我想知道|你知道)[，,]?")
# "X在某场合上带来的Y" asks about X's Y: the place and the verb are not the thing asked about.
_ZH_SETTING = re.compile(
    r"^(.{1,10}?)在.+?(?:上|中|里|期间)?(?:带来|发布|推出|出版|发表|提出|展示|获得)的(.+)$"
)
# "What was the prize money of the 2016 Tianjin Open?": the noun phrase after the verb is the subject.
_EN_NOUN_PHRASE = re.compile(
    r"^(?:what|which|who|whom)\s+(?:is|was|are|were)\s+((?:the|a|an)\s+.+?\s+(?:of|for)\s+.+?)[?.!]*$",
    re.IGNORECASE,
)

# "How long does the Varnholm ferry crossing take?", "When was Lumora Robotics founded?": between the
# auxiliary and the final verb stands the thing asked about (at most four words, so that a clause
# such as "did the French feel they had a right to ..." is not taken for a noun phrase). After a form
# of "to be" the final word must be a participle ("founded", "located in"): in "Which is the largest
# country?" it is a noun, and the rule does not apply.
_EN_AUX_SUBJECT = re.compile(
    r"^(?i:in\s+)?(?i:what|which|when|where|why|how)(?P<counted>\s+(?i:many|much)\s+[a-z]+)?(?:\s+[a-z]+){0,2}"
    r"\s+(?:(?P<aux>(?i:does|did|do|has|have|had|will|can|could|would))|(?P<be>(?i:is|was|are|were)))\s+"
    r"(?P<subject>(?:the|a|an|[A-Z][\w'’.-]*)(?:\s+[\w'’.-]+){0,3}?)"
    r"\s+(?P<verb>[a-z]+)(?:\s+(?:in|from|on|at|for|with|to|of|by|about|into|as))?[?.!]*$"
)
# A function, method or module named in code ("What does humanize.apnumber(4) return?").
_CODE_NAME = re.compile(r"`([^`]+)`|\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\([^)]*\))?|\b[A-Za-z_]\w*\([^)]*\)")
# Words that cannot stand in the noun of "Which N verbs ...?": auxiliaries and clause openers.
_NOT_IN_NOUN_TEXT = (
    "is are was were be been do does did has have had can could will would shall should may might must "
    "when where if that who whom whose which what why how not"
)
_NOT_IN_NOUN = frozenset(_NOT_IN_NOUN_TEXT.split())
# "How many people died in ...": the counted are people, so "who".
_PERSONS_TEXT = "people persons men women children players students employees workers residents"
_PERSONS = frozenset(_PERSONS_TEXT.split())
_PARTICIPLE = re.compile(r"[a-z]+(?:ed|en|wn|rn|lt|ght)$|built|made|held|sold|set|put|hit|run|won")
_PREPOSITIONS = frozenset(["in", "from", "on", "at", "for", "with", "to", "of", "by", "about", "into", "as"])
# "How many Taiwanese fishing boats did the Japan Coast Guard warn this year?": the counted, then a
# clause with its own subject and verb ("the number of Taiwanese fishing boats the Japan Coast Guard
# warned this year").
_EN_COUNTED_CLAUSE = re.compile(
    r"^(?i:how)\s+(?P<measure>(?i:many|much))\s+(?P<counted>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)\s+"
    r"(?P<aux>(?i:does|did|do|will|can|could|would))\s+(?P<clause>.+?)[?.!]*$"
)
# "Under which licenses is sniffio released?": "the licenses sniffio is released under".
_EN_PREPOSITION_WHICH = re.compile(
    r"^(?P<prep>(?i:under|for|from|with|by|to|into|through|against|about|after|before|during|at|on|of"
    r"|in))\s+(?i:which|what)\s+(?P<noun>[\w'’-]+(?:\s+[\w'’-]+){0,2}?)\s+"
    r"(?P<aux>(?i:is|was|are|were|does|did|do))\s+(?P<clause>.+?)[?.!]*$"
)
_POSSESSING = frozenset(["have", "has", "had", "contain", "include"])
_DETERMINERS = frozenset(["the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her"])
# "日本海上保安厅今年警告了多少艘台湾渔船？": what was counted after the measure word.
_ZH_COUNTED = re.compile(
    r"(?:多少|几)[个艘名位人次家件条只辆架座所本项种台部]?(?P<noun>[^？?，,。！!]{1,12})[？?。！!]*$"
)


def abstention_text(question: str) -> str:
    """'I don't know about “X”.' or '我不知道和“X”相关的信息。' with X the question's subject."""
    subject = question_subject(question)
    if detect_language(question) == "zh":
        return f"我不知道和“{subject}”相关的信息。"
    return f"I don't know about “{subject}”."


def question_subject(question: str) -> str:
    """The thing asked about: a quoted title, a capitalised name, or else the question shortened."""
    text = " ".join(question.split())
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted.group(0).strip('《》“”"')
    if detect_language(text) == "zh":
        return _shorten(_chinese_subject(text), SUBJECT_CHARS_ZH)
    phrase = _EN_NOUN_PHRASE.match(text)
    if phrase:
        return _shorten(phrase.group(1), SUBJECT_CHARS_EN)
    auxiliary = _EN_AUX_SUBJECT.match(text)
    if auxiliary and _is_noun_phrase_before_verb(auxiliary):
        return _shorten(_counted_subject(auxiliary), SUBJECT_CHARS_EN)
    clause = _which_clause(text) or _counted_clause(text) or _restated_clause(text)
    if clause:
        return _shorten(clause, SUBJECT_CHARS_EN)
    code = _CODE_NAME.search(text)
    if code:
        return _shorten(code.group(1) or code.group(0), SUBJECT_CHARS_EN)
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _WH_WORDS:
            words = words[1:]
        if words:
            name = " ".join(words).removesuffix("'s").removesuffix("’s")
            return _shorten(name.rstrip(".'’"), SUBJECT_CHARS_EN)
    return _shorten(text.rstrip("?？.!。 "), SUBJECT_CHARS_EN)


def _is_noun_phrase_before_verb(match: re.Match[str]) -> bool:
    """Not "the chemical symbol for" + "gold", and after "is"/"was" a participle, not a noun."""
    if match.group("subject").split()[-1].lower() in _PREPOSITIONS:
        return False
    return match.group("be") is None or _PARTICIPLE.fullmatch(match.group("verb")) is not None


def _counted_subject(match: re.Match[str]) -> str:
    """ "How many legs does a spider have?" asks about the legs of a spider, not the spider; "How many
    goals did Messi score?" about the number of goals Messi scored."""
    subject = match.group("subject")
    counted = match.group("counted")
    if not counted:
        return subject
    measure, noun = counted.split()
    verb, auxiliary = match.group("verb"), match.group("aux")
    if auxiliary is None or verb.lower() in _POSSESSING:
        return f"the {noun} of {subject}"
    return f"the {_size_word(measure)} of {noun} {subject} {conjugated(verb, auxiliary)}"


def _which_clause(question: str) -> str | None:
    """ "Which diskcache class provides a sharding layer?" asks about "the diskcache class that
    provides a sharding layer": the noun, then the first verb in the third person or the past."""
    words = question.rstrip("?？.!。 ").split()
    if len(words) < 4 or words[0].lower() not in ("which", "what") or _looks_like_verb(words[1]):
        return None
    for position in range(2, min(len(words) - 1, 7)):
        noun = words[1:position]
        if any(word.lower() in _NOT_IN_NOUN for word in noun):
            return None
        if _looks_like_verb(words[position]):
            return f"the {' '.join(noun)} that {' '.join(words[position:])}"
    return None


def _counted_clause(question: str) -> str | None:
    """ "How many people died in the Wenzhou collapse?" asks about the number of people who died there."""
    words = question.rstrip("?？.!。 ").split()
    if len(words) < 4 or [w.lower() for w in words[:2]] not in (["how", "many"], ["how", "much"]):
        return None
    counted, verb = words[2], words[3]
    if verb.lower() in _NOT_IN_NOUN or not _looks_like_verb(verb):
        return None
    relative = "who" if counted.lower() in _PERSONS else "that"
    return f"the {_size_word(words[1])} of {counted} {relative} {' '.join(words[3:])}"


def _restated_clause(question: str) -> str | None:
    """A question whose auxiliary stands before a clause of its own, restated as a noun phrase:
    "how many N did S V ..." -> "the number of N S Ved ...", "under which N is S Ved" -> "the N S is Ved
    under"."""
    counted = _EN_COUNTED_CLAUSE.match(question)
    if counted:
        clause = _clause_with_verb(counted.group("clause").split(), counted.group("aux"))
        size = _size_word(counted.group("measure"))
        return f"the {size} of {counted.group('counted')} {clause}" if clause else None
    which = _EN_PREPOSITION_WHICH.match(question)
    if which:
        clause = _clause_with_verb(which.group("clause").split(), which.group("aux"))
        return f"the {which.group('noun')} {clause} {which.group('prep').lower()}" if clause else None
    return None


def _size_word(measure: str) -> str:
    """ "How many ..." counts a number, "how much ..." an amount."""
    return "number" if measure.lower() == "many" else "amount"


def _clause_with_verb(words: list[str], auxiliary: str) -> str | None:
    """ "the Japan Coast Guard warn this year" after "did" -> "the Japan Coast Guard warned this year";
    after a form of "to be" or a modal the auxiliary stays before it ("sniffio is released")."""
    position = _verb_position(words)
    if position is None:
        return None
    subject, verb, rest = words[:position], words[position], words[position + 1 :]
    return " ".join([*subject, conjugated(verb, auxiliary), *rest])


def _verb_position(words: list[str]) -> int | None:
    """Where the clause's verb stands: the first lower-case word after a capitalised name ("the Japan
    Coast Guard warn"), else the word before the first preposition or number, else the last word."""
    for position in range(1, len(words)):
        if _plain_word(words[position]) and words[position - 1][:1].isupper():
            return position
    for position in range(1, len(words)):
        following = words[position + 1] if position + 1 < len(words) else ""
        if _plain_word(words[position]) and (following in _PREPOSITIONS or following[:1].isdigit()):
            return position
    last = len(words) - 1
    return last if last >= 1 and _plain_word(words[last]) else None


def _plain_word(word: str) -> bool:
    lower = word.lower()
    return word.isalpha() and word.islower() and lower not in _PREPOSITIONS and lower not in _DETERMINERS


def _looks_like_verb(word: str) -> bool:
    """A verb in the third person singular or the past: "provides", "sends", "died" (not "class")."""
    lower = word.lower()
    if not lower.isalpha() or lower in _NOT_IN_NOUN:
        return False
    return lower.endswith("ed") or (lower.endswith("s") and not lower.endswith(("ss", "us", "is", "ics")))


def _chinese_subject(question: str) -> str:
    text = _ZH_POLITE.sub("", question)
    subject = _ZH_QUESTION_TAIL.sub("", text) or text.rstrip("？?。！! ")
    counted = _ZH_COUNTED.search(text) if subject.endswith("了") else None
    if counted:
        # a verb with 了 left over: what was counted is asked about ("…警告的台湾渔船数量")
        return f"{subject.removesuffix('了')}的{counted.group('noun')}数量"
    setting = _ZH_SETTING.match(subject)
    return f"{setting.group(1)}的{setting.group(2)}" if setting else subject


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters; an English phrase is cut at a word, not inside one."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and text[limit - 1] != " " and cut.isascii():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
