"""Which regions exist for the product, and how a list of them is asked for."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import botocore.session
import pytest

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.errors import UsageError
from bedrock_usage.logs import regions
from bedrock_usage.logs.regions import (
    BEDROCK_REGIONS,
    DEFAULT_REGIONS,
    REGION_NAMES,
    bedrock_regions,
    is_govcloud,
    partition_of,
    requested_regions,
    resolve_regions,
)


def test_every_bedrock_region_of_botocore_is_known_govcloud_included() -> None:
    session = boto3.session.Session()
    expected = set(session.get_available_regions("bedrock")) | set(
        session.get_available_regions("bedrock", partition_name="aws-us-gov"))
    assert set(BEDROCK_REGIONS) == expected == set(REGION_NAMES)
    # The regions the issue found skipped, and GovCloud.
    assert {"us-east-2", "eu-west-1", "ap-south-1", "us-gov-west-1", "us-gov-east-1"} <= set(BEDROCK_REGIONS)
    assert set(DEFAULT_REGIONS) < set(BEDROCK_REGIONS)
    assert REGION_NAMES["ap-south-1"] == "Asia Pacific (Mumbai)"


def test_the_kept_table_is_botocores_and_is_read_again_when_botocore_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    regions._bedrock_region_table.cache_clear()
    try:
        fresh = regions._bedrock_region_table()
        kept = tmp_path / regions.KEPT_TABLE
        assert kept.is_file() and list(fresh) == list(BEDROCK_REGIONS)
        regions._bedrock_region_table.cache_clear()
        assert regions._bedrock_region_table() == fresh  # read from the kept file
        document = json.loads(kept.read_text())
        document["table"] = [["xx-made-up-1", "aws", "Made up"]]
        kept.write_text(json.dumps(document))
        regions._bedrock_region_table.cache_clear()
        assert list(regions._bedrock_region_table()) == ["xx-made-up-1"]  # the kept file is what is read
        document["stamp"][1][1] += 1  # endpoints.json of another size: botocore changed
        kept.write_text(json.dumps(document))
        regions._bedrock_region_table.cache_clear()
        assert regions._bedrock_region_table() == fresh
    finally:
        regions._bedrock_region_table.cache_clear()


def test_partitions() -> None:
    assert partition_of("us-gov-west-1") == "aws-us-gov" and is_govcloud("us-gov-east-1")
    assert partition_of("eu-west-1") == "aws" and not is_govcloud("us-east-1")
    assert bedrock_regions("aws-us-gov") == ("us-gov-east-1", "us-gov-west-1")
    assert "us-gov-west-1" not in bedrock_regions("aws") and "mx-central-1" in bedrock_regions("aws")


def test_regions_of_the_partitions_not_read_are_named_with_their_partition_as_botocore_places_them() -> None:
    """China's Regions (and ISO's, the European Sovereign Cloud's) are no Bedrock region here, yet botocore knows their
    partition: the one its own lookup gives, for the Regions it lists and for a name of that partition's form."""
    core = botocore.session.get_session()
    others = [name for name in core.get_available_partitions() if name not in regions.PARTITIONS]
    listed = [region for name in others for region in core.get_available_regions("ec2", partition_name=name)]
    assert {"cn-north-1", "cn-northwest-1"} <= set(listed)
    for region in [*listed, "cn-south-9"]:
        assert regions.other_partition(region) == core.get_partition_for_region(region), region
    assert [regions.other_partition(region) for region in ("us-east-1", "us-gov-west-1", "xx-north-9")] == [None] * 3


def test_a_region_of_a_partition_not_read_is_refused_as_such_not_as_unknown() -> None:
    """cn-north-1 was refused as an unknown region beside the list of Bedrock regions, as a typo is; it is a Region of
    China's partition (as botocore places it), which no botocore upgrade brings nearer: the refusal says so."""
    core = botocore.session.get_session()
    assert {core.get_partition_for_region(name) for name in ("cn-north-1", "cn-northwest-1")} == {"aws-cn"}
    listed = "; Amazon Bedrock regions: af-south-1, "
    not_read = "which this tool neither reads nor prices (it reads the Regions of the aws and aws-us-gov partitions)"
    with pytest.raises(UsageError) as one:
        requested_regions(["us-east-1", "cn-north-1"])
    assert str(one.value).startswith(f"cn-north-1 is a Region of the aws-cn partition (China), {not_read}{listed}")
    with pytest.raises(UsageError) as both:
        resolve_regions(["cn-north-1,mars-north-1", "cn-northwest-1", "cn-north-1"])
    assert str(both.value).startswith("unknown region mars-north-1; cn-north-1, cn-northwest-1 are Regions of the "
                                      f"aws-cn partition (China), {not_read}{listed}")


@pytest.mark.parametrize("values", [None, [], ["all"], [" all "]])
def test_all_or_nothing_asks_for_every_region_with_logs(values: list[str] | None) -> None:
    assert requested_regions(values) is None
    assert resolve_regions(values) == DEFAULT_REGIONS


@pytest.mark.parametrize("values", [[""], [" "], [","], ["", " , "]])
def test_a_value_naming_no_region_is_refused_not_every_region(values: list[str]) -> None:
    """``--regions "$REGION"`` with the variable unset would otherwise set up logging in every region."""
    for pick in (requested_regions, resolve_regions):
        with pytest.raises(UsageError, match="no region given .*: name regions, or 'all'"):
            pick(values)


def test_names_are_validated_split_and_deduplicated() -> None:
    assert requested_regions(["us-east-2,eu-west-1", "us-east-2", "us-gov-west-1"]) == (
        "us-east-2", "eu-west-1", "us-gov-west-1")
    with pytest.raises(UsageError, match="unknown region mars-north-1; Amazon Bedrock regions: af-south-1"):
        requested_regions(["us-east-1", "mars-north-1"])
    with pytest.raises(UsageError, match="'all' stands alone"):
        requested_regions(["all", "us-east-1"])
