"""Entity mentions: the curated multilingual aliases found in a text, through inflection.

An :class:`AliasMatcher` is built once from all aliases and reused for every text. Matching is
one Aho-Corasick pass over a case-folded copy of the text (same length, so offsets carry over
to the original) looking for the *stem* of each alias's first word; each hit is then checked in
place against the whole alias, where every word may carry one of the endings its language
allows (Токаев → Токаева, Токаеву, Токаевым; Казахстан → Казахстане; президент →
президентът; Tokayev → Tokayev's) and must end at a word boundary. Where aliases overlap, the
longest wins (Касим-Жомарт Токаев counts once, not also as Токаев).

Stems and endings: a word of an alias is cut into stem + ending by the first row of its
language's :data:`PARADIGMS` whose ending it has (leaving a stem of at least :data:`MIN_STEM`
letters); the row lists the endings the stem may carry in a text. A word with none of the
endings takes the "0" row (consonant-final nouns and surnames). Words shorter than MIN_STEM
(на, за, о) and words with digits must appear exactly. Aliases without a language try bg and
ru (Cyrillic) or en (Latin); a language without a paradigm table matches exact forms, plus the
English possessive.

Case: aliases match in any case (ТОКАЕВ, Токаев, правителството на Казахстан), except that a
one-word alias written with a capital is a name and needs a capital first letter in the text
too, so the alias Price is not found in "a price rise" (a lower-case alias such as президент
matches in any case; add "госдеп" next to "Госдеп" where a name is often written in lower
case). Acronyms (``is_acronym``) never inflect, are matched against the original text
case-sensitively (NATO, НАТО, ОДКС, BBC; also in the title-case newspaper spelling, Nato, when
four letters or longer) and take only the possessive (NATO's).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

MIN_STEM = 3

Paradigm = tuple[tuple[str, frozenset[str]], ...]


def _paradigm(*rows: str) -> Paradigm:
    """Rows "ending: endings accepted in a text", ``0`` for no ending."""
    table = []
    for row in rows:
        ending, endings = row.split(":")
        table.append((ending.strip("0 "), frozenset(e.strip("0") for e in endings.split())))
    return tuple(table)


# The endings each language's words take, keyed by the ending of the form the alias is written
# in (the first row that fits wins, so longer endings come first; the "0" row fits any word).
PARADIGMS: dict[str, Paradigm] = {
    # Bulgarian has no cases: definite articles (-ът/-а, -та, -то, -те), plurals, adjectives.
    "bg": _paradigm(
        "ски: ски ския ският ска ската ско ското ските",
        "ия: ия ията ии иите",
        "ен: ен ния ният на ната но ното ни ните",
        "я: я ята и ите",
        "а: а ата и ите",
        "о: о ото а ата",
        "е: е ето ета етата",
        "и: и ите",
        "0: 0 а ът я ят и ите ове овете",
    ),
    # Russian: six cases, singular and plural, of nouns and adjectives.
    "ru": _paradigm(
        "ый: ый ого ому ым ом ая ой ую ое ые ых ыми",
        "ий: ий ого его ому ему им ым ем ом ая яя ой ей ую юю ое ее ие ые их ых ими ыми",
        "ой: ой ого ому ым ом ая ую ое ые ых ыми",
        "ая: ая ой ую ою ые ых ым ыми",
        "яя: яя ей юю ею ие их им ими",
        "ое: ое ого ому ым ом",
        "ые: ые ых ым ыми ый ого ому ом",
        "ие: ие ия ию ием ии их им ими",
        "ия: ия ии ию ией иею ий иям иями иях",
        "я: я и ю ей е ею ь ям ями ях",
        "а: а ы и е у ой ою ам ами ах",
        "ь: ь и ью я ю ем е ей ям ями ях",
        "о: о а у ом е",
        "ы: ы ов ам ами ах",
        "и: и ов ей ам ям ами ями ах ях",
        "0: 0 а у ом ем е ым им ой ы и ов ев ам ами ах",
    ),
    "uk": _paradigm(
        "ія: ія ії ію ією",
        "ий: ий ого ому им ім а ої ій у ою і их",
        "я: я ї і ю ею єю",
        "а: а и і у ою ам ами ах",
        "ь: ь і ю ем я ею",
        "о: о а у ом і ові",
        "0: 0 а у ові ом ем і и ів им ою",
    ),
    # Macedonian: no cases; three sets of definite articles and plurals.
    "mk": _paradigm(
        "ија: ија ијата ии иите",
        "а: а ата ава ана и ите",
        "о: о ото ово оно а ата",
        "0: 0 от ов он и ите ови овите",
    ),
    "en": _paradigm("0: 0 's '"),
}
_POSSESSIVE = frozenset({"", "'s", "'"})
_DEFAULT_LANGUAGES = {"cyrillic": ("bg", "ru"), "latin": ("en",)}

# Folding keeps the text's length, so positions in the folded copy are positions in the text.
# "İ".lower() is the only lower() that grows (to two characters).
_FOLD = str.maketrans(
    {
        "İ": "I",
        "Ё": "Е",
        "ё": "е",
        "\u00a0": " ",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2018": "'",
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)
_TOKENS = re.compile(r"\w+|\W+")
_SEPARATOR = r"[\s\-\u2010-\u2015\u2212]+"  # words of an alias: "Касим-Жомарт", "Би Би Си"
_APOSTROPHES = "'\u2019\u02bc\u2018"


@dataclass(frozen=True)
class AliasSpec:
    entity_id: int
    alias: str
    language: str  # ISO 639-1, or "" for any language
    is_acronym: bool


@dataclass(frozen=True)
class EntityMatch:
    entity_id: int
    count: int
    first_start: int  # offsets into the original text: text[first_start:first_end]
    first_end: int


@dataclass(frozen=True)
class _Alias:
    entity_id: int
    pattern: re.Pattern[str]
    on_original: bool  # acronyms: checked against the original text, case-sensitively
    capitalised: bool  # a one-word name: its first letter is a capital in the text too


class AliasMatcher:
    """All aliases, compiled once; :meth:`match` is safe to call from many threads."""

    def __init__(self, specs: Iterable[AliasSpec]):
        by_key: dict[str, dict[tuple[int, str, bool, bool], _Alias]] = {}
        for spec in specs:
            for key, alias in _compile(spec):
                by_key.setdefault(key, {})[_identity(alias)] = alias
        self._automaton = ahocorasick.Automaton()
        for key, aliases in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(aliases.values())))
        self._empty = not by_key
        if not self._empty:
            self._automaton.make_automaton()

    def match(self, text: str) -> tuple[EntityMatch, ...]:
        """Every entity found in ``text``, in order of first mention."""
        if self._empty or not text:
            return ()
        folded = fold(text)
        found: list[tuple[int, int, int]] = []  # (start, end, entity_id)
        for last, (length, aliases) in self._automaton.iter(folded):
            start = last - length + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            for alias in aliases:
                hit = alias.pattern.match(text if alias.on_original else folded, start)
                if hit and (not alias.capitalised or text[start].isupper()):
                    found.append((start, hit.end(), alias.entity_id))
        return _summarise(_longest(found))


def _identity(alias: _Alias) -> tuple[int, str, bool, bool]:
    return (alias.entity_id, alias.pattern.pattern, alias.on_original, alias.capitalised)


def fold(text: str) -> str:
    """``text`` lower-cased with ё as е, dashes as "-", apostrophes as "'"; same length."""
    return text.translate(_FOLD).lower()


def _compile(spec: AliasSpec) -> list[tuple[str, _Alias]]:
    tokens = _TOKENS.findall(spec.alias.strip())
    while tokens and not tokens[0][0].isalnum():
        tokens.pop(0)
    if not tokens:
        return []
    if spec.is_acronym:
        pattern = re.compile(_acronym_pattern(tokens))
        return [(fold(tokens[0]), _Alias(spec.entity_id, pattern, True, False))]
    folded = [fold(token) for token in tokens]
    capitalised = len(tokens) == 1 and tokens[0][0].isupper()
    compiled = []
    for language in _languages(spec):
        table = PARADIGMS.get(language)
        words = [_split(token, table) if token[0].isalnum() else None for token in folded]
        source = "".join(
            _separator(token) if split is None else _inflected(*split, last=i == len(folded) - 1)
            for i, (token, split) in enumerate(zip(folded, words, strict=True))
        )
        key = _split(folded[0], table)[0]  # the stem of the first word
        pattern = re.compile(source + r"(?!\w)")
        compiled.append((key, _Alias(spec.entity_id, pattern, False, capitalised)))
    return compiled


def _languages(spec: AliasSpec) -> tuple[str, ...]:
    if spec.language:
        return (spec.language,)
    script = "cyrillic" if re.search("[\u0400-\u04ff]", spec.alias) else "latin"
    return _DEFAULT_LANGUAGES[script]


def _split(word: str, table: Paradigm | None) -> tuple[str, frozenset[str]]:
    """(stem, endings the stem may carry) of one word of an alias."""
    if table is None:
        return word, _POSSESSIVE
    if len(word) < MIN_STEM or not word.isalpha():
        return word, frozenset({""})
    for ending, endings in table:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: len(word) - len(ending)], endings
    return word, frozenset({""})


def _inflected(stem: str, endings: frozenset[str], *, last: bool) -> str:
    if not last:
        endings = frozenset(e for e in endings if not e.startswith("'"))
    alternatives = "|".join(re.escape(e) for e in sorted(endings, key=len, reverse=True))
    return f"{re.escape(stem)}(?:{alternatives})"


def _separator(token: str) -> str:
    if not token.strip(" \t\n-"):
        return _SEPARATOR
    return "".join(r"\s*" if ch.isspace() else re.escape(ch) for ch in token)


def _acronym_pattern(tokens: list[str]) -> str:
    parts = []
    for token in tokens:
        if not token[0].isalnum():
            parts.append(_separator(fold(token)))
        elif len(token) >= 4 and token.isupper():
            parts.append(f"(?:{re.escape(token)}|{re.escape(token.title())})")
        else:
            parts.append(re.escape(token))
    return "".join(parts) + f"(?:[{_APOSTROPHES}]s?)?" + r"(?!\w)"


def _longest(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Leftmost-longest non-overlapping matches; an alias shared by several entities keeps all
    of them at the same span."""
    kept: list[tuple[int, int, int]] = []
    end = -1
    span = (-1, -1)
    for start, stop, entity_id in sorted(found, key=lambda m: (m[0], -m[1], m[2])):
        if (start, stop) == span:
            if kept[-1][2] != entity_id:
                kept.append((start, stop, entity_id))
        elif start >= end:
            kept.append((start, stop, entity_id))
            span, end = (start, stop), stop
    return kept


def _summarise(kept: list[tuple[int, int, int]]) -> tuple[EntityMatch, ...]:
    counts: dict[int, int] = {}
    first: dict[int, tuple[int, int]] = {}
    for start, stop, entity_id in kept:
        counts[entity_id] = counts.get(entity_id, 0) + 1
        first.setdefault(entity_id, (start, stop))
    return tuple(
        EntityMatch(entity_id=e, count=counts[e], first_start=first[e][0], first_end=first[e][1])
        for e in sorted(first, key=lambda e: (first[e], e))
    )
