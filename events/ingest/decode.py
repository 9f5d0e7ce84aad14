"""Bytes of an HTML page to text, before extraction (trafilatura ignores the HTTP and meta
charset, so it must be handed text).

Order: byte-order mark, HTTP charset, ``<meta>`` charset, then detection. A declared charset is
only believed when the bytes agree with it: servers and templates lie, most often by
announcing ISO-8859-1/windows-1252 or UTF-8 for windows-1251 pages. Detection uses
charset-normalizer, guarded against the classic confusions among the single-byte Cyrillic
code pages (windows-1251, KOI8-R, MacCyrillic, ISO-8859-5, cp866): each of them decodes any
byte string without error, so the candidates are compared by how much the result reads like
Cyrillic prose. Decoding never raises; the worst case is UTF-8 with replacement characters.
"""

import codecs
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from charset_normalizer import from_bytes

# The HTML standard pre-scans 1024 bytes; real pages often put scripts and styles first.
META_SCAN_BYTES = 8192
# Enough text for detection and for telling Cyrillic code pages apart (a few thousand
# words); keeps both cheap on huge pages.
SCAN_BYTES = 256 * 1024
SAMPLE_BYTES = 16 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels as browsers read them (WHATWG Encoding): the Latin-1 labels mean windows-1252 and
# the GB labels mean GB18030; a few labels Python does not know.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "x-cp1251": "cp1251",
    "win-1251": "cp1251",
    "tis-620": "cp874",
    "iso-8859-9": "cp1254",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "big5": "big5hkscs",
}

# Only text encodings a web page can really use: Python also knows transforms (rot13,
# unicode_escape, utf-7) that no declared charset should be able to trigger.
_ALLOWED = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
        "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
        "cp1258", "cp874", "latin-1", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5",
        "iso8859-6", "iso8859-7", "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14",
        "iso8859-15", "iso8859-16", "koi8-r", "koi8-u", "mac-cyrillic", "mac-roman", "cp866",
        "gb18030", "big5hkscs", "cp932", "euc-jp", "iso2022-jp", "cp949", "ptcp154",
    )
)  # fmt: skip

_CYRILLIC_CODECS = ("cp1251", "koi8-r", "koi8-u", "mac-cyrillic", "iso8859-5", "cp866")
_CYRILLIC = tuple(codecs.lookup(name).name for name in _CYRILLIC_CODECS)
_CYRILLIC_FAMILY = frozenset(_CYRILLIC) | {
    "cp1125",
    "cp855",
    "ptcp154",
    "kz1048",
}
_MULTIBYTE = frozenset(
    codecs.lookup(name).name
    for name in ("utf-8", "gb18030", "big5hkscs", "cp932", "euc-jp", "iso2022-jp", "cp949")
) | {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}

_META_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:+-]+)"
    rb"|<\?xml\s[^>]*?encoding\s*=\s*[\"']([a-z0-9_.:+-]+)",
    re.IGNORECASE,
)
_TAG = re.compile(rb"<[^<>]*>")

# Cyrillic prose scoring. Letters of the Russian, Bulgarian, Ukrainian, Belarusian, Serbian
# and Macedonian alphabets count as real letters; the ten most frequent lowercase letters
# make up about two thirds of running text in all of them, far less in mis-decoded bytes.
_CYRILLIC_LETTERS = (
    "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯёЁіІїЇєЄґҐўЎђЂјЈљЉњЊћЋџЏѓЃќЌѕЅ"
)
_HAS_CYRILLIC = re.compile(f"[{_CYRILLIC_LETTERS}]")
_NOT_CYRILLIC = re.compile(f"[^{_CYRILLIC_LETTERS}]")
_FOREIGN_LETTER = re.compile(f"[^\\x00-\\x7f{_CYRILLIC_LETTERS}]")
_COMMON = "оеаинтсрвлі"
# Sentence starts and names: about a fifth of the words of real text, almost none when a
# wrong code page turns the capitals into symbols (MacCyrillic read for windows-1251 keeps
# every lowercase letter and loses every capital).
_TITLE_CAPITALS = frozenset("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЁІЄЇҐ")
_WORD = re.compile(r"[^\W\d_]+")
# Symbols between the words other than spaces and the punctuation of prose.
_NOISE = re.compile(r"[^\x00-\x7f\w\s«»„“”‘’–—…№°]")
# A clearly Cyrillic decoding scores about 0.7 or more; mis-decoded bytes, Greek or Latin
# text read as Cyrillic stay far below.
CYRILLIC_PLAUSIBLE = 0.45
# A declared Cyrillic code page reading this well is not compared with the others (wrong
# code pages stay below about 0.7; the right one scores 0.8 or more on a page of text).
CYRILLIC_CONFIDENT = 0.75
# A declared Cyrillic code page is overruled only by a clearly better one.
CYRILLIC_MARGIN = 0.15
# Below this many Cyrillic words there is too little evidence to overrule anything.
MIN_CYRILLIC_WORDS = 3


