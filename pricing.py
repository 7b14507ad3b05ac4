"""The Amazon Bedrock price book: list it, filter it, refresh it from AWS's Price List.

    python pricing.py                                   # the whole book
    python pricing.py --provider meta --region eu-west-1 --date 2026-06-01
    python pricing.py --model "sonnet 4.5" --format csv
    python pricing.py --refresh                          # AWS's current list (public offer files, no credentials)
    python pricing.py --refresh --offer-file AmazonBedrock.json --offer-file AmazonBedrockFoundationModels.json \
        --offer-file AmazonBedrockService.json

The book lives in ``bedrock_usage/pricing/``; this script only lists it and writes refreshed rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from bedrock_usage.errors import UsageError
    from bedrock_usage.logs.period import parse_day
    from bedrock_usage.logs.regions import REGION_NAMES, region_refusal
    from bedrock_usage.output.command import UsageErrorParser, named, report_main
    from bedrock_usage.output.json_values import decimal_text
    from bedrock_usage.output.terminal_table import text_table
    from bedrock_usage.pricing import (
        FAMILIES,
        PRICES_ENV,
        TOKEN_FIELDS,
        PriceBook,
        PriceRow,
        read_csv_rows,
        row_record,
        write_csv_rows,
    )
    from bedrock_usage.pricing.book import BUILTIN_BOOK, MODES
    from bedrock_usage.pricing.offer_file import Disagreement
    from bedrock_usage.pricing.refresh import RefreshResult, download_offers, read_offer_files, refresh_rows

UNIT_LABELS = {"tokens": "", "image": "/image", "second": "/second", "query": "/query"}


def _format_rate(value: float | None) -> str:
    """A rate per 1K tokens as USD per million tokens, exactly: four decimals, more where the price has them."""
    if value is None:
        return "-"
    per_million = Decimal(repr(value)).scaleb(3).normalize()
    return f"{per_million:.{max(4, -per_million.as_tuple().exponent)}f}"


def _per_unit(row: PriceRow) -> str:
    return "-" if row.per_unit is None else f"${decimal_text(row.per_unit)}{UNIT_LABELS[row.unit]}"


def render_table(rows: list[PriceRow]) -> str:
    """The book as an aligned text table: token prices in USD per million tokens, other units per unit; the model id
    tells rows of one name apart (an alias and a dated id may be priced differently)."""
    header = ["Provider", "Model", "Model id", "Family", "Region", "Mode", "Tier", "From", "Until", "Input", "Output",
              "CacheW 5m", "CacheW 1h", "CacheRead", "Audio in/out", "Per unit"]
    body = [
        [r.provider, r.name, r.model, r.family, r.region, r.mode, r.tier, str(r.effective_from or ""),
         str(r.effective_to or ""), *(_format_rate(getattr(r, name)) for name in TOKEN_FIELDS),
         "-" if r.audio_input is None and r.audio_output is None
         else f"{_format_rate(r.audio_input)}/{_format_rate(r.audio_output)}",
         _per_unit(r)]
        for r in rows
    ]
    return text_table(header, body)


def build_parser() -> argparse.ArgumentParser:
    parser = UsageErrorParser(
        description="List the Amazon Bedrock price book (USD per million tokens, or per image, second or query), "
        "or refresh it from AWS's Price List.")
    what = parser.add_argument_group("which rows")
    what.add_argument("--provider", help="only this provider (any part of it, e.g. meta, anthropic, amazon)")
    what.add_argument("--model", help="only models whose id or name contains this text (any case)")
    what.add_argument("--region", help="only rows that apply to this region (e.g. ap-northeast-2)")
    what.add_argument("--family", choices=FAMILIES, help="only this endpoint family")
    what.add_argument("--mode", choices=MODES, help="only this mode (default: all)")
    what.add_argument("--date", help="only rows in force on this day (YYYY-MM-DD); with --refresh, the day every "
                      "change takes effect (default: the day the offer file says each price takes effect, its "
                      "effectiveDate, which may be a later day; today, UTC, when it has none)")
    parser.add_argument("--prices", type=named,
                        help=f"user price file (JSON, TOML or CSV) on top of the built-in book; default ${PRICES_ENV}")
    parser.add_argument("--format", choices=("terminal", "csv", "json"), default="terminal")
    refresh = parser.add_argument_group("refresh from the AWS Price List")
    refresh.add_argument("--refresh", action="store_true",
                         help="read the AmazonBedrock, AmazonBedrockFoundationModels and AmazonBedrockService offer "
                         "files, write the book "
                         "with dated changes and print what changed")
    refresh.add_argument("--offer-file", action="append", type=Path, default=[], metavar="FILE",
                         help="with --refresh: a saved offer file (index.json) instead of downloading (repeatable)")
    refresh.add_argument("--book", type=Path, default=BUILTIN_BOOK,
                         help="with --refresh: the book to update (default: the built-in book)")
    refresh.add_argument("--dry-run", action="store_true", help="with --refresh: print the changes, write nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    """List or refresh the price book."""
    return report_main(lambda: _run(build_parser().parse_args(argv)))


def _run(args: argparse.Namespace) -> int:
    if args.refresh:
        return _refresh(args)
    if args.offer_file or args.dry_run:
        raise UsageError("--offer-file and --dry-run go with --refresh")
    day = _day(args.date)
    if args.region and args.region not in REGION_NAMES:
        raise UsageError(region_refusal([args.region]))
    rows = PriceBook.load(args.prices).table(args.region, day, provider=args.provider, model=args.model,
                                              family=args.family, mode=args.mode)
    if not rows:
        raise UsageError("no price rows match these filters")
    _print_rows(rows, args.format)
    return 0


def _day(text: str | None) -> date | None:
    return parse_day(text, "--date") if text else None


def _refresh(args: argparse.Namespace) -> int:
    if not args.book.is_file():
        raise UsageError(f"price book {args.book} does not exist")
    reading = read_offer_files(args.offer_file) if args.offer_file else download_offers()
    result = refresh_rows(read_csv_rows(args.book), reading, datetime.now(UTC).date(), _day(args.date))
    print(render_changes(result))
    if args.dry_run:
        print("Dry run: the book was not written.")
    elif result.changes:
        write_csv_rows(args.book, result.rows)
        print(f"Wrote {args.book}")
    return 0


def render_changes(result: RefreshResult) -> str:
    """What a refresh found, for the terminal."""
    lines = [f"Read {', '.join(result.publications)}",
             f"{len(result.changes)} rows added or changed, {result.unchanged} unchanged"]
    changed = [c for c in result.changes if c.kind == "changed"]
    added = [c for c in result.changes if c.kind == "added"]
    if changed:
        body = []
        for change in changed:
            old, new = change.old, change.new
            diffs = [f"{name} {_format_rate(getattr(old, name))} -> {_format_rate(getattr(new, name))}"
                     for name in (*TOKEN_FIELDS, "audio_input", "audio_output")
                     if getattr(old, name) != getattr(new, name)]
            if old.per_unit != new.per_unit:
                diffs.append(f"per {new.unit} {old.per_unit} -> {new.per_unit}")
            body.append([new.name, new.model, new.family, new.region, new.mode, new.tier, str(new.effective_from),
                         "; ".join(diffs)])
        lines += ["", "Changed (USD per 1M tokens; the old row now ends the day the new one starts)",
                  text_table(["Model", "Model id", "Family", "Region", "Mode", "Tier", "From", "Change"], body)]
    if added:
        lines += ["", "Added", text_table(
            ["Model", "Model id", "Family", "Region", "Mode", "Tier", "From", "Input", "Output", "Per unit"],
            [[c.new.name, c.new.model, c.new.family, c.new.region, c.new.mode, c.new.tier,
              str(c.new.effective_from or ""), _format_rate(c.new.input), _format_rate(c.new.output),
              _per_unit(c.new)] for c in added])]
    if result.unmatched:
        lines += ["", "Products no model of the book matches (not priced; add a row with --prices or a name the "
                  "book knows):"]
        lines += [f"  {name}: {count} prices" for name, count in sorted(result.unmatched.items())]
    if result.ambiguous:
        lines += ["", "Products whose name fits models the book names differently (not priced; add rows with "
                  "--prices):"]
        lines += [f"  {name}: {', '.join(models)}" for name, models in sorted(result.ambiguous.items())]
    if result.untiered:
        lines += ["", "Products the book prices per image size and quality or per video resolution, which their "
                  "offer prices do not name, or in another unit than theirs (a token price of an image model) "
                  "(not read; the book's rows stay):"]
        lines += [f"  {name}: {count} prices" for name, count in sorted(result.untiered.items())]
    if result.skipped:
        lines += ["", "Offer prices not read:"]
        lines += [f"  {reason}: {count}" for reason, count in sorted(result.skipped.items())]
    if result.disagreements:
        lines += ["", "Offer prices that disagree (none applied; the book's figure stays; USD per 1M tokens). Settle "
                  "each with a row in your price file (--prices; README.md, Prices):",
                  _disagreement_table(result.disagreements)]
    return "\n".join(lines)


def _disagreement_table(disagreements: list[Disagreement]) -> str:
    """One line per offer price of each disputed figure: the book row, the figure, and where the price comes from."""
    return text_table(
        ["Model id", "Region", "Family", "Mode", "Tier", "Field", "Price", "Offer", "SKU", "Usage type"],
        [[d.model, d.region, d.family, d.mode, d.tier, d.field,
          _format_rate(p.value) if d.unit == "tokens" else f"${decimal_text(p.value)}{UNIT_LABELS[d.unit]}",
          p.offer, p.sku, p.usage_type]
         for d in disagreements for p in d.prices])


def _print_rows(rows: list[PriceRow], form: str) -> None:
    if form == "terminal":
        print("Token prices in USD per 1M tokens; images, video seconds and rerank queries in USD per unit "
              "(price files and the csv/json formats use USD per 1K tokens)")
        print(render_table(rows))
        return
    records = [row_record(r) for r in rows]
    if form == "json":
        print(json.dumps({"unit": "USD per 1K tokens (per_unit: USD per image, second or query)",
                          "prices": records}, indent=2))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(
            {k: decimal_text(v) if isinstance(v, float) else v for k, v in rec.items()} for rec in records
        )


if __name__ == "__main__":
    sys.exit(main())
