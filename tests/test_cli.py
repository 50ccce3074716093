"""What `kit` parses itself (commands as a user runs them are in tests/e2e)."""

from __future__ import annotations

import pytest
import typer

from kit.cli import _parse_params


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("top_specs=3", {"top_specs": 3}),
        ("hours_per_level=-1", {"hours_per_level": -1}),
        ("hours_per_level=1e3", {"hours_per_level": 1000.0}),  # text to YAML 1.1, a number to a consultant
        ("roi_ranking.ranking=point", {"roi_ranking.ranking": "point"}),
        ("02.top_n=2", {"02.top_n": 2}),
        ("top_n=[1", {"top_n": "[1"}),  # not YAML: kept as text, for the option's check to reject
        ("ranking=", {"ranking": ""}),
    ],
)
def test_param_values_are_read_as_yaml(item, expected):
    assert _parse_params([item]) == expected


@pytest.mark.parametrize("item", ["top_specs", "=3", "top specs=3", "roi_ranking.=point"])
def test_param_without_a_name_is_a_usage_error(item):
    with pytest.raises(typer.BadParameter, match="must look like name=value"):
        _parse_params([item])
