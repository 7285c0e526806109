"""The force-records import pipeline (``highharm import-records``).

Reading, decoding and validation are pure (Polars, no Django) and live here:
``schema`` (the format), ``reading`` (CSV/Parquet in chunks), ``validation`` (checks and
content hashes), ``rejects`` (the rejects file). Every database write is in
``highharm.records.services``. docs/import-format.md describes the format for analysts.
"""

from highharm.records.importer.reading import InputError, Source, open_source

__all__ = ["InputError", "Source", "open_source"]