# Computed on first call: the best Cyrillic code page and its score; the page's text without
# markup; the page read as UTF-8 (None when it is not UTF-8).
_LazyBest = Callable[[], tuple[str, float]]
_LazySample = Callable[[], bytes]
_LazyText = Callable[[], str | None]


@dataclass(frozen=True)
class DecodedHtml:
    text: str
    encoding: str  # Python codec name: "utf-8", "cp1251", "koi8-r", ...
    source: str  # "bom" | "http" | "meta" | "detected" | "fallback"


def decode_html(body: bytes, *, http_charset: str | None = None) -> DecodedHtml:
    """Decode an HTML page. Never raises."""
    bom = _from_bom(body)
    if bom is not None:
        return bom
    # The markup-free sample and the Cyrillic scores cost a regex pass over the page and a
    # few decodes of the sample: computed only when a legacy code page is in question (never
    # for a page that is UTF-8, the common case).
    sample = functools.cache(lambda: _text_sample(body))
    cyrillic = functools.cache(lambda: _best_cyrillic(sample()))
    utf8 = functools.cache(lambda: _utf8_text(body))
    for label, source in ((http_charset, "http"), (_meta_charset(body), "meta")):
        codec = _codec(label)
        if codec is not None and _believable(body, sample, codec, cyrillic, utf8):
            text = utf8() if codec == "utf-8" else None
            return DecodedHtml(text if text is not None else _decode(body, codec), codec, source)
    return _detect(body, sample, cyrillic, utf8)


def _from_bom(body: bytes) -> DecodedHtml | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return DecodedHtml(body[len(bom) :].decode(codec, "replace"), codec, "bom")
    return None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:META_SCAN_BYTES])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii")
    # A page that could be read to find its meta tag is not UTF-16 (HTML standard rule).
    return "utf-8" if label.lower().startswith(("utf-16", "utf-32")) else label


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return name if name in _ALLOWED else None


def _believable(
    body: bytes, sample: _LazySample, codec: str, cyrillic: _LazyBest, utf8: _LazyText
) -> bool:
    if codec.startswith(("utf-16", "utf-32")) and b"\x00" not in body[:512]:
        return False
    if codec == "utf-8":
        return utf8() is not None
    try:
        body.decode(codec)
    except UnicodeDecodeError:
        if codec != "cp1252":
            return False
        # cp1252 leaves five bytes undefined; browsers read them as Latin-1 controls.
    if codec in _MULTIBYTE:
        return True
    if not body.isascii() and utf8() is not None:
        # Valid UTF-8 with multi-byte sequences is never an accident of a legacy code page.
        return False
    if codec not in _CYRILLIC_FAMILY:
        # e.g. "iso-8859-1" announced for windows-1251 bytes
        return cyrillic()[1] < CYRILLIC_PLAUSIBLE
    own = _cyrillic_score(sample().decode(codec, "replace"))
    if own >= CYRILLIC_CONFIDENT:
        return True
    best_score = cyrillic()[1]
    return best_score < CYRILLIC_PLAUSIBLE or best_score - own < CYRILLIC_MARGIN


def _detect(body: bytes, sample: _LazySample, cyrillic: _LazyBest, utf8: _LazyText) -> DecodedHtml:
    if not body:
        return DecodedHtml("", "utf-8", "fallback")
    if body.isascii():
        return DecodedHtml(body.decode("ascii"), "utf-8", "detected")
    text = utf8()
    if text is not None:
        return DecodedHtml(text, "utf-8", "detected")
    best, best_score = cyrillic()
    if best_score >= CYRILLIC_PLAUSIBLE:
        # Detectors confuse the Cyrillic code pages with each other and even with CJK
        # encodings on short text; the prose score does not.
        return DecodedHtml(_decode(body, best), best, "detected")
    codec = _codec(_detector_guess(sample()))
    if codec is None:
        return DecodedHtml(body.decode("utf-8", "replace"), "utf-8", "fallback")
    return DecodedHtml(_decode(body, codec), codec, "detected")


