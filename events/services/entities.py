"""Writes to entities and their aliases. The admin, the API and the editor pages call these.

Every write runs inside :func:`acting_as`, so the change log names the editor. Rules the
database enforces (unique slug, Wikidata id, alias per language, coordinates) are checked by
``full_clean`` first; a concurrent write that slips past the check still hits the constraint,
and :func:`constraint_errors` turns that into the same ValidationError naming the field.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from events.models import Entity, EntityAlias, User
from events.services.history import acting_as

ENTITY_FIELDS = ("name", "kind", "wikidata_id", "description", "latitude", "longitude", "slug")

# Constraint name → the field a client should fix.
ENTITY_CONSTRAINT_FIELDS = {
    "events_entity_slug_key": "slug",
    "entity_wikidata_id_unique": "wikidata_id",
    "entity_wikidata_id_format": "wikidata_id",
    "entity_coordinates_valid": "latitude",
    "entity_alias_unique_per_language": "name",
    "entity_alias_not_empty": "name",
}

# What a violated constraint means, for the editor who broke it.
CONSTRAINT_MESSAGES = {
    "entity_wikidata_id_unique": "another entity has this Wikidata id",
    "entity_wikidata_id_format": "expected a Wikidata item id such as Q232",
    "entity_coordinates_valid": "give both latitude and longitude, on the globe",
    "entity_alias_unique_per_language": "the entity already has this alias in this language",
    "entity_alias_not_empty": "an alias needs a name",
}

# Cyrillic → Latin, after the Bulgarian and Russian official romanisations (ъ is "a" in
# Bulgarian; Russian's hard and soft signs are dropped). Enough for readable ASCII slugs.
_LATIN = "a b v g d e z i y k l m n o p r s t u f h ts ch sh sht a _ yu ya yo y e i yi ye g u"
_CYRILLIC = dict(zip("абвгдезийклмнопрстуфхцчшщъьюяёыэіїєґў", _LATIN.split(), strict=True))
_CYRILLIC["ж"] = "zh"
_CYRILLIC["ь"] = ""


def transliterate(text: str) -> str:
    """Cyrillic letters spelled in Latin ones (case kept for the first letter); others kept."""
    out = []
    for char in text:
        latin = _CYRILLIC.get(char.lower())
        if latin is None:
            out.append(char)
        else:
            out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


def slug_for(text: str, *, max_length: int = 200) -> str:
    """An ASCII slug for ``text`` in the scripts we curate ("Протести в Алмати" →
    "protesti-v-almati")."""
    text = text.replace("\u2014", "-").replace("\u2013", "-")  # dashes: word breaks
    return slugify(transliterate(text), allow_unicode=False)[:max_length].strip("-")


def unique_slug(model: type[Any], base: str, *, max_length: int = 200) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever ``model`` does not have yet."""
    base = base or model.__name__.lower()
    taken = set(
        model.objects.filter(slug__startswith=base[: max_length - 4]).values_list("slug", flat=True)
    )
    candidate, n = base[:max_length], 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate


def _constraint_name(error: IntegrityError) -> str:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


@contextmanager
def constraint_errors(fields: Mapping[str, str]) -> Iterator[None]:
    """Run the block in a savepoint; a violated constraint becomes a ValidationError naming the
    field from ``fields`` (constraint name → field), or the whole request if unknown."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        name = _constraint_name(error)
        field = fields.get(name)
        message = f"conflicts with existing data ({name or 'constraint'})"
        if "unique" in name or name.endswith("_key"):
            message = "already exists"
        raise ValidationError({field: message} if field else message) from error


def full_clean_named(
    instance: Any, fields: Mapping[str, str], *, exclude: Iterable[str] = ()
) -> None:
    """``full_clean``, with a violated ``Meta.constraints`` entry reported on the field
    ``fields`` names for it (Django reports them for the whole object)."""
    excluded = set(exclude)
    instance.full_clean(exclude=excluded, validate_constraints=False)
    for constraint in instance._meta.constraints:
        try:
            constraint.validate(type(instance), instance, exclude=excluded)
        except ValidationError as error:
            field = fields.get(constraint.name)
            message = CONSTRAINT_MESSAGES.get(constraint.name, error.messages[0])
            raise ValidationError({field: message} if field else message) from error


def coordinates_check(latitude: float | None, longitude: float | None) -> None:
    """Both or neither, and on the globe (the database checks the same)."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise ValidationError({missing: "latitude and longitude go together"})
    if latitude is not None and not -90 <= latitude <= 90:
        raise ValidationError({"latitude": "must be between -90 and 90"})
    if longitude is not None and not -180 <= longitude <= 180:
        raise ValidationError({"longitude": "must be between -180 and 180"})


def _clean_fields(values: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "not a field that can be set"))
    return dict(values)


def entity_create(
    *,
    by: User | None,
    name: str,
    kind: str,
    slug: str | None = None,
    wikidata_id: str = "",
    description: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Entity:
    """A new entity; its slug is made from the name (transliterated) unless given."""
    name = name.strip()
    with acting_as(by):
        entity = Entity(
            name=name,
            kind=kind,
            slug=slug or unique_slug(Entity, slug_for(name)),
            wikidata_id=wikidata_id.strip(),
            description=description.strip(),
            latitude=latitude,
            longitude=longitude,
        )
        coordinates_check(entity.latitude, entity.longitude)
        full_clean_named(entity, ENTITY_CONSTRAINT_FIELDS)
        with constraint_errors(ENTITY_CONSTRAINT_FIELDS):
            entity.save()
    return entity


def entity_edit(*, entity: Entity, by: User | None, **fields: Any) -> Entity:
    """Change some of an entity's fields (:data:`ENTITY_FIELDS`)."""
    changes = _clean_fields(fields, ENTITY_FIELDS)
    with acting_as(by):
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        for field, value in changes.items():
            setattr(entity, field, value.strip() if isinstance(value, str) else value)
        coordinates_check(entity.latitude, entity.longitude)
        full_clean_named(entity, ENTITY_CONSTRAINT_FIELDS)
        with constraint_errors(ENTITY_CONSTRAINT_FIELDS):
            entity.save()
    return entity


def alias_add(
    *, entity: Entity, by: User | None, name: str, language: str = "", is_acronym: bool = False
) -> tuple[EntityAlias, bool]:
    """The alias ``name`` in ``language`` (created if new, matched case-insensitively) and
    whether it was created: adding the same alias twice is not an error."""
    name = name.strip()
    with acting_as(by):
        existing = EntityAlias.objects.filter(
            entity=entity, name__iexact=name, language=language
        ).first()
        if existing is not None:
            return existing, False
        alias = EntityAlias(entity=entity, name=name, language=language, is_acronym=is_acronym)
        full_clean_named(alias, ENTITY_CONSTRAINT_FIELDS)
        with constraint_errors(ENTITY_CONSTRAINT_FIELDS):
            alias.save()
        # The entity's row changes too, so caches keyed on entities (the alias matcher) renew.
        Entity.objects.filter(pk=entity.pk).update(updated_at=timezone.now())
    return alias, True


def alias_remove(*, alias: EntityAlias, by: User | None) -> None:
    with acting_as(by):
        entity_id = alias.entity_id
        alias.delete()
        Entity.objects.filter(pk=entity_id).update(updated_at=timezone.now())
