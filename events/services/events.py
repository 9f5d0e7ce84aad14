"""Writes to events: creation and edits, typed relations, participants, translations, merges.

The admin, the API and the editor pages call these; none writes Event rows itself. Every write
runs inside :func:`acting_as`, so the change log names the editor, and touches the event's
``updated_at`` (participants, translations and relations are part of what clients mirror).
A rule broken by the input is a ValidationError naming the field, never a database error.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from events.models import (
    ArticleEvent,
    Citation,
    Entity,
    Event,
    EventRelation,
    EventTranslation,
    LinkState,
    Participant,
    Precision,
    RelationKind,
    Update,
    User,
)
from events.models.common import validate_language_code
from events.services.entities import (
    constraint_errors,
    coordinates_check,
    full_clean_named,
    slug_for,
    unique_slug,
)
from events.services.history import acting_as

EDITABLE_FIELDS = (
    "title",
    "summary",
    "kind",
    "status",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "place",
    "place_entity",
    "latitude",
    "longitude",
)

EVENT_CONSTRAINT_FIELDS = {
    "events_event_slug_key": "slug",
    "event_end_after_start": "end",
    "event_coordinates_valid": "latitude",
    "relation_not_self": "target",
    "relation_unique_directed": "target",
    "relation_related_unique_undirected": "target",
    "participant_unique_role": "entity",
    "event_translation_unique": "language",
    "event_not_merged_into_itself": "into",
}

# Kinds whose reverse link would contradict the link: A part of B and B part of A.
_ACYCLIC_KINDS = (RelationKind.PART_OF, RelationKind.PRECEDES)
_SLUG_ATTEMPTS = 3


def _event_check(event: Event) -> None:
    coordinates_check(event.latitude, event.longitude)
    if event.start is not None and event.end is not None and event.end < event.start:
        raise ValidationError({"end": "the end must not be before the start"})
    if not event.title.strip():
        raise ValidationError({"title": "an event needs a title"})
    full_clean_named(event, EVENT_CONSTRAINT_FIELDS, exclude=["created_by"])


def event_live(event: Event, *, field: str = "event") -> Event:
    """``event``, locked against a concurrent merge (call inside the write's transaction); a
    ValidationError naming ``field`` when it was merged into another event: its page redirects
    there, so a line, link, participant or label added to it would never be seen."""
    locked = (
        Event.objects.select_for_update(no_key=True)
        .only("pk", "slug", "merged_into")
        .get(pk=event.pk)
    )
    if locked.merged_into_id is not None:
        winner = Event.objects.values_list("slug", flat=True).get(pk=locked.merged_into_id)
        raise ValidationError({field: f"{locked.slug} was merged into {winner}: use that event"})
    return locked


def _touch(*events: Event) -> None:
    Event.objects.filter(pk__in=[e.pk for e in events]).update(updated_at=timezone.now())


def event_create(
    *,
    by: User | None,
    title: str,
    kind: str,
    status: str,
    start: datetime | None = None,
    start_precision: str = Precision.DAY,
    end: datetime | None = None,
    end_precision: str = Precision.DAY,
    place: str = "",
    summary: str = "",
    slug: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Event:
    """A new event. Without ``slug`` one is made from the title (Cyrillic transliterated),
    with ``-2``, ``-3``… when taken; a given ``slug`` that is taken is a ValidationError."""
    event = Event(
        title=title.strip(),
        kind=kind,
        status=status,
        start=start,
        start_precision=start_precision,
        end=end,
        end_precision=end_precision,
        place=place.strip(),
        summary=summary.strip(),
        latitude=latitude,
        longitude=longitude,
        created_by=by,
    )
    for attempt in range(_SLUG_ATTEMPTS):
        event.slug = slug or unique_slug(Event, slug_for(title) or "event")
        with acting_as(by):
            _event_check(event)
            try:
                with constraint_errors(EVENT_CONSTRAINT_FIELDS):
                    event.save()
            except ValidationError as error:
                # Another editor took the generated slug between the check and the insert.
                if slug or "slug" not in error.message_dict or attempt == _SLUG_ATTEMPTS - 1:
                    raise
                event.pk = None
                continue
        return event
    raise AssertionError("unreachable")  # pragma: no cover


def event_edit(*, event: Event, by: User | None, **fields: Any) -> Event:
    """Change some of :data:`EDITABLE_FIELDS`. The slug is the event's identity in URLs and
    API clients and is never changed (merge two events instead)."""
    if "slug" in fields:
        raise ValidationError({"slug": "the slug cannot be changed"})
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "not a field that can be set"))
    with acting_as(by):
        event = Event.objects.select_for_update().get(pk=event.pk)
        for field, value in fields.items():
            setattr(event, field, value.strip() if isinstance(value, str) else value)
        _event_check(event)
        with constraint_errors(EVENT_CONSTRAINT_FIELDS):
            event.save()
    return event


# --- relations --------------------------------------------------------------------------------


def relation_find(*, source: Event, target: Event, kind: str) -> EventRelation | None:
    """The link that already says ``source kind target`` ("related" in either direction)."""
    same = Q(source=source, target=target, kind=kind)
    if kind == RelationKind.RELATED:
        same |= Q(source=target, target=source, kind=kind)
    return EventRelation.objects.filter(same).first()


def relation_add_or_get(
    *, source: Event, target: Event, kind: str, by: User | None, note: str = ""
) -> tuple[EventRelation, bool]:
    """The relation and whether it was created; adding an existing link returns it."""
    if source.pk == target.pk:
        raise ValidationError({"target": "an event cannot be related to itself"})
    if kind not in RelationKind.values:
        raise ValidationError({"kind": f"expected one of {', '.join(RelationKind.values)}"})
    with acting_as(by):
        # In id order: two editors linking the same pair both ways must not deadlock.
        for end, name in sorted([(source, "source"), (target, "target")], key=lambda e: e[0].pk):
            event_live(end, field=name)
        existing = relation_find(source=source, target=target, kind=kind)
        if existing is not None:
            return existing, False
        if kind in _ACYCLIC_KINDS and relation_find(source=target, target=source, kind=kind):
            raise ValidationError(
                {"target": f"{target.slug} already says the reverse ({kind} {source.slug})"}
            )
        relation = EventRelation(
            source=source, target=target, kind=kind, note=note.strip(), created_by=by
        )
        full_clean_named(relation, EVENT_CONSTRAINT_FIELDS, exclude=["created_by"])
        with constraint_errors(EVENT_CONSTRAINT_FIELDS):
            relation.save()
        _touch(source, target)
    return relation, True


def relation_add(*, source: Event, target: Event, kind: str, by: User | None) -> EventRelation:
    """``source kind target`` (the CSTO deployment response_to the protests); idempotent."""
    return relation_add_or_get(source=source, target=target, kind=kind, by=by)[0]


def relation_remove(*, relation: EventRelation, by: User | None) -> None:
    with acting_as(by):
        ends = [relation.source, relation.target]
        relation.delete()
        _touch(*ends)


# --- participants -----------------------------------------------------------------------------


def participant_add_or_get(
    *, event: Event, entity: Entity, role: str, by: User | None, note: str = ""
) -> tuple[Participant, bool]:
    """``entity`` takes part in ``event`` as ``role``; the same entity and role twice is one."""
    with acting_as(by):
        event_live(event)
        existing = Participant.objects.filter(event=event, entity=entity, role=role).first()
        if existing is not None:
            return existing, False
        participant = Participant(event=event, entity=entity, role=role, note=note.strip())
        full_clean_named(participant, EVENT_CONSTRAINT_FIELDS)
        with constraint_errors(EVENT_CONSTRAINT_FIELDS):
            participant.save()
        _touch(event)
    return participant, True


def participant_add(
    *, event: Event, entity: Entity, role: str, by: User | None, note: str = ""
) -> Participant:
    return participant_add_or_get(event=event, entity=entity, role=role, by=by, note=note)[0]


def participant_remove(*, participant: Participant, by: User | None) -> None:
    with acting_as(by):
        event = participant.event
        participant.delete()
        _touch(event)


# --- translations -----------------------------------------------------------------------------


def _translation_language(language: str) -> str:
    try:
        validate_language_code(language)
    except ValidationError as error:
        raise ValidationError({"language": error.messages}) from error
    if language == "en":
        raise ValidationError(
            {"language": "English is the event's own title and summary: edit the event"}
        )
    return language


def translation_set(
    *, event: Event, language: str, title: str, by: User | None, summary: str = ""
) -> EventTranslation:
    """The event's title and summary in ``language``, created or replaced."""
    language = _translation_language(language)
    if not title.strip():
        raise ValidationError({"title": "a translation needs a title"})
    with acting_as(by):
        event_live(event)
        translation = EventTranslation.objects.select_for_update().filter(
            event=event, language=language
        ).first() or EventTranslation(event=event, language=language)
        translation.title = title.strip()
        translation.summary = summary.strip()
        full_clean_named(translation, EVENT_CONSTRAINT_FIELDS)
        with constraint_errors(EVENT_CONSTRAINT_FIELDS):
            translation.save()
        _touch(event)
    return translation


def translation_remove(*, event: Event, language: str, by: User | None) -> bool:
    """Drop the event's labels in ``language``; False when there were none."""
    with acting_as(by):
        deleted, _ = EventTranslation.objects.filter(event=event, language=language).delete()
        if deleted:
            _touch(event)
    return bool(deleted)


# --- merges -----------------------------------------------------------------------------------


def _links_merge(loser: Event, winner: Event) -> None:
    """Article links move to the winner; where it has one for the same article, an editor's
    decision on the loser's link wins over the winner's mere suggestion."""
    theirs = {link.article_id: link for link in ArticleEvent.objects.filter(event=winner)}
    for link in ArticleEvent.objects.filter(event=loser, article_id__in=list(theirs)):
        kept = theirs[link.article_id]
        if kept.state == LinkState.SUGGESTED and link.state != LinkState.SUGGESTED:
            kept.state, kept.origin = link.state, link.origin
            kept.decided_by_id, kept.decided_at = link.decided_by_id, link.decided_at
        kept.score = max(kept.score, link.score)
        kept.save()
        link.delete()
    ArticleEvent.objects.filter(event=loser).update(event=winner)


def _relations_merge(loser: Event, winner: Event) -> None:
    """Relations move to the winner; a link that would join the winner to itself or repeat
    one it has is dropped, its citations kept on the link that stays. A move that would make
    a part_of or precedes link contradict another (A part of B and B part of A) refuses the
    merge."""
    for relation in EventRelation.objects.filter(Q(source=loser) | Q(target=loser)):
        source = winner if relation.source_id == loser.pk else relation.source
        target = winner if relation.target_id == loser.pk else relation.target
        if source.pk == target.pk:
            relation.delete()
            continue
        existing = relation_find(source=source, target=target, kind=relation.kind)
        if relation.kind in _ACYCLIC_KINDS and relation_find(
            source=target, target=source, kind=relation.kind
        ):
            raise ValidationError(
                {
                    "into": f"after the merge {source.slug} and {target.slug} would each be"
                    f" {relation.kind} the other; remove one of the two links first"
                }
            )
        if existing is not None:
            Citation.objects.filter(relation=relation).update(relation=existing)
            relation.delete()
        else:
            relation.source, relation.target = source, target
            relation.save(update_fields=["source", "target", "updated_at"])


def _participants_merge(loser: Event, winner: Event) -> None:
    held = set(Participant.objects.filter(event=winner).values_list("entity_id", "role"))
    for participant in Participant.objects.filter(event=loser):
        if (participant.entity_id, participant.role) in held:
            participant.delete()
        else:
            participant.event = winner
            participant.save(update_fields=["event"])


def event_merge(*, loser: Event, winner: Event, by: User | None) -> Event:
    """Fold ``loser`` into ``winner``: its article links, updates, relations, participants and
    the translations the winner lacks move over; ``loser`` stays as a tombstone whose slug
    redirects to ``winner`` (``merged_into``), its status unchanged. Returns the winner."""
    if loser.pk == winner.pk:
        raise ValidationError({"into": "an event cannot be merged into itself"})
    with acting_as(by):
        locked = {
            e.pk: e for e in Event.objects.select_for_update().filter(pk__in=[loser.pk, winner.pk])
        }
        loser, winner = locked[loser.pk], locked[winner.pk]
        if loser.merged_into_id is not None:
            raise ValidationError({"into": f"{loser.slug} was already merged"})
        if winner.merged_into_id is not None:
            raise ValidationError({"into": f"{winner.slug} was itself merged into another event"})
        _links_merge(loser, winner)
        Update.objects.filter(event=loser).update(event=winner)
        _relations_merge(loser, winner)
        _participants_merge(loser, winner)
        languages = winner.translations.values_list("language", flat=True)
        EventTranslation.objects.filter(event=loser).exclude(language__in=languages).update(
            event=winner
        )
        Event.objects.filter(merged_into=loser).update(merged_into=winner)
        loser.merged_into = winner
        loser.save(update_fields=["merged_into", "updated_at"])
        _touch(winner)
    return winner
