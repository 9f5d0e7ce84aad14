from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: the services import the models, which need the app registry.
        from events.services.enrichment import connect_curation_signals

        connect_curation_signals(self)