def _detector_guess(sample: bytes) -> str | None:
    try:
        # The meta charset was already weighed; the detector must judge the bytes alone.
        best = from_bytes(sample, preemptive_behaviour=False).best()
    except Exception:  # noqa: BLE001 - a detector bug must not fail decoding
        return None
    return best.encoding if best is not None else None


def _decode(body: bytes, codec: str) -> str:
    text = body.decode(codec, "replace")
    if codec == "cp1252" and "\ufffd" in text:
        # Browsers map cp1252's five undefined bytes to Latin-1 controls instead of failing.
        text = body.decode("latin-1")
    return text


def _utf8_text(body: bytes) -> str | None:
    """The page read as UTF-8 if it is mostly UTF-8 (None if not): at most a stray bad byte
    per hundred characters, from a page cut off mid-character by the size cap or one foreign
    snippet, each read as a replacement character. Legacy Cyrillic or Latin bytes read as
    UTF-8 fail at nearly every non-ASCII byte."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", "replace")
    errors = text.count("\ufffd") - body.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return text if errors * 100 <= non_ascii else None


def _text_sample(body: bytes) -> bytes:
    """The page's text without markup: tag and attribute names would dilute the evidence."""
    return _spaces_collapsed(_TAG.sub(b" ", body[:SCAN_BYTES]))[:SAMPLE_BYTES]


def _spaces_collapsed(text: bytes) -> bytes:
    """``re.sub(rb"\\s+", b" ", text)``, several times faster on text with many words:
    ``bytes.split`` splits on the same six ASCII whitespace bytes as ``\\s`` in a bytes
    pattern, but drops the runs at the ends, which the substitution keeps as one space."""
    collapsed = b" ".join(text.split())
    if text[:1].isspace():
        collapsed = b" " + collapsed
    if text[-1:].isspace() and collapsed != b" ":
        collapsed += b" "
    return collapsed


def _best_cyrillic(sample: bytes) -> tuple[str, float]:
    if sample.isascii():
        return "cp1251", 0.0
    scores = [(_cyrillic_score(sample.decode(codec, "replace")), codec) for codec in _CYRILLIC]
    # max() keeps the first of equal scores: windows-1251 wins ties (it is by far the most
    # common, and MacCyrillic decodes its lowercase letters identically).
    score, codec = max(scores, key=lambda pair: pair[0])
    return codec, score


def _cyrillic_score(text: str) -> float:
    """How much ``text`` reads like Cyrillic prose: about 0.7-1.0 for real text, below 0.45
    for text in another script or bytes read with the wrong code page."""
    # Words never span whitespace: only the whitespace-separated chunks with a Cyrillic letter
    # are split into words (a sample is often mostly scripts, whose words would be dropped).
    chunks = " ".join([c for c in text.split() if not c.isascii() and _HAS_CYRILLIC.search(c)])
    cyrillic = [w for w in _WORD.findall(chunks) if not w.isascii() and _HAS_CYRILLIC.search(w)]
    if len(cyrillic) < MIN_CYRILLIC_WORDS:
        return 0.0
    letters = "".join(cyrillic)
    common = sum(map(letters.count, _COMMON))
    foreign = len(_FOREIGN_LETTER.findall(letters))
    mixed = sum(1 for word in cyrillic if _NOT_CYRILLIC.search(word))
    # A capital inside a word that is not all capitals ("пРЕЗИДЕНТ", "моЯ"): what a wrong
    # code page produces.
    odd_case = sum(1 for word in cyrillic if word[1:] != word[1:].lower() and not word.isupper())
    titled = sum(1 for word in cyrillic if word[0] in _TITLE_CAPITALS and word[1:].islower())
    noise = len(_NOISE.findall(text))
    return (
        common / len(letters)
        + titled / len(cyrillic)
        - 2 * (mixed + odd_case) / len(cyrillic)
        - 2 * foreign / len(letters)
        - noise / len(letters)
    )
