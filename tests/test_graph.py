"""The results graph: nodes named by their inputs, each computed once, recomputed only downstream of a change."""

from __future__ import annotations

import pytest

from kit.graph import Driver, Graph, GraphError


def _graph() -> Graph:
    def total(values):
        return sum(values)

    def scaled(total, factor):
        return total * factor

    def report(scaled, label):
        return f"{label}: {scaled}"

    def other(values):
        return len(values)

    return Graph([total, scaled, report, other])


def test_sources_are_the_inputs_no_node_produces():
    assert _graph().sources == {"values", "factor", "label"}


def test_each_node_is_computed_once_however_often_it_is_asked_for():
    d = Driver(_graph(), {"values": [1, 2, 3], "factor": 2, "label": "x"})
    assert d["report"] == "x: 12"
    assert d["scaled"] == 12 and d["report"] == "x: 12"
    assert d.computed == {"total": 1, "scaled": 1, "report": 1}


def test_changing_a_source_recomputes_only_what_is_downstream_of_it():
    d = Driver(_graph(), {"values": [1, 2, 3], "factor": 2, "label": "x"})
    d["report"], d["other"]
    stale = d.update(label="y")
    assert stale == {"report"}
    assert d["report"] == "y: 12"
    assert d.computed == {"total": 1, "scaled": 1, "report": 2, "other": 1}
    d.update(factor=3)
    assert d["report"] == "y: 18"
    assert d.computed == {"total": 1, "scaled": 2, "report": 3, "other": 1}


def test_an_unchanged_value_forgets_nothing():
    d = Driver(_graph(), {"values": [1, 2, 3], "factor": 2, "label": "x"})
    d["report"]
    assert d.update(factor=2) == set()
    d["report"]
    assert d.computed["scaled"] == 1


def test_a_provided_result_is_used_instead_of_computing_it():
    d = Driver(_graph(), {"values": [1, 2, 3], "factor": 2, "label": "x"})
    d.provide(scaled=100)
    assert d["report"] == "x: 100"
    assert "total" not in d.computed


def test_a_provided_result_forgets_what_was_computed_from_the_old_one():
    d = Driver(_graph(), {"values": [1, 2, 3], "factor": 2, "label": "x"})
    d["report"]
    assert d.provide(total=10) == {"scaled", "report"}
    assert d["report"] == "x: 20"
    assert d.computed == {"total": 1, "scaled": 2, "report": 2}


def test_a_loader_is_asked_before_computing_and_counted_apart():
    stored = {"scaled": 7}
    d = Driver(_graph(), {"values": [1], "factor": 2, "label": "x"}, load=lambda n: (n in stored, stored.get(n)))
    assert d["report"] == "x: 7"
    assert d.loaded == {"scaled": 1} and d.computed == {"report": 1}


def test_downstream_of_a_node_includes_indirect_dependants():
    g = _graph()
    assert g.downstream(["values"]) == {"total", "scaled", "report", "other"}
    assert g.upstream("report") == {"scaled", "total", "values", "factor", "label"}


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Driver(_graph(), {"values": []}), "missing source value(s): factor, label"),
        (lambda: Driver(_graph(), {"values": [], "factor": 1, "label": ""}).get("nope"), "no source or node named 'nope'"),
        (lambda: Driver(_graph(), {"values": [], "factor": 1, "label": ""}).update(nope=1), "no source named nope"),
    ],
)
def test_programming_errors_are_named(make, message):
    with pytest.raises(GraphError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_a_cycle_is_refused():
    def a(b):
        return b

    def b(a):
        return a

    with pytest.raises(GraphError, match="depends on itself"):
        Graph([a, b])
