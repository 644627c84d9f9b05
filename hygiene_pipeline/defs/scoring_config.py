"""`ScoringResource`: every scoring threshold and weight as typed Dagster configuration.

The fields are generated from `ScoringSettings` (the domain's one documented list of
parameters), so the UI's launchpad shows each with its default and description and nothing is
declared twice. Times of day are configured as `"HH:MM"` text."""

from dataclasses import MISSING, fields
from datetime import time
from typing import Any, get_type_hints

from dagster import ConfigurableResource
from pydantic import Field, create_model

from hygiene_pipeline.scoring.settings import ScoringSettings


class _ScoringResourceBase(ConfigurableResource):
    def settings(self) -> ScoringSettings:
        """The configured values as the domain's settings object."""
        return ScoringSettings.from_mapping(self.model_dump())


def _field_definitions() -> dict[str, Any]:
    hints = get_type_hints(ScoringSettings)
    definitions: dict[str, Any] = {}
    for spec in fields(ScoringSettings):
        default = spec.default_factory() if spec.default is MISSING else spec.default
        annotation = hints[spec.name]
        if annotation is time:
            annotation, default = str, default.strftime("%H:%M")
        description = spec.metadata["description"]
        definitions[spec.name] = (annotation, Field(default=default, description=description))
    return definitions


ScoringResource = create_model(
    "ScoringResource",
    __base__=_ScoringResourceBase,
    __doc__="Status, staleness, intent and compliance parameters (see docs/scoring_rules.md).",
    **_field_definitions(),
)
