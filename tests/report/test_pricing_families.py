"""A report over calls to every model family prices each call at the published list price for its region, endpoint
family, context tier and day, and reads what token counts do not show (images, video seconds, rerank queries,
1-hour cache writes) from logged bodies. Expected figures come from tests/oracle.py and its published prices."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.render import render_terminal
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.oracle import aggregate

DAY = "2026-11-02"
ROLE = "arn:aws:sts::123456789012:assumed-role/Pricing-BedrockRole/session"


def record(n: int, model_id: str, region: str, operation: str = "Converse", tokens: tuple[int, int] = (1000, 200),
           cache: tuple[int, int] = (0, 0), request: object = None, response: object = None,
           hour: int = 10, error: str | None = None, offloaded: bool = False) -> dict:
    """One log record; ``request``/``response`` bodies are logged only when given, ``errorCode`` with ``error``;
    an ``offloaded`` request body is delivered apart, as the service does with bodies over 100 KB."""
    part_in: dict = {"inputContentType": "application/json", "inputTokenCount": tokens[0],
                     "cacheReadInputTokenCount": cache[0], "cacheWriteInputTokenCount": cache[1]}
    part_out: dict = {"outputContentType": "application/json", "outputTokenCount": tokens[1]}
    if request is not None:
        part_in["inputBodyJson"] = request
    if offloaded:
        part_in["inputBodyS3Path"] = (f"s3://logs/AWSLogs/123456789012/BedrockModelInvocationLogs/{region}/"
                                      f"{DAY.replace('-', '/')}/{hour:02d}/data/request-{n}.json.gz")
    if response is not None:
        part_out["outputBodyJson"] = response
    logged = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
              "timestamp": f"{DAY}T{hour:02d}:{n % 60:02d}:00Z", "accountId": "123456789012",
              "identity": {"arn": ROLE}, "region": region, "requestId": f"00000000-0000-4000-8000-{n:012d}",
              "operation": operation, "modelId": model_id, "input": part_in, "output": part_out}
    return logged | ({"errorCode": error} if error else {})


def anthropic_usage(write_5m: int, write_1h: int) -> dict:
    return {"input_tokens": 900, "output_tokens": 300, "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": write_5m + write_1h,
            "cache_creation": {"ephemeral_5m_input_tokens": write_5m, "ephemeral_1h_input_tokens": write_1h}}


def converse_usage(details: dict[str, int]) -> dict:
    """A Converse response's usage with its cache writes by TTL (``TokenUsage.cacheDetails``, 1h first)."""
    entries = [{"ttl": ttl, "inputTokens": details[ttl]} for ttl in ("1h", "5m") if ttl in details]
    return {"usage": {"inputTokens": 100, "outputTokens": 50, "cacheWriteInputTokens": sum(details.values()),
                      "cacheDetails": entries}, "stopReason": "end_turn"}


SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU_45 = "anthropic.claude-haiku-4-5-20251001-v1:0"
PROMPT = {"messages": [{"role": "user", "content": [{"text": "secret prompt text"}]}]}
CALLS = [
    # text models of every family, through in-region, geo and global ids and ARNs
    ("us.amazon.nova-lite-v1:0", "us-east-1", {"request": PROMPT, "response": {  # a guardrail stepped in
        "output": {"message": {"role": "assistant", "content": [{"text": "blocked"}]}},
        "stopReason": "guardrail_intervened", "usage": {"inputTokens": 1000, "outputTokens": 200}}}),
    ("us.amazon.nova-lite-v1:0", "us-east-1", {"request": PROMPT, "response": {"stopReason": "end_turn"}}),
    ("eu.amazon.nova-lite-v1:0", "eu-west-1", {}),  # Nova's EU rate differs from the US one
    ("apac.amazon.nova-pro-v1:0", "ap-northeast-2", {"tokens": (4000, 800)}),
    ("amazon.nova-micro-v1:0", "us-east-1", {}),
    ("us.meta.llama3-3-70b-instruct-v1:0", "us-west-2", {}),
    ("mistral.mistral-large-2407-v1:0", "us-west-2", {}),
    ("us.deepseek.r1-v1:0", "us-east-1", {}),
    ("ai21.jamba-1-5-large-v1:0", "us-east-1", {}),
    ("openai.gpt-oss-120b-1:0", "us-west-2", {}),
    ("qwen.qwen3-32b-v1:0", "us-west-2", {}),
    ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
     "us-east-1", {}),
    (f"global.{SONNET_45}", "us-east-1", {"tokens": (250_000, 1000)}),  # above the 200K tier
    ("anthropic.claude-3-5-sonnet-20241022-v2:0", "us-west-2", {}),  # extended-access price since 2025-12-01
    ("anthropic.claude-3-haiku-20240307-v1:0", "us-gov-west-1", {}),  # GovCloud
    (f"us-gov.{SONNET_45}", "us-gov-west-1", {"tokens": (150_000, 900), "cache": (40_000, 20_000)}),  # GovCloud >200K
    # embeddings bill input only
    ("amazon.titan-embed-text-v2:0", "us-east-1", {"operation": "InvokeModel", "tokens": (5000, 0)}),
    ("cohere.embed-english-v3", "us-east-1", {"operation": "InvokeModel", "tokens": (2000, 0)}),
    # Titan Multimodal Embeddings bills its text tokens and each image given (a base64 inputImage)
    ("amazon.titan-embed-image-v1", "us-east-1", {"operation": "InvokeModel", "tokens": (12, 0), "request": {
        "inputText": "a red kite", "inputImage": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ",
        "embeddingConfig": {"outputEmbeddingLength": 256}}}),
    ("amazon.titan-embed-image-v1", "us-east-1", {"operation": "InvokeModel", "tokens": (30, 0), "request": {
        "inputText": "text alone"}}),
    ("amazon.titan-embed-image-v1", "us-east-1", {"operation": "InvokeModel", "tokens": (8, 0), "request": {
        "inputText": "null image", "inputImage": None}}),  # a JSON null is no image, in every engine
    ("amazon.titan-embed-image-v1", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0), "request": {
        "inputImage": "iVBORw0KGgo="}, "error": "ValidationException"}),  # a failed call: no image billed
    # Nova Multimodal Embeddings' text is billed in tokens (its image, video and audio prices are not in the book)
    ("amazon.nova-2-multimodal-embeddings-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (300, 0),
     "request": {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {
         "embeddingPurpose": "GENERIC_INDEX", "text": {"truncationMode": "END", "value": "a harbour"}}}}),
    ("amazon.nova-2-multimodal-embeddings-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0),
     "error": "ValidationException", "request": {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {
         "embeddingPurpose": "GENERIC_INDEX", "image": {"format": "png", "source": {"bytes": ""}}}}}),  # failed
    # 1-hour cache writes from Anthropic's usage.cache_creation, InvokeModel and stream
    (f"us.{SONNET_45}", "us-east-1", {"operation": "InvokeModel", "tokens": (900, 300), "cache": (0, 5000),
                                      "request": PROMPT, "response": {"usage": anthropic_usage(1000, 4000)}}),
    (f"global.{SONNET_45}", "eu-central-1", {
        "operation": "InvokeModelWithResponseStream", "tokens": (900, 300), "cache": (2000, 3000), "request": PROMPT,
        "response": [{"type": "message_start", "message": {"usage": anthropic_usage(0, 3000)}},
                     {"type": "message_stop"}]}),
    # Converse and ConverseStream: usage.cacheDetails splits them
    (f"global.{SONNET_45}", "us-east-1", {"tokens": (100, 50), "cache": (0, 4000), "request": PROMPT,
                                          "response": converse_usage({"1h": 4000})}),
    (f"us.{HAIKU_45}", "us-west-2", {"operation": "ConverseStream", "tokens": (100, 50), "cache": (0, 10_000),
                                     "request": PROMPT, "response": converse_usage({"1h": 6000, "5m": 4000})}),
    # a negative 1-hour count (a damaged body) moves nothing from the 5-minute rate
    (f"global.{SONNET_45}", "eu-central-1", {"tokens": (100, 50), "cache": (0, 1000), "request": PROMPT,
                                             "response": converse_usage({"1h": -500})}),
    # a body logged without the split: cache writes at the 5-minute rate
    (f"us.{SONNET_45}", "us-east-1", {"tokens": (900, 300), "cache": (0, 700), "request": PROMPT,
                                      "response": {"usage": {"inputTokens": 900}}}),
    # images by size and quality, video seconds, rerank queries: from the request body
    ("amazon.nova-canvas-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0), "request": {
        "taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
        "imageGenerationConfig": {"numberOfImages": 3, "width": 2048, "height": 1024, "quality": "premium"}}}),
    ("amazon.nova-canvas-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0), "request": {
        "taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a boat"}}}),  # defaults: 1 image, 1024, standard
    ("amazon.titan-image-generator-v2:0", "us-west-2", {"operation": "InvokeModel", "tokens": (0, 0), "request": {
        "imageGenerationConfig": {"numberOfImages": 2, "width": 512, "height": 512}}}),
    ("amazon.titan-image-generator-v2:0", "us-west-2", {"operation": "InvokeModel", "tokens": (0, 0), "request": {
        "imageGenerationConfig": {"numberOfImages": 1, "width": 1152, "height": 896}}}),  # billed as 1024 x 1024
    ("amazon.nova-reel-v1:1", "us-east-1", {"operation": "StartAsyncInvoke", "tokens": (0, 0), "request": {
        "taskType": "TEXT_VIDEO", "videoGenerationConfig": {"durationSeconds": 12, "fps": 24}}}),
    ("amazon.nova-reel-v1:1", "us-east-1", {"operation": "StartAsyncInvoke", "tokens": (0, 0), "request": {
        "taskType": "MULTI_SHOT_MANUAL",
        "multiShotManualParams": {"shots": [{"text": "a"}, {"text": "b"}, {"text": "c"}]},
        "videoGenerationConfig": {"fps": 24, "dimension": "1280x720"}}}),  # three shots of six seconds
    # a failed image call makes no image; one that logged input tokens is billed per image all the same
    ("amazon.nova-canvas-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0),
                                              "error": "ValidationException",
                                              "request": {"imageGenerationConfig": {"numberOfImages": 3}}}),
    ("amazon.nova-canvas-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (12, 0), "request": {
        "taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a tree"}}}),
    # cache reads are priced though a call of the same hour wrote to the cache, which Nova's book cannot price
    ("amazon.nova-pro-v1:0", "us-east-1", {"tokens": (1000, 200), "cache": (3000, 0)}),
    ("amazon.nova-pro-v1:0", "us-east-1", {"tokens": (1000, 200), "cache": (3000, 0)}),
    # 5-minute writes are priced though a call of the same hour wrote for an hour, which has no price here
    ("us.anthropic.claude-sonnet-4-20250514-v1:0", "us-east-1", {
        "tokens": (900, 300), "cache": (0, 1000), "request": PROMPT, "response": converse_usage({"5m": 1000})}),
    # Luma Ray2 bills seconds at the request's resolution (AWS model parameters: "duration", "resolution")
    ("luma.ray-v2:0", "us-west-2", {"operation": "StartAsyncInvoke", "tokens": (0, 0), "request": {
        "prompt": "a lake", "aspect_ratio": "16:9", "loop": False, "duration": "5s", "resolution": "540p"}}),
    ("luma.ray-v2:0", "us-west-2", {"operation": "StartAsyncInvoke", "tokens": (0, 0), "request": {
        "prompt": "a lake", "aspect_ratio": "16:9", "loop": False, "duration": "9s", "resolution": "720p"}}),
    # service tiers: the response's serviceTier (else the request's) picks the flex or priority rates
    ("openai.gpt-oss-120b-1:0", "us-west-2", {"tokens": (10_000, 4000), "request": {**PROMPT, "serviceTier": {
        "type": "flex"}}, "response": {"stopReason": "end_turn", "serviceTier": {"type": "flex"}}}),
    ("qwen.qwen3-32b-v1:0", "us-west-2", {"tokens": (10_000, 4000), "request": {**PROMPT, "serviceTier": {
        "type": "priority"}}}),
    ("qwen.qwen3-32b-v1:0", "us-west-2", {"request": PROMPT, "response": {
        "serviceTier": {"type": "default"}, "performanceConfig": {"latency": "standard"}}}),
    # what served the call (the response) wins over what the request asked
    ("qwen.qwen3-32b-v1:0", "us-west-2", {"tokens": (7000, 3000), "request": {**PROMPT, "serviceTier": {
        "type": "priority"}, "performanceConfig": {"latency": "optimized"}}, "response": {
        "serviceTier": {"type": "default"}, "performanceConfig": {"latency": "standard"}}}),
    # OpenAI's Chat Completions bodies say service_tier; flex cache reads at the flex row's own rate
    ("openai.gpt-oss-120b-1:0", "us-west-2", {"tokens": (5000, 500), "request": {
        "messages": [], "service_tier": "flex"}, "response": {"service_tier": "flex"}}),
    ("amazon.nova-pro-v1:0", "us-east-1", {"tokens": (1000, 200), "cache": (3000, 0), "request": PROMPT,
                                           "response": {"serviceTier": {"type": "flex"}}}),
    # "auto" names no tier (a response's tier, else Standard); "standard" is Standard
    ("openai.gpt-oss-120b-1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (2000, 100), "request": {
        "messages": [], "service_tier": "auto"}}),
    ("openai.gpt-oss-120b-1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (3000, 100), "request": {
        "messages": [], "service_tier": "auto"}, "response": {"service_tier": "flex"}}),
    ("openai.gpt-oss-120b-1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (4000, 100), "request": {
        "messages": [], "service_tier": "standard"}}),
    ("amazon.rerank-v1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (0, 0), "request": {
        "query": "q", "documents": [f"document {i}" for i in range(250)]}}),
    ("cohere.rerank-v3-5:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0), "request": {
        "query": "q", "documents": ["a", "b"]}}),
]
UNPRICED = [
    # an image call whose body was not logged: how many images is unknown
    ("amazon.nova-canvas-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0)}, "needs body logging"),
    ("amazon.titan-embed-image-v1", "us-west-2", {"operation": "InvokeModel", "tokens": (12, 0)},
     "needs body logging"),  # whether an image was given is unknown
    ("amazon.nova-2-multimodal-embeddings-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0),
     "request": {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {
         "embeddingPurpose": "GENERIC_INDEX", "image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}}}},
     "no price for the images, video or audio given"),
    ("amazon.nova-2-multimodal-embeddings-v1:0", "us-east-1", {"operation": "InvokeModel", "tokens": (0, 0),
     "request": {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {"embeddingPurpose": "GENERIC_INDEX",
                 "audio": {"format": "mp3", "source": {"s3Location": {"uri": "s3://media/a.mp3"}}}}}},
     "no price for the images, video or audio given"),
    ("amazon.nova-2-multimodal-embeddings-v1:0", "us-east-1", {"operation": "StartAsyncInvoke", "tokens": (0, 0),
     "request": {"taskType": "SEGMENTED_EMBEDDING", "segmentedEmbeddingParams": {
         "embeddingPurpose": "GENERIC_INDEX", "video": {"format": "mp4", "source": {
             "s3Location": {"uri": "s3://media/v.mp4"}}}}}}, "or for an asynchronous embedding job"),
    ("amazon.nova-2-multimodal-embeddings-v1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (40, 0),
     "offloaded": True}, "request body over 100 KB"),  # almost surely an inline image, video or audio
    ("amazon.nova-2-multimodal-embeddings-v1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (40, 0)},
     "needs body logging"),  # what it was given is unknown
    # an image variation's request holds its input image: over 100 KB, the body is delivered apart
    ("amazon.nova-canvas-v1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (0, 0), "offloaded": True},
     "request body over 100 KB, delivered apart under /data/"),
    ("amazon.nova-sonic-v1:0", "us-east-1", {"tokens": (3000, 2000)}, "speech and text tokens are not split"),
    ("example.unknown-model-v1:0", "us-east-1", {}, "no price for this model"),
    ("twelvelabs.pegasus-1-2-v1:0", "us-west-2", {"operation": "InvokeModel", "tokens": (0, 300)},
     "input billed per second of video"),  # its output tokens alone would understate the call
    ("amazon.nova-pro-v1:0", "us-east-1", {"tokens": (1000, 200), "cache": (0, 2000)}, "no cache write price"),
    ("luma.ray-v2:0", "us-west-2", {"operation": "StartAsyncInvoke", "tokens": (0, 0), "request": {
        "prompt": "a lake", "duration": "5s"}}, "the request holds no video length or resolution"),
    ("luma.ray-v2:0", "us-west-2", {"operation": "StartAsyncInvoke", "tokens": (0, 0), "request": {
        "prompt": "a lake", "duration": "5s", "resolution": "1080p"}}, "no price for this image size or video"),
    ("luma.ray-v2:0", "us-west-2", {"operation": "StartAsyncInvoke", "tokens": (0, 0), "request": {
        "prompt": "a lake", "resolution": "720p"}}, "the request holds no video length"),  # no length is guessed
    ("mistral.mistral-large-2407-v1:0", "us-west-2", {"request": PROMPT, "response": {
        "serviceTier": {"type": "reserved"}}}, "reserved tier"),  # paid for by the reservation
    ("qwen.qwen3-32b-v1:0", "us-west-2", {"request": {**PROMPT, "performanceConfig": {"latency": "optimized"}}},
     "no latency-optimized price"),
    ("ai21.jamba-1-5-large-v1:0", "us-east-1", {"request": {**PROMPT, "serviceTier": {"type": "flex"}}},
     "no flex tier price"),
    ("us.anthropic.claude-sonnet-4-20250514-v1:0", "us-east-1", {
        "tokens": (900, 300), "cache": (0, 1000), "request": PROMPT, "response": converse_usage({"1h": 1000})},
     "no 1-hour cache write price"),
]


@pytest.fixture(scope="module", params=["raw", "cached"])
def report_and_records(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """The report read from the logs, and (``cached``) from the columnar cache's parts, whose bodies are reduced to
    the values reports read (logs/bodies.py)."""
    records = [record(n, model, region, **options) for n, (model, region, options) in enumerate(CALLS)]
    records += [record(100 + n, model, region, **options) for n, (model, region, options, _) in enumerate(UNPRICED)]
    root: Path = tmp_path_factory.mktemp("families")
    write_local(root, records)
    regions = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-2", "us-gov-west-1")
    cache = tmp_path_factory.mktemp("parts") if request.param == "cached" else False
    tracker = BedrockAthenaTracker(LocalEngine(root, cache=cache))
    report = tracker.analyze(resolve_period(start=DAY, end=DAY), regions, Filters())
    return report, records


def test_every_call_costs_its_published_price(report_and_records) -> None:
    report, records = report_and_records
    expected = aggregate(records, date.fromisoformat(DAY), date.fromisoformat(DAY), regions=None)["model_id"]
    costs = report.facts.groupby("model_id")["estimated_cost_usd"].sum(min_count=1)
    for (model_id,), totals in expected.items():
        if math.isnan(totals.estimated_cost):
            assert math.isnan(costs[model_id]), model_id
        else:
            assert costs[model_id] == pytest.approx(totals.estimated_cost, rel=1e-9, abs=1e-12), model_id
    priced = [model for model, _, _ in CALLS]
    assert all(not math.isnan(expected[(model,)].estimated_cost) for model in priced)


def test_units_read_from_bodies(report_and_records) -> None:
    facts = report_and_records[0].facts
    canvas = facts.loc[(facts["model_id"] == "amazon.nova-canvas-v1:0") & facts["priced"]]
    # 3 premium images of 2048 px at $0.08, and 2 standard 1024 px images at $0.04 (AWS pricing page); the failed
    # call's 3 images were never made
    assert canvas["images"].sum() == 5 and canvas["errors"].sum() == 1
    assert canvas["estimated_cost_usd"].sum() == pytest.approx(3 * 0.08 + 2 * 0.04)
    reel = facts.loc[facts["model_id"] == "amazon.nova-reel-v1:1"]
    assert reel["video_seconds"].sum() == 12 + 18 and reel["estimated_cost_usd"].sum() == pytest.approx(30 * 0.08)
    rerank = facts.loc[facts["model_id"] == "amazon.rerank-v1:0"]
    assert rerank["rerank_queries"].sum() == 3  # 250 documents are 3 queries of up to 100
    one_hour = facts.loc[facts["cache_write_1h_tokens"] > 0, "cache_write_1h_tokens"].sum()
    assert one_hour == 4000 + 3000 + 4000 + 6000 + 1000  # InvokeModel, its stream, Converse, ConverseStream, unpriced


def test_video_resolutions_service_tiers_and_images_given(report_and_records) -> None:
    facts = report_and_records[0].facts
    luma = facts.loc[(facts["model_id"] == "luma.ray-v2:0") & facts["priced"]]
    # 5 s at 540p ($0.75/s) and 9 s at 720p ($1.50/s), AWS pricing page
    assert luma["video_seconds"].sum() == 14 and luma["estimated_cost_usd"].sum() == pytest.approx(5 * 0.75 + 9 * 1.5)
    def tier_cost(model: str, tier: str) -> float:
        return facts.loc[(facts["model_id"] == model) & (facts["service_tier"] == tier), "estimated_cost_usd"].sum()

    # gpt-oss-120b Flex: $0.075 / $0.30 per million tokens against Standard's $0.15 / $0.60 (10K + 5K + 3K in,
    # 4.6K out); Standard: the 1K / 200 call, "auto" 2K / 100 and "standard" 4K / 100
    assert tier_cost("openai.gpt-oss-120b-1:0", "flex") == pytest.approx(18 * 0.000075 + 4.6 * 0.0003)
    standard = facts.loc[(facts["model_id"] == "openai.gpt-oss-120b-1:0") & facts["service_tier"].isin(
        ["default", "standard"]), "estimated_cost_usd"].sum()
    assert standard == pytest.approx(7 * 0.00015 + 0.4 * 0.0006)
    titan = facts.loc[(facts["model_id"] == "amazon.titan-embed-image-v1") & facts["priced"]]
    # 50 text tokens at $0.0008 per 1K and one image at $0.00006 (the failed call's image is not billed)
    assert titan["media_given"].sum() == 1
    assert titan["input_cost_usd"].sum() == pytest.approx(50 * 0.0008 / 1000 + 0.00006)
    # Qwen3 32B Priority: $0.2625 / $1.05; the call that asked for Priority and was served Standard is Standard,
    # with the two other Standard calls of 1K / 200 tokens
    assert tier_cost("qwen.qwen3-32b-v1:0", "priority") == pytest.approx(10 * 0.0002625 + 4 * 0.00105)
    assert tier_cost("qwen.qwen3-32b-v1:0", "default") == pytest.approx(9 * 0.00015 + 3.4 * 0.0006)
    # Nova Pro Flex: $0.40 / $1.60 per million tokens, cache reads $0.10 (half the Standard rates)
    assert tier_cost("amazon.nova-pro-v1:0", "flex") == pytest.approx(0.0004 + 0.2 * 0.0016 + 3 * 0.0001)


def test_the_summary_counts_units_besides_tokens_and_calls_of_each_tier(report_and_records) -> None:
    report = report_and_records[0]
    # images: Canvas 3 + 1 + 1, Titan Image Generator 2 + 1; seconds: Reel 12 + 18, Luma 5 + 9; queries: 3 + 1;
    # media: Titan's one image (Nova's calls with media are unpriced)
    units = {name: report.summary[name] for name in ("images", "video_seconds", "rerank_queries", "media_given")}
    assert units == {"images": 8, "video_seconds": 44, "rerank_queries": 4, "media_given": 1}
    # calls served in Flex: gpt-oss 10K, 5K and 3K-token calls, Nova Pro's; in Priority: Qwen's 10K-token call
    assert (report.summary["flex_calls"], report.summary["priority_calls"]) == (4, 1)
    text = render_terminal(report, [], 20)
    assert "Service tiers:      4 Flex and 1 Priority calls, priced at their tier's rates" in text
    assert ("Billed besides tokens: 8 images made, 44 seconds of video, 4 rerank queries, "
            "1 images, videos or audio given to embeddings models") in text


def test_calls_that_cannot_be_priced_say_why(report_and_records) -> None:
    report = report_and_records[0]
    reasons = {(row.model_id, row.reason) for row in report.unpriced.itertuples()}
    for model, _, _, reason in UNPRICED:
        assert any(m == model and reason in r for m, r in reasons), (model, reasons)
    warnings = "\n".join(report.warnings)
    assert "unpriced (needs body logging): amazon.nova-canvas-v1:0 in us-east-1: 1 call," in warnings
    assert report.summary["unpriced_calls"] == len(UNPRICED)


def test_no_prompt_text_reaches_the_facts(report_and_records) -> None:
    facts = report_and_records[0].facts
    assert not any("secret prompt text" in str(value) for value in facts.to_numpy().ravel())


def test_guardrail_interventions_are_counted(report_and_records) -> None:
    report = report_and_records[0]
    assert report.summary["guardrail_interventions"] == 1
    facts = report.facts
    assert facts.loc[facts["guardrail_interventions"] > 0, "model_id"].tolist() == ["us.amazon.nova-lite-v1:0"]
