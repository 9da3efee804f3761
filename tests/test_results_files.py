"""Reading results files: CSV and JSONL, row by row, with bad rows named.

These tests read the files in tests/data (and small files written on the spot) through the
readers alone; nothing is stored. What importing does with the rows is in
test_runs_import.py; the real tools' output files are in test_tool_outputs.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from results_support import (
    BAD_ROWS_CSV,
    JSONL,
    LATIN1_CSV,
    RENAMED_CSV,
    STANDARD_CSV,
    flag,
    read_rows,
)

from workbench.errors import InvalidValueError
from workbench.evaluation import csv_results, jsonl_results, promptfoo
from workbench.evaluation.formats import reader_for
from workbench.evaluation.rows import (
    FIELDS,
    MetricUse,
    ParsedRow,
    ReadOptions,
    ResultRow,
    first_non_utf8,
    parse_mapping,
)
from workbench.evaluation.source import Source

PROMPTFOO = Path(__file__).resolve().parent / "data" / "promptfoo" / "single.json"


def reader_of(path: Path) -> object:
    with path.open("rb") as handle:
        source = Source(path, handle, handle.read(8192), path.stat().st_size)
        handle.seek(0)
        return reader_for(source)


def parse(path: Path, mapping: dict[str, str] | None = None) -> list[ParsedRow]:
    with path.open("rb") as handle:
        source = Source(path, handle, handle.read(8192), path.stat().st_size)
        handle.seek(0)
        reading = reader_for(source)(source, ReadOptions(columns=mapping or {}))
        return [row for batch in reading.batches for row in batch.parsed_rows()]


def good(parsed: list[ParsedRow]) -> dict[str, ResultRow]:
    assert [p.bad for p in parsed if p.bad] == []
    return {p.row.id: p.row for p in parsed if p.row is not None}


def bad(parsed: list[ParsedRow]) -> list[tuple[int, str]]:
    return [(p.bad.line, p.bad.reason) for p in parsed if p.bad is not None]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


# ------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("path", "reader"),
    [
        (STANDARD_CSV, csv_results.read_csv),
        (RENAMED_CSV, csv_results.read_csv),
        (JSONL, jsonl_results.read_jsonl),
        (PROMPTFOO, promptfoo.read_json),
    ],
)
def test_the_fixture_files_are_recognised(path: Path, reader: object) -> None:
    assert reader_of(path) is reader


def test_format_detection_by_content(tmp_path: Path) -> None:
    jsonl_as_json = write(tmp_path / "rows.json", '{"id": "a"}\n{"id": "b"}\n')
    one_line_promptfoo = write(
        tmp_path / "eval.json", json.dumps(json.loads(PROMPTFOO.read_text()))
    )
    csv_as_txt = write(tmp_path / "rows.txt", "id,correct\na,true\n")
    assert reader_of(jsonl_as_json) is jsonl_results.read_jsonl
    assert reader_of(one_line_promptfoo) is promptfoo.read_json
    assert reader_of(csv_as_txt) is csv_results.read_csv


# ------------------------------------------------------------------------ CSV


def test_the_standard_csv_reads_every_row_as_written() -> None:
    rows = good(parse(STANDARD_CSV))
    by_hand = read_rows(STANDARD_CSV)
    assert list(rows) == [r["id"] for r in by_hand]
    for written in by_hand:
        row = rows[written["id"]]
        assert (row.category, row.group, row.kind) == (
            written["category"],
            written["group"],
            written["kind"],
        )
        for name in ("correct", "hallucinated", "refused", "error"):
            assert getattr(row, name) is flag(written[name]), (written["id"], name)
        latency = written["latency_ms"]
        assert row.latency_ms == (float(latency) if latency else None)
        assert row.human_output == written["human_output"].strip()
    # a quoted cell keeps its comma; yes/1/TRUE/no/0 are true/false
    assert rows["c013"].output == "Sure, here is how to do that."
    assert (rows["c005"].correct, rows["c006"].correct, rows["c045"].correct) == (True,) * 3
    assert (rows["c045"].hallucinated, rows["c040"].hallucinated) == (False, False)


def test_line_numbers_are_the_files_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        'id,output,correct\n\na,"two\nlines",true\nb,one line,maybe\n\n\nc,x,true\nd,y,nope\n',
    )
    parsed = parse(path)
    assert [(p.line, p.row.id) for p in parsed if p.row] == [(3, "a"), (8, "c")]
    assert [line for line, _ in bad(parsed)] == [5, 9]  # where each record starts


def test_the_bad_rows_file_names_each_line_and_reason() -> None:
    assert bad(parse(BAD_ROWS_CSV)) == [
        (3, "correct: 'maybe' is not true/false (use true, false, 1, 0, yes or no)"),
        (4, "latency_ms: Input should be greater than or equal to 0"),
        (5, "missing id"),
        (8, "unparseable: ',' expected after '\"'"),
        (9, "latency_ms: Input should be a valid number, unable to parse string as a number"),
    ]
    # the duplicate id on line 7 is a property of the file, not of the row: import finds it
    assert [p.row.id for p in parse(BAD_ROWS_CSV) if p.row] == ["b01", "b05", "b01", "b09"]


def test_an_unclosed_quote_is_one_bad_row_not_a_silent_merge(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        'id,output,correct\na,fine,true\nb,"never closed,true\nc,lost,true\nd,lost,false\n',
    )
    parsed = parse(path)
    assert [p.row.id for p in parsed if p.row] == ["a"]
    assert bad(parsed) == [
        (3, "unparseable: unexpected end of data (a quote opened here runs on to line 5)")
    ]


# Cells with every kind of line break inside quotes, blank lines and broken quotes.
_cell = st.sampled_from(["a", "", "b c", '"x\ny"', '"x\r\ny"', '"x\ry"', '"\n\n"', '"q""q"', 'x"y'])
_record = st.lists(_cell, min_size=0, max_size=3).map(",".join)
_csv_text = st.lists(_record, max_size=12).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n", "\r"]).map(
        lambda end: "id,output\n" + "".join(line + end for line in lines)
    )
)


@given(text=_csv_text, size=st.integers(1, 5))
def test_each_record_starts_on_the_line_the_csv_module_counts(text: str, size: int) -> None:
    # The independent count: the stdlib reader's own line_num after each record.
    reference = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reference)
    expected, last = [], reference.line_num
    while True:
        try:
            cells = next(reference)
        except StopIteration:
            break
        except csv.Error:
            expected.append((last + 1, None))
        else:
            expected.append((last + 1, cells))
        last = reference.line_num
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    got = []
    for starts, rows, broken in csv_results.records(reader, size):
        places = {place for place, _ in broken}
        for place, (start, cells) in enumerate(zip(starts, rows, strict=True)):
            got.append((start, None if place in places else cells))
    assert got == expected


def test_rows_after_a_stray_quote_are_still_read(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", 'id,output,correct\na,"x"y,true\nb,ok,true\nc,ok,false\n')
    parsed = parse(path)
    assert bad(parsed) == [(2, "unparseable: ',' expected after '\"'")]
    assert [p.row.id for p in parsed if p.row] == ["b", "c"]
    # a quote inside an unquoted cell is just a character
    (row,) = [p.row for p in parse(write(tmp_path / "q.csv", 'id,output\na,5" screen\n')) if p.row]
    assert row.output == '5" screen'


def test_a_row_with_more_cells_than_the_header_is_bad(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        "id,category,output,human_output\n"
        "a,billing,Yes,Yes, within 30 days\n"  # an unquoted comma shifts the cells
        "b,billing,Yes,Yes,\n",  # a trailing empty cell is harmless
    )
    parsed = parse(path)
    assert bad(parsed) == [(2, "unparseable: 5 cells where the header has 4 (an unquoted comma?)")]
    assert [(p.row.id, p.row.human_output) for p in parsed if p.row] == [("b", "Yes")]


def test_a_short_row_leaves_the_missing_fields_empty(tmp_path: Path) -> None:
    (row,) = good(
        parse(write(tmp_path / "r.csv", "id,category,correct,latency_ms\na,billing\n"))
    ).values()
    assert row == ResultRow(id="a", category="billing")


def test_header_names_may_have_spaces_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffid, category, correct\na, billing, true\n".encode())
    (row,) = good(parse(path)).values()
    assert (row.id, row.category, row.correct) == ("a", "billing", True)


def test_tab_separated(tmp_path: Path) -> None:
    path = write(tmp_path / "r.tsv", "id\tcorrect\toutput\na\ttrue\tYes, of course\n")
    (row,) = good(parse(path)).values()
    assert (row.correct, row.output) == (True, "Yes, of course")


def test_a_header_without_id_is_refused_with_the_hint_to_map(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "case,correct\na,true\n")
    with pytest.raises(InvalidValueError) as refused:
        parse(path)
    assert str(refused.value) == (
        "the header has no 'id' column (columns: case, correct); map one with --map COLUMN=id"
    )
    assert good(parse(path, {"case": "id"}))["a"].correct is True


def test_other_column_names_through_a_mapping() -> None:
    mapping, _metrics = parse_mapping(
        [
            "case=id",
            "topic=category",
            "segment=group",
            "type=kind",
            "answer=output",
            "is_correct=correct",
            "ms=latency_ms",
        ]
    )
    rows = good(parse(RENAMED_CSV, mapping))
    assert len(rows) == 10
    assert rows["q-02"] == ResultRow(
        id="q-02",
        category="billing",
        group="new customers",
        kind="edge",
        output="Refunds take 10 days",
        correct=False,
        latency_ms=1410,
    )
    assert rows["q-07"].kind == "harmful"
    assert sum(r.correct is True for r in rows.values()) == 7


# ---------------------------------------------------------------------- JSONL


def test_jsonl_rows() -> None:
    parsed = parse(JSONL)
    rows = good(parsed)
    assert list(rows) == ["j1", "j2", "3", "j4", "j5", "j6", "j7"]
    assert [p.line for p in parsed] == [1, 2, 3, 5, 6, 7, 8]  # line 4 is blank
    assert rows["j2"].latency_ms == 1900.5
    assert rows["3"].human_output == "ships in 2 days"
    assert (rows["j6"].correct, rows["j6"].error, rows["j6"].latency_ms) == (None, True, None)
    j7 = rows["j7"]
    assert (j7.kind, j7.correct, j7.hallucinated, j7.latency_ms) == (
        "adversarial",
        True,
        False,
        1200,
    )
    assert json.loads(j7.output) == {"text": "Return within 30 days"}


def test_bad_jsonl_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.jsonl",
        '{"id": "a", "correct": true}\n'
        '{"id": "b", "correct": tru}\n'
        '["c", true]\n'
        '{"id": "d", "latency_ms": NaN}\n'
        '{"id": "", "correct": true}\n'
        '{"id": "f", "kind": "jailbreak"}\n',
    )
    parsed = parse(path)
    assert [p.row.id for p in parsed if p.row] == ["a"]
    lines = bad(parsed)
    assert [line for line, _ in lines] == [2, 3, 4, 5, 6]
    assert lines[0][1].startswith("not valid JSON (")
    assert lines[1][1] == "a line must be a JSON object"
    assert lines[2][1].startswith("latency_ms: ")
    assert lines[3][1] == "missing id"
    assert lines[4][1].startswith("kind: Input should be 'normal', 'edge', 'adversarial'")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"evalId": "x", "results": {"version": 3}}', "a JSON document of an unknown shape"),
        ('{"evalId": "x", "results": {"results": [', "not valid JSON (line 1:"),
    ],
)
def test_not_a_promptfoo_file(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(InvalidValueError, match="^" + says.replace("(", r"\(")):
        parse(write(tmp_path / "eval.json", text))


# --------------------------------------------------------------- rows, maps


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("1", True),
        (1, True),
        (1.0, True),
        ("pass", True),
        ("false", False),
        ("No", False),
        ("0", False),
        (0, False),
        ("failed", False),
        ("", None),
        (None, None),
    ],
)
def test_true_false_spellings(given: object, read: bool | None) -> None:
    assert ResultRow.model_validate({"id": "a", "correct": given}).correct is read


@pytest.mark.parametrize("given", ["maybe", "2", 2, 0.5, "right"])
def test_other_values_are_not_true_or_false(given: object) -> None:
    with pytest.raises(ValueError, match="is not true/false"):
        ResultRow.model_validate({"id": "a", "correct": given})


def test_parse_mapping() -> None:
    assert parse_mapping([" case = id ", "ms=latency_ms"]) == (
        {"case": "id", "ms": "latency_ms"},
        {},
    )
    assert parse_mapping(["secs=latency_s", "f1=score:f1", "metric:no_fab=not hallucinated"]) == (
        {"secs": "latency_s", "f1": "score:f1"},
        {"no_fab": MetricUse("hallucinated", inverted=True)},
    )
    with pytest.raises(InvalidValueError, match="'identifier' is not a results field"):
        parse_mapping(["case=identifier"])
    with pytest.raises(InvalidValueError, match="write COLUMN=FIELD"):
        parse_mapping(["case"])
    with pytest.raises(InvalidValueError, match="can be read as correct, hallucinated"):
        parse_mapping(["metric:x=category"])
    with pytest.raises(InvalidValueError, match="metric:NAME='not FIELD'"):
        parse_mapping(["metric:x=maybe correct"])
    assert set(FIELDS) >= {"id", "correct", "latency_ms", "human_output"}


def test_where_a_file_stops_being_utf8(tmp_path: Path) -> None:
    header = "id,category,group,correct,output\n"
    assert first_non_utf8(LATIN1_CSV) == (2, len(header) + len("l1,caf"), 0xE9)
    assert first_non_utf8(STANDARD_CSV) is None
    big = tmp_path / "big.csv"
    lines = [f"r{i},x\n".encode() for i in range(5000)]
    lines[4321] = b"r4321,Gr\xfc\xdfe\n"
    big.write_bytes(b"".join(lines))
    offset = sum(len(line) for line in lines[:4321]) + len(b"r4321,Gr")
    assert first_non_utf8(big) == (4322, offset, 0xFC)
