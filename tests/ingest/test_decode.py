"""Decoding pages before extraction: declared charsets are used when the bytes agree, lies
are caught, the Cyrillic code pages are told apart, and nothing ever raises."""

import re

import pytest

from events.ingest.decode import _spaces_collapsed, decode_html

PAGES = "tests/fixtures/pages/"
KOI8_META = b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">\n'


def page(name: str) -> bytes:
    with open(PAGES + name, "rb") as handle:
        return handle.read()


def ru_without_meta() -> bytes:
    body = page("ru_koi8r.html")
    assert KOI8_META in body
    return body.replace(KOI8_META, b"")


BG_ARTICLE = (
    "Президентът Касим-Жомарт Токаев поиска от ОДКС съдействие за овладяване на масовите "
    "протести в Казахстан. Властите въведоха извънредно положение, а мобилният интернет "
    "остава блокиран. Правителството подаде оставка, която беше приета от президента."
)
RU_ARTICLE = (
    "Первые подразделения миротворческих сил ОДКБ прибыли в Казахстан по запросу Токаева. "
    "Решение о направлении контингента было принято накануне вечером. Миротворцы будут "
    "охранять важные государственные объекты."
)


def html_of(text: str) -> str:
    return f"<html><head><title>Новини</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "encoding", "source", "words"),
    [
        (page("bg_cp1251.html"), "cp1251", "meta", ("Токаев", "Казахстан", "Най-четени")),
        (page("bg_cp1251_nometa.html"), "cp1251", "detected", ("Токаев", "Казахстан", "ОДКС")),
        (page("ru_koi8r.html"), "koi8-r", "meta", ("Токаева", "Казахстан", "ОДКБ")),
        (ru_without_meta(), "koi8-r", "detected", ("Токаева", "Казахстан", "ОДКБ")),
        (page("en_reuters_wire.html"), "utf-8", "meta", ("Kazakhstan", "Tokayev")),
    ],
    ids=["bg-meta", "bg-detected", "ru-meta", "ru-detected", "en"],
)
def test_fixture_pages_decode_correctly(body, encoding, source, words):
    decoded = decode_html(body)

    assert (decoded.encoding, decoded.source) == (encoding, source)
    assert all(word in decoded.text for word in words)
    assert "\ufffd" not in decoded.text


def test_truthful_http_charset_is_used():
    decoded = decode_html(page("bg_cp1251.html"), http_charset="windows-1251")

    assert (decoded.encoding, decoded.source) == ("cp1251", "http")


@pytest.mark.parametrize("lie", ["iso-8859-1", "ISO-8859-1", "latin1", "windows-1252", "utf-8"])
def test_lying_http_charset_on_cp1251_bytes_is_overruled(lie):
    decoded = decode_html(page("bg_cp1251_nometa.html"), http_charset=lie)

    assert (decoded.encoding, decoded.source) == ("cp1251", "detected")
    assert "Токаев" in decoded.text


@pytest.mark.parametrize("lie", ["iso-8859-1", "utf-8", "koi8-r", "x-mac-cyrillic", "cp866"])
def test_lying_http_charset_falls_through_to_a_truthful_meta(lie):
    decoded = decode_html(page("bg_cp1251.html"), http_charset=lie)

    assert (decoded.encoding, decoded.source) == ("cp1251", "meta")


def test_windows_1251_announced_for_koi8_bytes_is_overruled():
    decoded = decode_html(ru_without_meta(), http_charset="windows-1251")

    assert (decoded.encoding, decoded.source) == ("koi8-r", "detected")


