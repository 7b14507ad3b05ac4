"""The regions Amazon Bedrock runs in, as botocore knows them, and how a list of regions is asked for.

Every region with a Bedrock endpoint in botocore's endpoint data, in the commercial (``aws``) and GovCloud
(``aws-us-gov``) partitions, is a region the product reads; a newer botocore brings new regions with it. The other
partitions (China, ISO, European Sovereign Cloud) have no public price list or Cost Explorer codes here.

``all``, or no region at all, asks for every region that has logs: the region folders present (local engine) or
the regions whose Model Invocation Logging delivers to S3 (Athena). ``DEFAULT_REGIONS`` are the six regions of the
demo corpus, the dashboard's first selection, and what the setup scripts act on when not told otherwise.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from ..cache import cache_dir, write_atomically
from ..errors import UsageError
from ..output.notices import Notice

ALL = "all"
PARTITIONS: tuple[str, ...] = ("aws", "aws-us-gov")
GOVCLOUD_PARTITION = "aws-us-gov"
# What the other partitions botocore knows are called; one it adds later is named by its id alone
PARTITION_NAMES = {"aws-cn": "China", "aws-eusc": "European Sovereign Cloud", "aws-iso": "ISO", "aws-iso-b": "ISO-B",
                   "aws-iso-e": "ISO-E", "aws-iso-f": "ISO-F"}
# What is read instead of another partition's Regions
READ_PARTITIONS = f"it reads the Regions of the {' and '.join(PARTITIONS)} partitions"

DEFAULT_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
)


KEPT_TABLE = "bedrock-regions.json"  # the table, kept in the cache folder for the botocore files it was read from


@lru_cache(maxsize=1)
def _bedrock_region_table() -> dict[str, tuple[str, str]]:
    """Region -> (partition, name) for every region with a Bedrock endpoint in botocore's bundled data.

    Reading botocore's two JSON files costs about 20 ms, paid by every command at start: the table is kept in the
    cache folder, named by the files' sizes and modification times, and read again only when botocore changes.
    """
    data = _botocore_data()
    files = (data / "partitions.json", data / "endpoints.json")
    stamp = [[str(path), path.stat().st_size, path.stat().st_mtime_ns] for path in files]
    kept = cache_dir() / KEPT_TABLE
    try:
        saved = json.loads(kept.read_text(encoding="utf-8"))
        if saved["stamp"] == stamp:
            return {region: (partition, name) for region, partition, name in saved["table"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    table = _read_region_table(*files)
    rows = [[region, partition, name] for region, (partition, name) in table.items()]
    write_atomically(kept, lambda path: path.write_text(json.dumps({"stamp": stamp, "table": rows}), "utf-8"))
    return table


def _botocore_data() -> Path:
    """The folder of botocore's bundled data files."""
    return Path(find_spec("botocore").origin).parent / "data"


@lru_cache(maxsize=1)
def _other_partitions() -> tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]:
    """Each partition of botocore's data this tool does not read: its id, the pattern of its Region names and the
    Regions it lists. Read only when a folder is no Bedrock region, so a report pays nothing for it otherwise."""
    entries = json.loads((_botocore_data() / "partitions.json").read_text(encoding="utf-8"))["partitions"]
    return tuple((entry["id"], re.compile(entry["regionRegex"]), frozenset(entry["regions"]))
                 for entry in entries if entry["id"] not in PARTITIONS)


def other_partition(region: str) -> str | None:
    """The partition botocore places ``region`` in when it is one this tool neither reads nor prices (``aws-cn`` for
    cn-north-1: botocore lists it, or its name has that partition's form); None for a region of ``PARTITIONS`` or a
    name of no partition (a region newer than botocore)."""
    if region in REGION_NAMES:
        return None
    return next((partition for partition, pattern, listed in _other_partitions()
                 if region in listed or pattern.fullmatch(region)), None)


