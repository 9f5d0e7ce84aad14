"""URL canonicalisation: every link to the same story collapses to one canonical URL.

Only changes that cannot alter what the server returns are made (RFC 3986 syntax-based
normalisation), plus the removal of known tracking parameters. Unknown parameters are kept in
their order and spelling: dropping a meaningful one (`?id=`, `?page=`) would merge different
articles, which is worse than keeping two variants apart.

courlan is used for the registrable domain (public-suffix aware, through `tld`) only; its
`normalize_url` sorts parameters, drops blank ones and treats `source`, `ref`, `session`,
`campaign` or `uid` as trackers, so it is not used to build the canonical form.
"""

import ipaddress
import re
from urllib.parse import SplitResult, quote, unquote_plus, urljoin, urlsplit, urlunsplit

import idna
from courlan import extract_domain

_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "ttclid",
        "yclid", "ysclid", "igshid", "igsh", "li_fat_id", "srsltid", "rb_clickid", "wickedid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp",
        "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv",
        "s_kwcid", "ef_id", "ref_src", "ref_url", "ocid",
    }
)  # fmt: skip
# AT Internet (Piano) parameters, which the BBC and other broadcasters add to feed links. Listed
# one by one because a bare `at_` prefix would also catch parameters that select content.
_AT_INTERNET = re.compile(
    r"at_(?:medium|campaign|campaign_type|custom\d+|link|link_id|link_origin|link_type"
    r"|ptr_name|ptr_type|format|bbc_team|creation|send_date|platform|origin|term|content)"
)
_ASCII_HOST = re.compile(r"[a-z0-9_.-]+")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/:@!$&'()*+,;="
_QUERY_SAFE = "/?:@!$'()*+,;="


class InvalidURL(ValueError):
    """Not an absolute http(s) URL with a usable host; the message is one line."""


def canonical_url(url: str) -> str:
    """The canonical form of an absolute http(s) URL; idempotent."""
    parts = _split(url)
    netloc = _netloc(parts)
    path = _remove_dot_segments(_normalise_escapes(parts.path, _PATH_SAFE)) or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, _strip_tracking(parts.query), ""))


def url_host(url: str) -> str:
    """The lower-case ASCII (IDNA) host of an http(s) URL, without port or IPv6 brackets."""
    return _host(_split(url)).strip("[]")


def accept_rel_canonical(page_url: str, rel_canonical: str | None) -> str | None:
    """The page's `rel=canonical`, canonicalised, if the page may claim it, else None.

    A page can only claim a URL on its own registrable domain (news.bbc.co.uk may point at
    www.bbc.co.uk, not at another site), and an article cannot claim to be the site's front
    page, a common CMS misconfiguration that would merge every article into one.
    Raises InvalidURL if page_url itself is invalid.
    """
    page = canonical_url(page_url)
    if not rel_canonical or not rel_canonical.strip():
        return None
    try:
        candidate = canonical_url(urljoin(page_url, rel_canonical.strip()))
    except InvalidURL:
        return None
    if _site(candidate) != _site(page):
        return None
    if urlsplit(candidate).path == "/" and urlsplit(page).path != "/":
        return None
    return candidate


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise InvalidURL(f"unparsable URL {_shown(url)}: {exc}") from exc
    if parts.scheme.lower() not in _SCHEMES:
        raise InvalidURL(f"not an http(s) URL: {_shown(url)}")
    if not parts.hostname:
        raise InvalidURL(f"URL has no host: {_shown(url)}")
    return parts


def _netloc(parts: SplitResult) -> str:
    host = _host(parts)
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"bad port in URL {_shown(parts.geturl())}") from exc
    if port is None or port == _DEFAULT_PORTS[parts.scheme.lower()]:
        return host
    return f"{host}:{port}"


def _host(parts: SplitResult) -> str:
    """Userinfo is dropped: it is never part of an article's identity and must not be stored."""
    host = (parts.hostname or "").rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    if not host.isascii():
        host = _idna(host, parts)
    if not _ASCII_HOST.fullmatch(host):
        raise InvalidURL(f"bad host in URL {_shown(parts.geturl())}")
    return host


def _idna(host: str, parts: SplitResult) -> str:
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        pass
    try:
        # IDNA 2003 still resolves some names (symbols, emoji) that IDNA 2008 rejects.
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidURL(f"bad international host in URL {_shown(parts.geturl())}") from exc


def _strip_tracking(query: str) -> str:
    # Pieces are kept verbatim (apart from escapes) so that `a=b+c`, `flag` and `x=` survive
    # exactly; re-encoding a parsed dict would change them.
    kept = [piece for piece in query.split("&") if piece and not _is_tracking(piece)]
    return "&".join(_normalise_escapes(piece, _QUERY_SAFE) for piece in kept)


def _is_tracking(piece: str) -> bool:
    key = unquote_plus(piece.split("=", 1)[0]).strip().lower()
    return key in _TRACKING_PARAMS or key.startswith("utm_") or bool(_AT_INTERNET.fullmatch(key))


def _normalise_escapes(text: str, safe: str) -> str:
    """Upper-case escapes, decode escaped unreserved characters, encode the rest (UTF-8)."""
    text = _STRAY_PERCENT.sub("%25", text)
    text = _ESCAPE.sub(_normalise_escape, text)
    return quote(text, safe=safe + "%")


def _normalise_escape(match: re.Match[str]) -> str:
    char = chr(int(match[1], 16))
    return char if char in _UNRESERVED else f"%{match[1].upper()}"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for absolute paths."""
    if "." not in path:
        return path
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if segments[-1] in (".", ".."):
        kept.append("")
    return "/".join(kept)


def _site(url: str) -> str:
    """The registrable domain, or the exact host where there is none (IP, localhost)."""
    return extract_domain(url) or url_host(url)


def _shown(url: str) -> str:
    return repr(url[:200])