def test_legacy_charset_announced_for_utf8_bytes_is_overruled():
    body = page("bg_cp1251_nometa.html").decode("cp1251").encode("utf-8")

    decoded = decode_html(body, http_charset="windows-1251")

    assert (decoded.encoding, decoded.source) == ("utf-8", "detected")
    assert "Токаев" in decoded.text


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
)
def test_byte_order_mark_wins_over_http_and_meta(bom, codec):
    text = page("bg_cp1251.html").decode("cp1251")
    body = bom + text.encode(codec)

    decoded = decode_html(body, http_charset="windows-1251")

    assert (decoded.encoding, decoded.source) == (codec, "bom")
    assert decoded.text == text


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r", "mac-cyrillic", "iso8859-5", "cp866"])
@pytest.mark.parametrize("text", [BG_ARTICLE, RU_ARTICLE], ids=["bg", "ru"])
def test_cyrillic_code_pages_are_told_apart(text, codec):
    decoded = decode_html(html_of(text).encode(codec))

    assert (decoded.encoding, decoded.source) == (codec, "detected")
    assert text in decoded.text


def test_short_koi8_text_is_not_taken_for_japanese():
    # charset-normalizer alone calls this shift_jis_2004.
    text = "Президентът Касим-Жомарт Токаев поиска от ОДКС съдействие за овладяване на протестите."

    decoded = decode_html(f"<p>{text}</p>".encode("koi8-r"))

    assert decoded.encoding == "koi8-r"
    assert text in decoded.text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Der Präsident Kasachstans bat das Bündnis um Hilfe. Größere Unruhen folgten.", "cp1252"),
        ("Le président a demandé l'aide de l'alliance, et l'été fut très agité.", "latin-1"),
        ("Ο πρόεδρος του Καζακστάν ζήτησε βοήθεια από τη συμμαχία και τους Ρώσους.", "cp1253"),
    ],
)
def test_other_single_byte_languages_are_not_read_as_cyrillic(text, codec):
    decoded = decode_html(f"<html><body><p>{text}</p></body></html>".encode(codec))

    # Which Latin code page the detector names for one short line is its own guess.
    assert not any("\u0400" <= ch <= "\u04ff" for ch in decoded.text)
    assert decoded.source == "detected"


def test_utf8_cut_mid_character_by_the_size_cap_stays_utf8():
    body = page("bg_cp1251.html").decode("cp1251").encode("utf-8") + "Токаев".encode()[:-1]

    for charset in ("utf-8", None):
        decoded = decode_html(body, http_charset=charset)
        assert decoded.encoding == "utf-8"
        assert "Казахстан" in decoded.text


@pytest.mark.parametrize("charset", ["rot13", "utf-7", "unicode_escape", "bogus-charset", ""])
def test_unknown_or_unsafe_declared_charsets_are_ignored(charset):
    decoded = decode_html(page("en_reuters_wire.html"), http_charset=charset)

    assert (decoded.encoding, decoded.source) == ("utf-8", "meta")


def test_meta_utf16_on_ascii_compatible_bytes_means_utf8():
    body = '<meta charset="utf-16"><p>Токаев</p>'.encode()

    decoded = decode_html(body)

    assert (decoded.encoding, decoded.source) == ("utf-8", "meta")
    assert "Токаев" in decoded.text


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00" * 100, bytes(range(256)) * 50, b"\xff" * 1000, b"<html>\x81\x8d\x8f</html>"],
    ids=["empty", "nul", "all-bytes", "ff", "undefined-cp1252"],
)
@pytest.mark.parametrize("charset", [None, "utf-8", "windows-1252", "utf-16"])
def test_garbage_never_raises(body, charset):
    decoded = decode_html(body, http_charset=charset)

    assert isinstance(decoded.text, str)
    assert decoded.source in {"bom", "http", "meta", "detected", "fallback"}


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b" ",
        b" \t\n",
        b"a",
        b" a",
        b"a ",
        b"\r\na\x0b\x0cb  c\t",
        b"\x1c\x1d\x85\xa0x",
        bytes(range(256)),
    ],
)
def test_collapsing_whitespace_of_the_sample_is_the_regex_substitution(text):
    # The sample decides between code pages: its bytes must not change with the implementation.
    assert _spaces_collapsed(text) == re.sub(rb"\s+", b" ", text)
