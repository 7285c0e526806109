"""The rejects file: every problem found in an input file, one line per problem.

Written beside the input as ``<input stem>.rejects.csv`` (``incidents.csv`` ->
``incidents.rejects.csv``), in UTF-8 with a byte-order mark so that Excel shows accented
names correctly. Columns: file, line, column, value, reason, raw_row.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl

COLUMNS = ("file", "line", "column", "value", "reason", "raw_row")


def rejects_path_for(input_path: Path) -> Path:
    return input_path.with_name(f"{input_path.stem}.rejects.csv")


class RejectsWriter:
    """Streams reject rows to the rejects file as each chunk is checked."""

    def __init__(self, input_path: Path):
        self.input_path = Path(input_path)
        self.path = rejects_path_for(self.input_path)
        self.lines = 0
        self._fh = None

    def __enter__(self) -> RejectsWriter:
        self._fh = self.path.open("wb")
        self._fh.write(codecs.BOM_UTF8)
        self._fh.write((",".join(COLUMNS) + "\n").encode())
        return self

    def write(self, rejects: pl.DataFrame) -> None:
        if not rejects.height:
            return
        assert self._fh is not None
        rejects.select(
            pl.lit(self.input_path.name).alias("file"),
            "line",
            "column",
            "value",
            "reason",
            "raw_row",
        ).write_csv(self._fh, include_header=False)
        self.lines += rejects.height

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
