"""Test helpers: write invocation-log records into the S3 key layout, and read a tree back in plain Python."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from bedrock_usage.logs.layout import object_key
from bedrock_usage.logs.schema import TABLE_NAME, duckdb_columns

ACCOUNT = "123456789012"


def parse_ts(value: str) -> datetime:
    """An ISO-8601 UTC timestamp as the logs write it."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def write_records(root: Path, records: list[dict], prefix: str = "bedrock-logs/", extra_lines: int = 0) -> list[Path]:
    """One gzip NDJSON object per (region, UTC hour); return the paths written."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in records:
        when = parse_ts(record["timestamp"])
        groups[(record.get("region", "us-east-1"), when.strftime("%Y%m%d%H"))].append(record)
    paths = []
    for index, ((region, _), group) in enumerate(sorted(groups.items())):
        when = parse_ts(group[0]["timestamp"])
        path = root / object_key(prefix, ACCOUNT, region, when, f"{index:08x}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            for record in group:
                handle.write(json.dumps(record) + "\n")
        paths.append(path)
    return paths


def read_tree(root: Path) -> list[dict]:
    """Every record of every ``.json.gz`` object outside ``/data/`` folders (plain Python, no project code)."""
    records = []
    for path in sorted(root.rglob("*.json.gz")):
        if "data" in path.parent.parts[-1:]:
            continue
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            records += [json.loads(line) for line in handle if line.strip()]
    return records


def athena_shaped_table(lines: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection set up as an Athena session, holding the logs table as Athena's reader makes it from
    ``lines`` (one JSON row per line, with its ``dt`` and ``"$path"``)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TEMP MACRO at_timezone(ts, zone) AS timezone(zone, ts)")
    columns = {**duckdb_columns(), "dt": "VARCHAR", "$path": "VARCHAR"}
    con.execute(f"CREATE TABLE {TABLE_NAME} AS SELECT * FROM read_json(?, columns = {columns!r}, "
                "format = 'newline_delimited')", [str(lines)])
    return con


def cli_json(capsys: pytest.CaptureFixture[str], logs: Path, *args: str) -> dict:
    """The report CLI's JSON document for ``args`` over the local logs ``logs`` (exit 0 asserted)."""
    import bedrock_tracker_cli

    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", "--format", "json",
                                     "--output-dir", "-", *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


INLINE_LIMIT = 100 * 1024  # bodies over 100 KB are delivered apart, under .../{HH}/data/


def log_body(part: dict, side: str, body: object, data_folder: str, request_id: str, bucket: str,
             payloads: dict[str, bytes]) -> None:
    """``body`` (``side`` ``input`` or ``output``) logged in ``part`` as Bedrock logs it: inline under
    ``{side}BodyJson``, or, its JSON over 100 KB, as a gzip payload object ``payloads[key]`` under ``data_folder`` (the
    hour folder's key and ``data/``) that ``{side}BodyS3Path`` names."""
    text = json.dumps(body)
    if len(text) > INLINE_LIMIT:
        key = f"{data_folder}{request_id}_{side}.json.gz"
        payloads[key] = gzip.compress(text.encode())
        part[f"{side}BodyS3Path"] = f"s3://{bucket}/{key}"
    else:
        part[f"{side}BodyJson"] = body


def write_payloads(root: Path, payloads: dict[str, bytes]) -> None:
    """The payload objects (key -> gzip bytes) below ``root``."""
    for key, body in payloads.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(body)


def serde_row(record: dict, dt: str, path: str) -> dict:
    """A record as a row of Athena's logs table: its bodies as their JSON text (the OpenX SerDe hands a body declared
    ``string`` over as its text), with the partition ``dt`` and ``"$path"``."""
    row = {**record, "input": {**record.get("input", {})}, "output": {**record.get("output", {})}}
    for part, field in (("input", "inputBodyJson"), ("output", "outputBodyJson")):
        if field in row[part]:
            row[part][field] = json.dumps(row[part][field])
    return {**row, "dt": dt, "$path": path}


def cli_csv_files(capsys: pytest.CaptureFixture[str], folder: Path, out: Path, *args: str) -> dict[str, Path]:
    """The report CLI's CSV files for ``args`` over the local logs in ``folder`` (written to ``out``; exit 0 or 3
    asserted), by the table name that ends each file's name."""
    import bedrock_tracker_cli

    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(folder), "--quiet", *args,
                                     "--format", "csv", "--output-dir", str(out)])
    assert code in (0, 3), capsys.readouterr().err
    capsys.readouterr()
    return {path.stem.rsplit("_", 1)[-1]: path for path in out.glob("*.csv")}


def csv_rows(source: Path | bytes | str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV file, or of its bytes or text."""
    data = source.read_bytes() if isinstance(source, Path) else source
    reader = csv.DictReader(io.StringIO(data.decode("utf-8") if isinstance(data, bytes) else data, newline=""))
    return list(reader.fieldnames or []), list(reader)
