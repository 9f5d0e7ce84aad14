"""Word diffs between consecutive versions of an update, as escaped HTML with <ins>/<del>."""

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from events.models import Article, Entity, Outlet, Update, UpdateRevision, UpdateVersion

# Words and the whitespace between them, so joining the pieces gives back the text.
_TOKENS = re.compile(r"\s+|[^\s]+")


def text_diff(old: str, new: str) -> SafeString:
    """``new`` with what was removed from ``old`` in <del> and what was added in <ins>;
    every piece of text is escaped."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@dataclass(frozen=True)
class Names:
    """Names of what version snapshots refer to by id (snapshots keep ids only)."""

    articles: dict[int, str]
    outlets: dict[int, str]
    entities: dict[int, str]

    @classmethod
    def of(cls, versions: Sequence[UpdateVersion]) -> "Names":
        """Three queries, however many versions and citations there are."""
        ids: dict[str, set[int]] = {"article": set(), "outlet": set(), "speaker": set()}
        for version in versions:
            for citation in version.citations:
                for key, found in ids.items():
                    if isinstance(citation.get(key), int):
                        found.add(citation[key])
        articles = Article.objects.filter(pk__in=ids["article"]).values_list("pk", "title")
        outlets = Outlet.objects.filter(pk__in=ids["outlet"]).values_list("pk", "name")
        entities = Entity.objects.filter(pk__in=ids["speaker"]).values_list("pk", "name")
        return cls(dict(articles), dict(outlets), dict(entities))

    def citation(self, citation: dict[str, Any]) -> str:
        parts = [
            self.entities.get(citation.get("speaker") or 0, ""),
            self.outlets.get(citation.get("outlet") or 0, ""),
            self.articles.get(citation.get("article") or 0, ""),
        ]
        text = " · ".join(part for part in parts if part)
        if citation.get("quote"):
            text += f": “{citation['quote']}”"
        return text


FIELD_LABELS = {
    "status": _("Status"),
    "occurred": _("Occurred at"),
    "headline": _("Headline"),
    "body": _("Body"),
    "citations": _("Citations"),
}


def _fields(version: UpdateVersion, names: Names) -> dict[str, str]:
    return {
        "status": str(version.get_status_display()),
        "occurred": f"{version.occurred_at:%Y-%m-%d %H:%M} ({version.occurred_precision})",
        "headline": version.headline,
        "body": version.body,
        "citations": "\n".join(names.citation(c) for c in version.citations),
    }


@dataclass(frozen=True)
class VersionChange:
    version: UpdateVersion
    changes: list[tuple[Any, SafeString]]


def version_changes(versions: Sequence[UpdateVersion]) -> list[VersionChange]:
    """Each version (newest first) with the fields that differ from the one before it; the
    first version shows everything it said."""
    ordered = sorted(versions, key=lambda v: v.version)
    names = Names.of(ordered)
    result = []
    previous: dict[str, str] | None = None
    for version in ordered:
        fields = _fields(version, names)
        changes = [
            (FIELD_LABELS[name], text_diff(previous[name] if previous else "", value))
            for name, value in fields.items()
            if previous is None and value or previous is not None and previous[name] != value
        ]
        result.append(VersionChange(version=version, changes=changes))
        previous = fields
    return result[::-1]


def revision_changes(update: Update, revision: UpdateRevision) -> list[tuple[Any, SafeString]]:
    """What publishing the waiting correction would change in the live line."""
    live = {
        "occurred": f"{update.occurred_at:%Y-%m-%d %H:%M} ({update.occurred_precision})",
        "headline": update.headline,
        "body": update.body,
    }
    proposed = {
        "occurred": f"{revision.occurred_at:%Y-%m-%d %H:%M} ({revision.occurred_precision})",
        "headline": revision.headline,
        "body": revision.body,
    }
    return [
        (FIELD_LABELS[name], text_diff(live[name], proposed[name]))
        for name in live
        if live[name] != proposed[name]
    ]
