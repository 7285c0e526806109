"""The chunked CSV reader against Python's csv module (the plain reference): the same
records, fields and line numbers, whatever the quoting, line ends, encoding, blank lines
and chunk size."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.records.importer import schema
from highharm.records.importer.reading import open_source

COLUMNS = list(schema.PERSON_COLUMNS)
field = st.text(alphabet="ab,;\"\n é|'", max_size=6)
record = st.lists(field, min_size=5, max_size=9).filter(lambda r: any(f.strip() for f in r))


def reference_records(text: str, separator: str) -> list[tuple]:
    """(first line, number of fields, the seven values stripped or None) per record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    out, last = [], 0
    header_seen = False
    for row in reader:
        first, last = last + 1, reader.line_num
        if not row or not "".join(row).strip(" \t"):
            continue
        if not header_seen:
            header_seen = True
            continue
        values = tuple(row[i].strip() if i < len(row) else None for i in range(len(COLUMNS)))
        out.append((first, len(row), values))
    return out


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(record, min_size=1, max_size=12),
    blanks=st.lists(st.integers(0, 2), min_size=13, max_size=13),
    separator=st.sampled_from([",", ";"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    chunk=st.integers(1, 6),
)
def test_it_reads_what_the_csv_module_reads(
    tmp_path_factory, records, blanks, separator, newline, encoding, chunk
):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator, lineterminator=newline)
    buffer.write(newline * blanks[0])
    writer.writerow(COLUMNS)
    for rec, gap in zip(records, blanks[1:], strict=False):
        writer.writerow(rec)
        buffer.write(newline * gap)
    text = buffer.getvalue()
    path = tmp_path_factory.mktemp("reading") / "persons.csv"
    path.write_bytes(text.encode(encoding))

    source = open_source(path, schema.PERSONS)
    frames = list(source.chunks(chunk))
    got = [
        (row["_line"], row["_nfields"], tuple(row[c] for c in COLUMNS))
        for frame in frames
        for row in frame.iter_rows(named=True)
    ]

    assert source.separator == separator
    assert source.encoding == ("cp1252" if encoding == "cp1252" and "é" in text else "utf-8")
    assert got == reference_records(text.replace("\r\n", "\n"), separator)
