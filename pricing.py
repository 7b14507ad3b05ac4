"""Print the Amazon Bedrock price book: ``python pricing.py [--region R] [--date D] [--format F]``.

The book itself lives in ``bedrock_usage/pricing/``; this script only lists it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import fields
from datetime import date

from bedrock_usage.cli import guard_output
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.regions import REGION_NAMES
from bedrock_usage.output.json_values import decimal_text
from bedrock_usage.output.terminal_table import text_table
from bedrock_usage.pricing import PRICES_ENV, RATE_FIELDS, PriceBook, PriceRow


def _format_rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.4f}"


def render_table(rows: list[PriceRow]) -> str:
    """The book as an aligned text table, in USD per million tokens."""
    header = ["Model", "Family", "Region", "Mode", "Tier", "From", "Until", "Input", "Output",
              "CacheW 5m", "CacheW 1h", "CacheRead"]
    body = [
        [r.name, r.family, r.region, r.mode, r.tier, str(r.effective_from or ""), str(r.effective_to or ""),
         *(_format_rate(getattr(r, name)) for name in RATE_FIELDS)]
        for r in rows
    ]
    return text_table(header, body)


def main(argv: list[str] | None = None) -> int:
    """Print the price book (USD per million tokens)."""
    parser = argparse.ArgumentParser(description="Print the Amazon Bedrock price book (USD per million tokens).")
    parser.add_argument("--region", help="only rows that apply to this region (e.g. ap-northeast-2)")
    parser.add_argument("--date", help="only rows in force on this day (YYYY-MM-DD)")
    parser.add_argument("--prices", help=f"user price file (JSON, TOML or CSV) on top of the built-in book; "
                        f"default ${PRICES_ENV}")
    parser.add_argument("--format", choices=("terminal", "csv", "json"), default="terminal")
    args = parser.parse_args(argv)
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"error: --date '{args.date}' is not a YYYY-MM-DD date", file=sys.stderr)
        return 1
    if args.region and args.region not in REGION_NAMES:
        print(f"error: unknown region '{args.region}'; known regions: {', '.join(sorted(REGION_NAMES))}",
              file=sys.stderr)
        return 1
    try:
        rows = PriceBook.load(args.prices).table(args.region, day)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return guard_output(lambda: _print_rows(rows, args.format) or 0)


def _print_rows(rows: list[PriceRow], form: str) -> None:
    if form == "terminal":
        print("USD per 1M tokens (price files and the csv/json formats use USD per 1K tokens)")
        print(render_table(rows))
    else:
        records = [{f.name: getattr(r, f.name) for f in fields(PriceRow)} for r in rows]
        records = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in rec.items()} for rec in records]
        if form == "json":
            print(json.dumps({"unit": "USD per 1K tokens", "prices": records}, indent=2))
        else:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else [])
            writer.writeheader()
            writer.writerows(
                {k: decimal_text(v) if isinstance(v, float) else v for k, v in rec.items()} for rec in records
            )


if __name__ == "__main__":
    sys.exit(main())
