"""The results graph: every analysis result is a node that names its inputs, computed once.

A node is a plain function; its parameter names are its inputs (as in Hamilton): a source value
(an intake table, ``settings``, a phase's options) or another node's result. A ``Driver`` holds
the source values of one engagement, computes a node on first request (its inputs first), keeps
the result and counts computations. Changing a source (``Driver.update``) forgets exactly the
nodes downstream of it, so the next request recomputes only what changed: a live widget that
moves one phase's option refits nothing upstream of that phase.

Why a small driver of our own and not Hamilton: the graph has a dozen nodes, results are frozen
dataclasses persisted by the runner, and the two features the kit needs, in-memory invalidation
of what is downstream of a changed source and a count of computations per node, take less code
here than an adapter there. The node functions follow Hamilton's convention (function name =
node, parameter names = inputs), so moving to Hamilton stays a small change.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Node:
    """One result: `name` is what other nodes call it, `inputs` the names it reads."""

    name: str
    func: Callable[..., Any]
    inputs: tuple[str, ...]

    @classmethod
    def of(cls, func: Callable[..., Any], name: str | None = None) -> Node:
        params = inspect.signature(func).parameters.values()
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
            raise TypeError(f"node {func.__name__}: inputs must be named parameters")
        return cls(name or func.__name__, func, tuple(p.name for p in params))


class GraphError(Exception):
    """A node or source that does not exist, or a cycle: a programming error, named plainly."""


class Graph:
    """A set of nodes; source names are the inputs that no node produces."""

    def __init__(self, nodes: Iterable[Node | Callable[..., Any]]):
        self.nodes: dict[str, Node] = {}
        for item in nodes:
            node = item if isinstance(item, Node) else Node.of(item)
            if node.name in self.nodes:
                raise GraphError(f"node {node.name!r} is defined twice")
            self.nodes[node.name] = node
        self._check_acyclic()

    @property
    def sources(self) -> set[str]:
        return {i for n in self.nodes.values() for i in n.inputs} - set(self.nodes)

    def upstream(self, name: str) -> set[str]:
        """Every node and source `name` depends on (not itself)."""
        seen: set[str] = set()
        stack = list(self.nodes[name].inputs) if name in self.nodes else []
        while stack:
            item = stack.pop()
            if item in seen:
                continue
            seen.add(item)
            if item in self.nodes:
                stack.extend(self.nodes[item].inputs)
        return seen

    def downstream(self, names: Iterable[str]) -> set[str]:
        """Every node that depends, directly or not, on one of `names` (sources or nodes)."""
        changed = set(names)
        out: set[str] = set()
        grew = True
        while grew:
            grew = False
            for node in self.nodes.values():
                if node.name not in out and changed.intersection(node.inputs):
                    out.add(node.name)
                    changed.add(node.name)
                    grew = True
        return out

    def _check_acyclic(self) -> None:
        for name in self.nodes:
            if name in self.upstream(name):
                raise GraphError(f"node {name!r} depends on itself")


@dataclass(frozen=True)
class Deferred:
    """A source value produced on first use (`produce()`), e.g. a table read only if a node needs it."""

    produce: Callable[[], Any]


class Driver:
    """Computes the nodes of `graph` from `sources`, each once until a source it depends on changes."""

    def __init__(
        self, graph: Graph, sources: Mapping[str, Any], load: Callable[[str], tuple[bool, Any]] | None = None,
        store: Callable[[str, Any], None] | None = None,
    ):  # fmt: skip
        """`load(name) -> (found, value)`, when given, is asked for a node's result before it is
        computed (e.g. results persisted by the run that this notebook renders, or kept by an
        earlier run); `store(name, value)` is told each result computed here. A source value may be
        `Deferred`: it is produced the first time something reads it."""
        missing = graph.sources - set(sources)
        if missing:
            raise GraphError(f"missing source value(s): {', '.join(sorted(missing))}")
        self.graph = graph
        self._sources = dict(sources)
        self._results: dict[str, Any] = {}
        self._load = load
        self._store = store
        self.computed: Counter[str] = Counter()  # node -> times computed
        self.loaded: Counter[str] = Counter()  # node -> times read back through `load`

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def get(self, name: str) -> Any:
        """The value of a source or node (computed now if it is not known yet)."""
        if name in self._sources:
            value = self._sources[name]
            if isinstance(value, Deferred):
                value = self._sources[name] = value.produce()
            return value
        if name in self._results:
            return self._results[name]
        node = self.graph.nodes.get(name)
        if node is None:
            raise GraphError(f"no source or node named {name!r}")
        if self._load is not None:
            found, value = self._load(name)
            if found:
                self._results[name] = value
                self.loaded[name] += 1
                return value
        value = node.func(**{i: self.get(i) for i in node.inputs})
        self._results[name] = value
        self.computed[name] += 1
        if self._store is not None:
            self._store(name, value)
        return value

    def known(self, name: str) -> bool:
        """Whether `name` has a value now (a source, or a node already computed)."""
        return name in self._sources or name in self._results

    def results(self) -> dict[str, Any]:
        """Every node result known now, by node name."""
        return dict(self._results)

    def provide(self, **results: Any) -> set[str]:
        """Set node results decided elsewhere (e.g. a phase whose report failed); forgets the
        nodes downstream of them. Returns the forgotten nodes."""
        unknown = set(results) - set(self.graph.nodes)
        if unknown:
            raise GraphError(f"no node named {', '.join(sorted(unknown))}")
        stale = self.graph.downstream(results) - set(results)
        for name in stale:
            self._results.pop(name, None)
        self._results.update(results)
        return stale

    def update(self, **sources: Any) -> set[str]:
        """Replace source values; forget the nodes downstream of them. Returns the forgotten nodes."""
        unknown = set(sources) - set(self._sources)
        if unknown:
            raise GraphError(f"no source named {', '.join(sorted(unknown))}")
        changed = {k for k, v in sources.items() if not _same(self._sources[k], v)}
        self._sources.update(sources)
        stale = self.graph.downstream(changed)
        for name in stale:
            self._results.pop(name, None)
        return stale


def _same(old: Any, new: Any) -> bool:
    """Whether a source value did not change: the same object, or equal plain values (options,
    settings, numbers). Tables are compared by identity only."""
    if old is new:
        return True
    if hasattr(old, "equals") or hasattr(new, "equals"):  # DataFrame / Series: identity only
        return False
    try:
        return bool(old == new)
    except (TypeError, ValueError):
        return False
