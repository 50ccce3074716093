"""`kit import`: vendor exports (admin consoles, card feeds, time trackers, survey tools) into the
intake tables, with provenance. The formats are one registry (`kit.imports.formats.FORMATS`)."""

from kit.imports.formats import FORMATS, FORMATS_BY_NAME, Format
from kit.imports.read import ImportFailure
from kit.imports.run import PROVENANCE_FILE, ImportResult, formats_table, import_files, read_provenance

__all__ = [
    "FORMATS", "FORMATS_BY_NAME", "PROVENANCE_FILE", "Format", "ImportFailure", "ImportResult", "formats_table",
    "import_files", "read_provenance",
]  # fmt: skip
