"""Incremental runs: what one `kit run` computed, kept for the next run of the same engagement.

The cache lives in the engagement's reports folder, `<reports>/<slug>/.cache/` (git-ignored: a
`.gitignore` of its own), beside the run folders. It holds four kinds of entry, each a file
(or folder) named by a key, the sha256 of everything the entry was computed from:

* `tables/<table>-<key>.pkl`: an intake table as loaded (typed, pseudonymized) with the problems
  found in it. Key: the kit's code fingerprint, the table's name and file label, the file's
  sha256, the pseudonym key's digest and whether pseudonyms are on.
* `nodes/<node>-<key>.pkl`: a result of the engagement model (`kit.model`). Key: the node's name
  and the keys of its inputs (source keys: each table's key, the settings, `as_of`, what is
  missing, each phase's options; a node set from outside, e.g. a phase not selected, is keyed by
  what it was set to), so a changed table reaches exactly the nodes downstream of it.
* `renders/<phase>-<key>/`: a phase's executed notebook, its HTML and the pages it wrote. Key:
  the keys of every node and source the phase reads, its notebook file, its parameters (options,
  run date), the engagement's warnings and the status of the phases it reports on.
* `decks/<slug>-<key>.pkl`: the run's steering-committee deck and the run id it was built for
  (`kit.deck.deck_key`: the records it reads, the settings, the run date, the run id's length).

Every key starts from `fingerprint()`: the kit's version and the bytes of its own code and
templates, so an entry written by another kit version (or an edited kit) is never read; other
settings or options give other keys. Entries are written atomically (temp file, then rename) and
only from results that exist, so a failed or interrupted run leaves the cache as it was plus
complete entries; an entry that cannot be read is treated as absent. `kit run --force` reads no
entry (and writes fresh ones); deleting `.cache/` is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CACHE_DIR = ".cache"
_CODE_SUFFIXES = {".py", ".j2", ".jinja", ".html", ".css", ".js", ".tpl", ".json", ".csv", ".md", ".txt"}


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """The kit's version and a digest of its own files (code, templates, data): the root of every key."""
    import kit

    digest = hashlib.sha256(kit.__version__.encode())
    package = Path(kit.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def digest(*parts: Any) -> str:
    """sha256 of `parts` as canonical JSON (sorted keys; anything else by `str`)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class RunCache:
    """The cache of one engagement's runs (`<reports>/<slug>/.cache`). `read=False` (`--force`) finds
    no entry but still writes new ones. Write failures (a full disk) are not errors: the run goes on
    and the entry is simply missing next time."""

    def __init__(self, root: Path, *, read: bool = True) -> None:
        self.root = Path(root)
        self.read = read
        self.hits: dict[str, list[str]] = {"tables": [], "nodes": [], "renders": []}
        self._pending: list[tuple[Path, Any]] = []  # put, not yet written (`flush`)

    @classmethod
    def for_engagement(cls, reports_root: Path, slug: str, *, read: bool = True) -> RunCache:
        return cls(Path(reports_root) / slug / CACHE_DIR, read=read)

    def _path(self, kind: str, name: str, key: str, suffix: str = ".pkl") -> Path:
        return self.root / kind / f"{name}-{key[:32]}{suffix}"

    def ensure(self) -> None:
        """Create the cache folder with its `.gitignore` (its content never goes into git)."""
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.is_file():
            ignore.write_text("# kit run's cache of results (kit.cache): never commit it\n*\n", encoding="utf-8")

    # ---------------------------------------------------------------- pickled values

    def get(self, kind: str, name: str, key: str) -> tuple[bool, Any]:
        if not self.read:
            return False, None
        path = self._path(kind, name, key)
        try:
            with open(path, "rb") as fh:
                value = pickle.load(fh)  # noqa: S301 - this engagement's own cache, written by the kit
        except FileNotFoundError:
            return False, None
        except Exception:  # noqa: BLE001 - a damaged entry is an absent one
            return False, None
        self.hits.setdefault(kind, []).append(name)
        return True, value

    def put(self, kind: str, name: str, key: str, value: Any) -> None:
        """Keep `value` under `key`; written by the next `flush` (so nothing is written before the
        run has passed its checks and made its folder)."""
        self._pending.append((self._path(kind, name, key), value))

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for path, value in pending:
            if path.is_file():
                continue
            try:
                self.ensure()
                _write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                continue

    def path_of(self, kind: str, name: str, key: str) -> Path | None:
        """The file of an entry, when there is one (the kernels read tables through it)."""
        path = self._path(kind, name, key)
        return path if path.is_file() else None

    # ---------------------------------------------------------------- rendered phases

    def render(self, phase: str, key: str, *, count: bool = True) -> Path | None:
        """The folder of a rendered phase (notebook, HTML, pages/ and `files.json`), when kept."""
        if not self.read:
            return None
        folder = self._path("renders", phase, key, "")
        if (folder / "files.json").is_file():
            if count:
                self.hits["renders"].append(phase)
            return folder
        return None

    def put_render(self, phase: str, key: str, run_dir: Path, files: Iterable[str]) -> None:
        """Keep a phase's files (paths relative to the run folder) under `key`; complete or not at all."""
        folder = self._path("renders", phase, key, "")
        tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
        try:
            self.ensure()
            shutil.rmtree(tmp, ignore_errors=True)
            names = sorted(set(files))
            for name in names:
                target = tmp / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(run_dir / name, target)
            (tmp / "files.json").write_text(json.dumps(names), encoding="utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def render_files(folder: Path) -> list[str]:
        return json.loads((folder / "files.json").read_text(encoding="utf-8"))