def _read_region_table(partitions_file: Path, endpoints_file: Path) -> dict[str, tuple[str, str]]:
    """The region table from botocore's files, read directly: importing ``botocore.session`` for them costs a
    local report ten times as long. A region is a Bedrock region when the partition lists it and the service has
    an endpoint of that name, as ``Session.get_available_regions`` decides (``tests/logs/test_regions.py`` compares
    the two)."""
    partitions = json.loads(partitions_file.read_text(encoding="utf-8"))["partitions"]
    names = {region: info.get("description", region)
             for entry in partitions for region, info in entry["regions"].items()}
    table = {}
    for entry in json.loads(endpoints_file.read_text(encoding="utf-8"))["partitions"]:
        if entry["partition"] not in PARTITIONS:
            continue
        for region in entry["services"].get("bedrock", {}).get("endpoints", {}):
            if region in entry["regions"]:
                table[region] = (entry["partition"], names.get(region, region))
    return dict(sorted(table.items(), key=lambda item: (PARTITIONS.index(item[1][0]), item[0])))


BEDROCK_REGIONS: tuple[str, ...] = tuple(_bedrock_region_table())
REGION_NAMES: dict[str, str] = {region: name for region, (_, name) in _bedrock_region_table().items()}


def partition_of(region: str) -> str:
    """The ARN partition of a region (``aws`` for a name botocore does not know)."""
    known = _bedrock_region_table().get(region)
    if known:
        return known[0]
    return GOVCLOUD_PARTITION if region.startswith("us-gov-") else "aws"


def is_govcloud(region: str) -> bool:
    """True for AWS GovCloud (US) regions, which have their own price list."""
    return partition_of(region) == GOVCLOUD_PARTITION


def bedrock_regions(partition: str | None = None) -> tuple[str, ...]:
    """Every Bedrock region, or those of one partition."""
    return tuple(r for r in BEDROCK_REGIONS if partition is None or partition_of(r) == partition)


def requested_regions(values: list[str] | tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Validated region names (commas split them too); ``None`` when the option is not given or is ``all``: every
    region that has logs. A value naming nothing (``--regions "$REGION"`` with the variable unset) is refused, not
    taken for every region."""
    names = [name.strip() for value in values or () for name in value.split(",") if name.strip()]
    if values and not names:
        raise UsageError(f"no region given ({' '.join(repr(value) for value in values)}): name regions, or '{ALL}'")
    if not names or names == [ALL]:
        return None
    if ALL in names:
        raise UsageError(f"'{ALL}' stands alone: give either '{ALL}' or region names, not both")
    unknown = [r for r in names if r not in REGION_NAMES]
    if unknown:
        raise UsageError(region_refusal(unknown))
    return tuple(dict.fromkeys(names))


def region_refusal(names: list[str]) -> str:
    """Why region names given are refused, with the Bedrock regions this tool reads: a Region of a partition it
    neither reads nor prices (cn-north-1, of aws-cn) is named as such, as no botocore brings it nearer; any other name
    is an unknown region."""
    unknown = [name for name in dict.fromkeys(names) if other_partition(name) is None]
    why = [f"unknown region {', '.join(unknown)}"] if unknown else []
    return f"{'; '.join([*why, *partition_clauses(names)])}; Amazon Bedrock regions: {', '.join(sorted(REGION_NAMES))}"


def partition_clauses(names: list[str]) -> list[Notice]:
    """For each partition this tool neither reads nor prices, the clause naming those of ``names`` in it
    (``cn-north-1 is a Region of the aws-cn partition (China), which ...``); none for Bedrock regions or unknown
    names. A Notice, which a page words in its language."""
    partitions = {name: other_partition(name) for name in dict.fromkeys(names)}
    clauses = []
    for partition in dict.fromkeys(partition for partition in partitions.values() if partition):
        named = [name for name, found in partitions.items() if found == partition]
        name = PARTITION_NAMES.get(partition, partition)
        clauses.append(Notice(f"{', '.join(named)} {'is a Region' if len(named) == 1 else 'are Regions'} of the "
                              f"{partition} partition ({name}), which this tool neither reads nor prices "
                              f"({READ_PARTITIONS})", "other_partition_regions", regions=named, partition=partition,
                              name=name))
    return clauses


def resolve_regions(values: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Validated region names where a fixed default is wanted (demo data, setup): none or ``all`` mean the six
    ``DEFAULT_REGIONS``."""
    return requested_regions(values) or DEFAULT_REGIONS
