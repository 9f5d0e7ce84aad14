"""Content fingerprints: an exact hash of the normalised text and a MinHash signature with LSH
band keys for near-duplicates (a syndicated wire story at another outlet).

A database indexes the band keys and finds candidates by key equality, so the cost per article
does not grow with the corpus; candidates are then confirmed with :func:`similarity`. How
:data:`NEAR_DUPLICATE_THRESHOLD`, the shingle length and the banding were chosen, with the
measured numbers, is in ``docs/duplicates.md``.

Stored fingerprints depend on every constant below and on :func:`normalize_text`: changing any
of them means re-fingerprinting the stored articles.
"""

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

SHINGLE_WORDS = 3
# 42 bands of 3 rows: a pair at the threshold shares a band key with probability 0.98, a pair
# of same-topic stories (typically Jaccard 0.01) with probability 0.00004.
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
SEED = 20220102
# Between the syndicated copies (lowest 0.60) and the different stories on the same topic
# (highest 0.21) of the evaluation set, nearer the copies: marking a distinct story as a copy
# hides it from lists, which costs more than one uncaught copy. See docs/duplicates.md.
NEAR_DUPLICATE_THRESHOLD = 0.45
# Explicit, so that a library default cannot silently change stored signatures.
_SCHEME = "affine32"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME).permutations
_A, _B = (np.asarray(values, dtype=np.uint32).reshape(1, -1) for values in _PERMUTATIONS)

# Invisible characters that split or join words differently from copy to copy.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# After casefolding: Russian writes ё or е for the same letter, copy by copy.
_LETTERS = str.maketrans({"ё": "е"})
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Fingerprint:
    content_hash: str  # sha256 hex of the normalised text
    minhash: tuple[int, ...]  # NUM_PERM unsigned 32-bit values; empty for text without words
    band_keys: tuple[int, ...]  # BANDS signed 64-bit keys; empty for text without words


def normalize_text(text: str) -> str:
    """Words of ``text`` in a form that does not depend on typography: NFKC, casefolded, every
    run of punctuation, quotes, dashes, symbols and whitespace made one space."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_LETTERS)
    return _NON_WORD.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def fingerprint(text: str) -> Fingerprint:
    normalized = normalize_text(text).encode("utf-8")
    digest = hashlib.sha256(normalized).hexdigest()
    shingles = _shingles(normalized.split())
    if not shingles:
        return Fingerprint(content_hash=digest, minhash=(), band_keys=())
    values = tuple(_minhash(shingles).tolist())
    return Fingerprint(content_hash=digest, minhash=values, band_keys=band_keys(values))


def _minhash(shingles: list[bytes]) -> np.ndarray:
    """What datasketch's ``MinHash.update_batch`` computes for the affine32 scheme with its
    default hash (the first 4 bytes of SHA-1, little-endian), without its per-shingle Python
    calls: the MurmurHash3 finaliser, then ``a * h + b`` modulo 2**32 per permutation, the
    minimum over shingles. tests/ingest/test_fingerprint.py compares it with datasketch."""
    digests = b"".join([hashlib.sha1(shingle).digest()[:4] for shingle in shingles])  # noqa: S324
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint32).reshape(-1, 1)
    hashes ^= hashes >> np.uint32(16)
    hashes *= np.uint32(0x85EBCA6B)
    hashes ^= hashes >> np.uint32(13)
    hashes *= np.uint32(0xC2B2AE35)
    hashes ^= hashes >> np.uint32(16)
    return (hashes * _A + _B).min(axis=0)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets; 0.0 when either has no
    signature or the signatures were made with different parameters."""
    if not a.minhash or len(a.minhash) != len(b.minhash):
        return 0.0
    return sum(x == y for x, y in zip(a.minhash, b.minhash, strict=True)) / len(a.minhash)


def band_keys(minhash: tuple[int, ...]) -> tuple[int, ...]:
    """One key per band of ROWS values: two texts become candidates when any key is equal,
    with probability 1 - (1 - s**ROWS)**BANDS at similarity s."""
    keys = []
    for band in range(len(minhash) // ROWS):
        values = minhash[band * ROWS : (band + 1) * ROWS]
        packed = struct.pack(f"<I{ROWS}I", band, *values)
        digest = hashlib.blake2b(packed, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def candidate_probability(similarity: float) -> float:
    """The LSH S-curve: how likely two texts this similar share at least one band key."""
    return 1 - (1 - similarity**ROWS) ** BANDS


def _shingles(words: list[bytes]) -> list[bytes]:
    """Runs of SHINGLE_WORDS words (UTF-8), space-separated."""
    if len(words) < SHINGLE_WORDS:
        return [b" ".join(words)] if words else []
    return [b" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]
