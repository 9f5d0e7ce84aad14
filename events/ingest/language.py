"""The language of an article, detected from its body text (titles are too short and often
carry a language-neutral name or quote).

Lingua compares n-gram models of a fixed newsroom set of languages. The set is deliberately
closed: every language costs about 30 MB of resident memory once its models are loaded, and
a language outside the set is better reported as unknown (low confidence) than guessed. The
detector is built on first use, once per process, with the models of exactly that set
preloaded, so detection never loads models mid-request and threads can share it.
"""

import threading
from dataclasses import dataclass

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

# The newsroom set: the Bulgarian newsroom's own language, its neighbours (and their easy
# confusions: Macedonian, Serbian, Russian), the post-Soviet languages of the first
# dataset, and the main European wire languages.
LANGUAGES: tuple[str, ...] = (
    "bg", "mk", "ru", "uk", "be", "sr", "kk",
    "en", "de", "fr", "es", "it", "pl", "ro", "el", "tr",
)  # fmt: skip
# Shorter texts carry too little evidence: a headline or a list of names.
MIN_LETTERS = 20
# Below this the top language is not clearly ahead (lingua's values are relative
# confidences summing to 1 over the set).
MIN_CONFIDENCE = 0.6
# The opening of a body is enough to tell its language; detection time grows with length
# (about 0.25 ms, then 0.1 ms per 100 characters). 300 characters are 40-odd words: bg, mk
# and ru news prose is told apart with full confidence from far less
# (tests/ingest/test_language.py). An opening that leaves the top language less than
# DECISIVE ahead is read again at MAX_CHARS, 80-odd words.
SAMPLE_CHARS = 300
MAX_CHARS = 600
DECISIVE = 0.9

_detector: LanguageDetector | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class LanguageGuess:
    code: str | None  # ISO 639-1, or None when unknown
    confidence: float


def language_detector() -> LanguageDetector:
    """The shared detector, built on first call. Call it at worker start-up (before forking,
    so children share the model pages) to keep the build time off the first article."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                codes = [IsoCode639_1.from_str(code) for code in LANGUAGES]
                _detector = (
                    LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


def detect_language(text: str) -> LanguageGuess:
    """The language of ``text`` (an article body), or ``code=None`` when the text is too short
    or no language of :data:`LANGUAGES` is clearly ahead."""
    sample = _sample(text, SAMPLE_CHARS)
    if sum(map(str.isalpha, sample)) < MIN_LETTERS:
        return LanguageGuess(code=None, confidence=0.0)
    detector = language_detector()
    values = detector.compute_language_confidence_values(sample)
    if len(sample) < len(text) and (not values or values[0].value < DECISIVE):
        values = detector.compute_language_confidence_values(_sample(text, MAX_CHARS))
    if not values:
        return LanguageGuess(code=None, confidence=0.0)
    best = values[0]
    if best.value < MIN_CONFIDENCE:
        return LanguageGuess(code=None, confidence=best.value)
    return LanguageGuess(code=best.language.iso_code_639_1.name.lower(), confidence=best.value)


def _sample(text: str, chars: int) -> str:
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > 0 else chars]
