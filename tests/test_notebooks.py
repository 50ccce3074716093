"""One contract for every phase notebook in the registry (scikit-learn's "common checks" idea)."""

from __future__ import annotations

import ast
import typing

import nbformat
import papermill
import pytest

from kit.phases import PHASES
from kit.runner import BASE_PARAMETERS

PHASE_IDS = [p.name for p in PHASES]


def cells(phase):
    return nbformat.read(phase.path, as_version=4).cells


def parameters_cell(phase):
    tagged = [c for c in cells(phase) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    return tagged[0]


@pytest.mark.parametrize("phase", PHASES, ids=PHASE_IDS)
def test_parameters_are_typed_commented_and_all_understood_by_papermill(phase):
    source = parameters_cell(phase).source
    assigned = [node.target.id for node in ast.parse(source).body if isinstance(node, ast.AnnAssign)]
    assert len(assigned) == len([line for line in source.splitlines() if line.strip()]), "every line is `name: type = value`"
    assert assigned[:3] == list(BASE_PARAMETERS)
    inspected = papermill.inspect_notebook(str(phase.path))
    assert list(inspected) == assigned  # a line papermill cannot parse would be missing here
    for name, info in inspected.items():
        assert info["inferred_type_name"] != "None", f"{name} has no type"
        assert info["help"], f"{name} has no comment saying what it is"


@pytest.mark.parametrize("phase", PHASES, ids=PHASE_IDS)
def test_notebook_is_committed_without_outputs(phase):
    for cell in cells(phase):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


LOGIC = (ast.FunctionDef, ast.ClassDef, ast.Lambda, ast.If, ast.IfExp, ast.For, ast.While, ast.BoolOp,
         ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)  # fmt: skip


@pytest.mark.parametrize("phase", PHASES, ids=PHASE_IDS)
def test_notebook_holds_no_logic(phase):
    """No definitions, conditionals, loops, `and`/`or` or comprehensions: a cell calls kit."""
    for cell in cells(phase):
        if cell.cell_type == "code":
            found = [type(n).__name__ for n in ast.walk(ast.parse(cell.source)) if isinstance(n, LOGIC)]
            assert not found, f"{found} in: {cell.source[:120]}"


@pytest.mark.parametrize("phase", PHASES, ids=PHASE_IDS)
def test_notebook_renders_its_result_from_the_engagement_model(phase):
    """The result comes from the one model (`nb.model(...).result(<phase>)`), never from an
    analysis called in the notebook; the runner persists it, so the notebook records nothing."""
    code = "\n".join(c.source for c in cells(phase) if c.cell_type == "code").replace("'", '"')
    assert f'nb.model(eng, output_dir, "{phase.name}"' in code
    assert f'model.result("{phase.name}")' in code
    assert "analyze" not in code and "nb.record(" not in code
    assert "dt.date.today()" not in code  # the run's date comes from the runner (run_date)


@pytest.mark.parametrize("phase", PHASES, ids=PHASE_IDS)
def test_title_cell_is_hidden_in_reports_where_the_header_block_shows_it(phase):
    first = cells(phase)[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "remove-cell" in first.metadata.get("tags", [])


def option_type_name(annotation) -> str:
    """The type a notebook annotates an option with: `Literal["a", "b"]` is a `str`, `Literal[0, 30]` an `int`."""
    if typing.get_origin(annotation) is typing.Literal:
        (kind,) = {type(v) for v in typing.get_args(annotation)}
        return kind.__name__
    return annotation.__name__


@pytest.mark.parametrize("phase", PHASES, ids=PHASE_IDS)
def test_notebook_parameters_are_its_options_model_names_types_defaults_and_comments(phase):
    inspected = papermill.inspect_notebook(str(phase.path))
    notebook = {
        name: (info["inferred_type_name"], ast.literal_eval(info["default"]), info["help"])
        for name, info in inspected.items()
        if name not in BASE_PARAMETERS
    }
    model = {
        name: (option_type_name(field.annotation), field.default, field.description)
        for name, field in phase.options.model_fields.items()
    }
    assert notebook == model
    for name, (kind, default, _) in model.items():  # 60 == 60.0, so check the kinds too
        assert type(default).__name__ == kind, f"{name}: default {default!r} is not a {kind}"
