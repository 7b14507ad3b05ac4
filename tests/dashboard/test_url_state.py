"""What a shared link's list-valued parameters set: the regions the dashboard knows are kept and each unknown one is
named, a Region of a partition this tool does not read (China's) as such; a link naming no known region sets none
(the page then asks for one instead of reading every region). The link's models are all kept, an unknown one
narrowing to nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bedrock_usage.dashboard.url_state import read_link
from tests.dashboard.helpers import open_app, shown

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(("regions", "kept", "left_out"), [
    (["mars-1,us-east-1"], ["us-east-1"], ["regions=mars-1"]),
    (["us-east-1,mars-1,eu-west-1,venus-2"], ["us-east-1", "eu-west-1"], ["regions=mars-1", "regions=venus-2"]),
    (["us-east-1", "mars-1,us-west-2"], ["us-east-1", "us-west-2"], ["regions=mars-1"]),
    (["us-east-1, us-west-2,,us-east-1"], ["us-east-1", "us-west-2"], []),
    (["all"], ["all"], []),
    (["all,us-east-1"], ["us-east-1"], ["regions=all"]),
])
def test_the_known_regions_of_a_link_are_kept_and_each_unknown_one_named(
        regions: list[str], kept: list[str], left_out: list[str]) -> None:
    link = read_link({"source": ["demo"], "days": ["7"], "regions": regions}, NOW)
    assert link.values["regions"] == kept
    assert link.ignored == left_out
    assert link.has_period


def test_a_link_naming_no_known_region_sets_none_rather_than_every_region() -> None:
    link = read_link({"days": ["7"], "regions": ["mars-1,venus-2"]}, NOW)
    assert link.values["regions"] == []
    assert link.ignored == ["regions=mars-1", "regions=venus-2"]


CHINA = {"en": ("cn-north-1 is a Region of the aws-cn partition (China), which this tool neither reads nor prices (it "
                "reads the Regions of the aws and aws-us-gov partitions)."),
         "ko": ("cn-north-1 은(는) aws-cn 파티션 (중국) 의 리전이며, 이 도구는 그 리전을 읽지도 가격을 매기지도 "
                "않습니다 (aws 와 aws-us-gov 파티션의 리전을 읽습니다).")}


@pytest.mark.parametrize(("lang", "error", "warning"), [
    ("en", "Choose at least one region. The link's Regions of a partition this tool neither reads nor prices were left "
           "out (cn-north-1); the page does not read every region in their place.",
     "This link's settings that could not be used were left out: regions=cn-north-1."),
    ("ko", "리전을 하나 이상 고르세요. 링크에서 이 도구가 읽지도 가격을 매기지도 않는 파티션의 리전은 뺐습니다"
           "(cn-north-1). 그 대신 모든 리전을 읽지는 않습니다.",
     "이 링크의 설정 중 쓸 수 없는 것은 뺐습니다: regions=cn-north-1."),
])
def test_a_link_naming_a_china_region_says_its_partition(no_aws_env: dict[str, str], tmp_path: Path, lang: str,
                                                         error: str, warning: str) -> None:
    """``?regions=cn-north-1``: left out as before, but said to be an unknown region, as a typo is; the page now
    names its partition, as the CLI's --regions does, and reads nothing in its place."""
    at = open_app(source="local", logs=str(tmp_path), days="7", regions="cn-north-1", lang=lang)
    assert at.multiselect(key="regions").value == []
    assert [shown(e.value) for e in at.error] == [error]
    assert [shown(w.value) for w in at.warning] == [f"{warning} {CHINA[lang]}"]
    mixed = open_app(source="local", logs=str(tmp_path), days="7", regions="cn-north-1,mars-1", lang=lang)
    assert "mars-1" in mixed.error[0].value and "cn-north-1" not in mixed.error[0].value  # the unknown one alone
    assert shown(mixed.warning[0].value).endswith(f"regions=cn-north-1, regions=mars-1. {CHINA[lang]}")


def test_a_link_without_regions_leaves_the_default() -> None:
    for params in ({"days": ["7"]}, {"days": ["7"], "regions": [""]}):
        link = read_link(params, NOW)
        assert "regions" not in link.values and not link.ignored


def test_every_model_of_a_link_is_kept() -> None:
    link = read_link({"days": ["7"], "model": ["Claude Sonnet 4", "no such model", ""]}, NOW)
    assert link.values["models"] == ["Claude Sonnet 4", "no such model"]
    assert not link.ignored


def test_a_number_in_other_digits_is_left_out_and_named() -> None:
    """``²`` and ``٣`` are digits to ``str.isdigit`` but no number ``int`` reads: the page crashed on them."""
    link = read_link({"days": ["²"], "top": ["٣"]}, NOW)
    assert "dates" not in link.values and "top_n" not in link.values
    assert link.ignored == ["days=²", "top=٣"]
