"""The sample Grafana dashboard asks only for series that /metrics exposes, with labels they have."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import AppFactory

DASHBOARD = Path(__file__).resolve().parents[2] / "docker" / "grafana" / "minbil-dashboard.json"
# labels Prometheus puts on every scraped series itself
TARGET_LABELS = {"instance", "job"}
SELECTOR = re.compile(r"\b(minbil_[a-z0-9_]+)\b(?:\{([^}]*)\})?")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
LEGEND_LABEL = re.compile(r"\{\{\s*(\w+)\s*\}\}")
MATCHER_LABEL = re.compile(r"(\w+)\s*(?:=~|!~|!=|=)")


def _targets(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for panel in panels:
        found += panel.get("targets", [])
        found += _targets(panel.get("panels", []))
    return found


def test_the_dashboard_is_grafana_json_with_unique_panels() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(panel["title"].lower() for panel in dashboard["panels"])
    for subject in ("requests", "p99", "5xx", "websocket", "subscriptions", "outbox lag", "relay", "hit ratio", "pool"):
        assert subject in titles, subject
    assert all(target["datasource"]["uid"] == "${datasource}" for target in _targets(dashboard["panels"]))


async def test_every_expression_names_series_that_metrics_exposes(app_factory: AppFactory) -> None:
    _, client = await app_factory()
    assert (await client.get("/health")).status_code == 200  # the request series exist after a request
    assert (await client.post("/graphql", json={"query": "{ __typename }"})).status_code == 200
    text = (await client.get("/metrics")).text
    labels_of: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels_of.setdefault(sample.name, set()).update(sample.labels)

    targets = _targets(json.loads(DASHBOARD.read_text())["panels"])
    assert len(targets) >= 12
    for target in targets:
        expr = target["expr"]
        selectors = SELECTOR.findall(expr)
        assert selectors, expr
        known = set(TARGET_LABELS)
        for name, matchers in selectors:
            assert name in labels_of, f"{name} is not exposed ({expr})"
            known |= labels_of[name]
            for label in MATCHER_LABEL.findall(matchers):
                assert label in labels_of[name] | TARGET_LABELS, f"{name} has no label {label} ({expr})"
        for grouping in GROUPING.findall(expr):
            for label in filter(None, (part.strip() for part in grouping.split(","))):
                assert label in known, f"no series of {expr} has the label {label}"
        for label in LEGEND_LABEL.findall(target.get("legendFormat", "")):
            assert label in known, f"the legend of {expr} names {label}"
