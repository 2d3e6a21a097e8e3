"""English verb forms, for restating a question as a noun phrase ("did the guard warn" -> "warned")."""

from __future__ import annotations

_IRREGULAR_PAST_TEXT = """
be:was become:became begin:began bring:brought build:built buy:bought catch:caught choose:chose
come:came cost:cost cut:cut do:did draw:drew drink:drank drive:drove eat:ate fall:fell feel:felt
fight:fought find:found fly:flew forget:forgot get:got give:gave go:went grow:grew have:had hear:heard
hide:hid hit:hit hold:held hurt:hurt keep:kept know:knew lead:led leave:left lend:lent let:let lose:lost
make:made mean:meant meet:met pay:paid put:put read:read ride:rode ring:rang rise:rose run:ran say:said
see:saw sell:sold send:sent set:set shoot:shot show:showed shut:shut sing:sang sit:sat sleep:slept
speak:spoke spend:spent stand:stood steal:stole swim:swam take:took teach:taught tell:told think:thought
throw:threw understand:understood wear:wore win:won write:wrote
"""
_IRREGULAR_PAST = dict(pair.split(":") for pair in _IRREGULAR_PAST_TEXT.split())
_THIRD_PERSON = {"be": "is", "have": "has", "do": "does", "go": "goes"}
_VOWELS = frozenset("aeiou")


def conjugated(verb: str, auxiliary: str) -> str:
    """The verb as it stands without its auxiliary: (warn, did) -> warned, (have, does) -> has,
    (work, do) -> work; a modal or a form of "to be" stays in front: (win, will) -> will win,
    (released, is) -> is released."""
    auxiliary = auxiliary.lower()
    if auxiliary == "did":
        return past(verb)
    if auxiliary == "does":
        return third_person(verb)
    if auxiliary == "do":
        return verb
    return f"{auxiliary} {verb}"


def past(verb: str) -> str:
    """The simple past: irregular verbs from a table, else -d, -ied or -ed (no consonant doubling)."""
    lower = verb.lower()
    if lower in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[lower]
    if lower.endswith("e"):
        return verb + "d"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in _VOWELS:
        return verb[:-1] + "ied"
    return verb + "ed"


def third_person(verb: str) -> str:
    """The third person singular present: has, goes, watches, carries, works."""
    lower = verb.lower()
    if lower in _THIRD_PERSON:
        return _THIRD_PERSON[lower]
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in _VOWELS:
        return verb[:-1] + "ies"
    return verb + "s"
