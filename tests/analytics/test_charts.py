"""Every chart's Vega-Lite specification is valid against the schema altair ships (the charts are built without
altair's own validation, which costs more than a page's figures)."""

from __future__ import annotations

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from shieldwall.analytics import charts, selectors, views_support
from shieldwall.analytics.models import DataSource
from shieldwall.core.actor import Actor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", charts.CHARTS)
def test_chart_spec_is_valid_vega_lite(kiel: DataSource, name: str) -> None:
    filters = selectors.Filters()
    rows = views_support.chart_rows(name, actor=Actor.anonymous(), source=kiel, filters=filters)
    spec = views_support.chart_spec(name, rows, source=kiel, filters=filters)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    validate_jsonschema(spec, load_schema(), raise_error=True)
