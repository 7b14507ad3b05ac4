"""Calls billed per image, second of video or rerank query whose request or response body went to ``/data/``.

Bedrock writes a body over 100 KB to a payload object under ``.../{HH}/data/`` and the record then carries
``input.inputBodyS3Path`` / ``output.outputBodyS3Path`` instead of ``inputBodyJson`` / ``outputBodyJson`` (Amazon
Bedrock User Guide, "Monitor model invocation using CloudWatch Logs and Amazon S3"). Image and video calls are the
ones whose bodies are large: an image to edit, vary or upscale travels base64 in the request, every image made
comes back base64 in the response. The records below are built that way, with request and response bodies in the
shapes the model pages publish (Amazon Nova user guide, "Request and response structure for image generation" and
Nova Reel's "Video generation access and usage"; Titan Image Generator, Stability AI, Cohere Rerank and Amazon
Rerank model parameters in the Amazon Bedrock User Guide).

A call whose request is logged is priced from it whatever became of the response; a call whose request went to
``/data/`` is unpriced, with a reason that says so, its calls and tokens kept (never one image, default seconds or 0),
even when its small response is logged: the size and quality that set an image's price are in the request. Stability
AI's SD3 and Stable Image models are the exception: their requests carry no image count, size or quality and each
call makes one image, so such a call is priced as one image whatever became of its request
(an upscale or background removal carries its image, so its request is the one that goes apart). The
local engine, its columnar cache and the facts SQL over the table Athena reads give the same facts. Expected figures
come from the request bodies in plain Python and the published rows of ``bedrock_prices.csv``.
"""

from __future__ import annotations

import base64
import csv
import gzip
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bedrock_usage.engines.local import LocalEngine, to_duckdb
from bedrock_usage.engines.queries import Filters, usage_facts_query
from bedrock_usage.logs.layout import object_key
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import ACCOUNT, athena_shaped_table, cli_json, log_body, serde_row, write_payloads

DAY = "2026-11-04"
PERIOD = resolve_period(start=DAY, end=DAY)
BUCKET, PREFIX = "bedrock-logs-x", "bedrock-logs/"
ROLE = "arn:aws:sts::123456789012:assumed-role/Studio-BedrockRole/render"
PRICES = Path(__file__).resolve().parents[2] / "bedrock_usage" / "pricing" / "bedrock_prices.csv"
CANVAS, TITAN_V1, TITAN_V2 = ("amazon.nova-canvas-v1:0", "amazon.titan-image-generator-v1",
                              "amazon.titan-image-generator-v2:0")
SD35, REMOVE_BG, UPSCALE = ("stability.sd3-5-large-v1:0", "stability.stable-image-remove-background-v1:0",
                            "stability.stable-conservative-upscale-v1:0")
REEL, COHERE_RERANK, AMAZON_RERANK = "amazon.nova-reel-v1:1", "cohere.rerank-v3-5:0", "amazon.rerank-v1:0"
SDXL = "stability.stable-diffusion-xl-v1"  # its requests give the count (samples) and size of its images
ONE_IMAGE = {SD35, REMOVE_BG, UPSCALE}  # one image per call, one price: priced whatever became of the request


def b64_image(n: int, size: int) -> str:
    """A base64 PNG of ``size`` bytes (its signature, then incompressible bytes, as image data is)."""
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + random.Random(n).randbytes(size - 8)).decode()


BIG, SMALL = 110_000, 30_000  # bytes of an image: base64 over 100 KB alone, and well under it


def canvas_made(count: int, size: int = BIG) -> dict:
    return {"images": [b64_image(900 + i, size) for i in range(count)]}


def stability_made(size: int = BIG) -> dict:
    return {"seeds": [2130420379], "finish_reasons": [None], "images": [b64_image(950, size)]}


# (model, operation, request body, response body, input tokens); a body over 100 KB is written apart.
# 1. Only the response went to /data/: the request says what the call made.
RESPONSE_APART = [
    (CANVAS, "InvokeModel", {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse at dusk"},
                             "imageGenerationConfig": {"numberOfImages": 2, "width": 2048, "height": 2048,
                                                       "quality": "premium", "cfgScale": 6.5, "seed": 12}},
     canvas_made(2), 0),
    (CANVAS, "InvokeModel", {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a red kite"}},
     canvas_made(1), 0),  # the defaults: one 1024 x 1024 image of standard quality
    (TITAN_V2, "InvokeModel", {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a harbour"},
                               "imageGenerationConfig": {"numberOfImages": 3, "width": 512, "height": 512,
                                                         "quality": "standard", "cfgScale": 8.0}},
     canvas_made(3, 40_000), 0),
    (SD35, "InvokeModel", {"prompt": "a fox in snow", "mode": "text-to-image", "aspect_ratio": "1:1",
                           "output_format": "png"}, stability_made(), 0),
]
# 2. Only the request went to /data/ (an image to vary, edit or animate; a thousand documents to rank); the logged
# response may even show the images made, but not their size or quality.
REQUEST_APART = [
    (CANVAS, "InvokeModel", {"taskType": "IMAGE_VARIATION", "imageVariationParams": {
        "text": "in watercolour", "images": [b64_image(1, BIG)], "similarityStrength": 0.7},
        "imageGenerationConfig": {"numberOfImages": 1, "width": 2048, "height": 2048, "quality": "premium"}},
     canvas_made(1, SMALL), 9),
    (REMOVE_BG, "InvokeModel", {"image": b64_image(2, BIG), "output_format": "png"}, stability_made(SMALL), 0),
    (REEL, "StartAsyncInvoke", {"taskType": "TEXT_VIDEO", "textToVideoParams": {
        "text": "waves roll in", "images": [{"format": "png", "source": {"bytes": b64_image(3, BIG)}}]},
        "videoGenerationConfig": {"durationSeconds": 6, "fps": 24, "dimension": "1280x720", "seed": 7}},
     {"invocationArn": "arn:aws:bedrock:us-east-1:123456789012:async-invoke/abcdef123456"}, 14),
    (COHERE_RERANK, "InvokeModel", {"query": "which clause covers refunds?", "top_n": 3, "api_version": 2,
                                    "documents": [f"clause {i}: " + "terms " * 24 for i in range(700)]},
     {"id": "r-1", "results": [{"index": i, "relevance_score": 0.9 - i / 10} for i in range(3)]}, 0),
    (AMAZON_RERANK, "InvokeModel", {"query": "refunds", "documents": [f"page {i}: " + "text " * 30
                                                                      for i in range(700)]},
     {"results": [{"index": 4, "relevance_score": 0.8}]}, 0),
]
# 3. Both went to /data/: an edit whose input and output images are both large.
BOTH_APART = [
    (CANVAS, "InvokeModel", {"taskType": "INPAINTING", "inPaintingParams": {
        "image": b64_image(4, BIG), "maskPrompt": "the sky", "text": "a starry sky"},
        "imageGenerationConfig": {"numberOfImages": 3, "quality": "premium"}}, canvas_made(3), 21),
    (TITAN_V1, "InvokeModel", {"taskType": "IMAGE_VARIATION", "imageVariationParams": {
        "text": "brighter", "images": [b64_image(5, BIG)]},
        "imageGenerationConfig": {"numberOfImages": 2, "width": 1024, "height": 1024}}, canvas_made(2), 0),
    (UPSCALE, "InvokeModel", {"image": b64_image(6, BIG), "prompt": "a sharp photo of a cat"},
     stability_made(), 0),
    (SD35, "InvokeModel", {"prompt": "the same fox at night", "mode": "image-to-image", "image": b64_image(7, BIG),
                           "strength": 0.6}, stability_made(), 0),
]
CALLS = RESPONSE_APART + REQUEST_APART + BOTH_APART


def published(model: str, tier: str) -> float:
    """The price per unit of ``model``'s ``tier`` row (standard mode, every region) in the price book's CSV."""
    with PRICES.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if (row["model"], row["tier"], row["mode"], row["region"])
                == (model, tier, "standard", "*")]
    assert len(rows) == 1, (model, tier)
    return float(rows[0]["per_unit"])


def expected_image_cost(model: str, request: dict) -> float:
    """Images asked for x the published price of their size class and quality (defaults: one image, 1024 x 1024,
    standard; Stability's models make one image, at one price whatever its size)."""
    if model.startswith("stability."):
        return published(model, "image_any_standard")
    config = request.get("imageGenerationConfig", {})
    side = max(config.get("width", 1024), config.get("height", 1024))
    size = next(limit for limit in (512, 1024, 2048) if side <= limit)
    return config.get("numberOfImages", 1) * published(model, f"image_{size}_{config.get('quality', 'standard')}")


def records_of(calls: list[tuple], first: int = 0) -> tuple[list[dict], dict[str, bytes]]:
    """Log records of ``calls`` and the payload objects (key -> gzip JSON) their bodies over 100 KB went to; a call
    given a sixth item failed with that ``errorCode``, and a body given as None was not logged."""
    records, payloads = [], {}
    for n, (model, operation, request, response, tokens, *error) in enumerate(calls, start=first):
        request_id = f"5e1d0000-0000-4000-8000-{n:012d}"
        hour = f"{DAY.replace('-', '/')}/10"
        part_in: dict = {"inputContentType": "application/json", "inputTokenCount": tokens}
        part_out: dict = {"outputContentType": "application/json", "outputTokenCount": 0}
        folder = f"{PREFIX}AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/us-east-1/{hour}/data/"
        for part, side, body in ((part_in, "input", request), (part_out, "output", response)):
            if body is not None:
                log_body(part, side, body, folder, request_id, BUCKET, payloads)
        records.append({"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                        "timestamp": f"{DAY}T10:{n:02d}:00Z", "accountId": ACCOUNT, "identity": {"arn": ROLE},
                        "region": "us-east-1", "requestId": request_id, "operation": operation, "modelId": model,
                        "input": part_in, "output": part_out} | ({"errorCode": error[0]} if error else {}))
    return records, payloads


RECORDS, PAYLOADS = records_of(CALLS)
RECORD_KEY = object_key(PREFIX, ACCOUNT, "us-east-1", PERIOD.utc_start.replace(hour=10), "0001")
REQUESTS_APART = [r for r in RECORDS if "inputBodyS3Path" in r["input"]]


def test_the_records_are_offloaded_as_each_case_says() -> None:
    sides = [("inputBodyS3Path" in r["input"], "outputBodyS3Path" in r["output"]) for r in RECORDS]
    cases = ([(False, True)] * len(RESPONSE_APART) + [(True, False)] * len(REQUEST_APART)
             + [(True, True)] * len(BOTH_APART))
    assert sides == cases


def write_logs(root: Path, records: list[dict], payloads: dict[str, bytes]) -> Path:
    """The records in one object of their hour, the bodies over 100 KB as payload objects under its ``data/``."""
    path = root / RECORD_KEY
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    write_payloads(root, payloads)
    return root


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_logs(tmp_path_factory.mktemp("offloaded"), RECORDS, PAYLOADS)


def test_a_logged_request_prices_the_call_and_an_offloaded_one_leaves_it_unpriced_with_its_calls_but_one_image(
        logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY)
    priced = defaultdict(float)
    for model, _, request, _, _ in RESPONSE_APART:
        priced[model] += expected_image_cost(model, request)
    for record in REQUESTS_APART:
        if record["modelId"] in ONE_IMAGE:
            priced[record["modelId"]] += published(record["modelId"], "image_any_standard")
    apart = Counter(r["modelId"] for r in REQUESTS_APART if r["modelId"] not in ONE_IMAGE)
    tokens = Counter()
    for record in REQUESTS_APART:
        tokens[record["modelId"]] += record["input"]["inputTokenCount"]
    by_model = {row["base_model_id"]: row for row in doc["analyses"]["model"]}
    for model in {call[0] for call in CALLS}:
        row = by_model[model]
        assert row["unpriced_calls"] == apart[model], model
        if model in priced:
            assert row["estimated_cost_usd"] == pytest.approx(priced[model], rel=1e-12), model
        else:
            assert row["estimated_cost_usd"] is None, model  # not one image, six seconds or one query: no figure
    summary = doc["summary"]
    assert summary["estimated_cost_usd"] == pytest.approx(sum(priced.values()), rel=1e-12)
    images = sum(r.get("imageGenerationConfig", {}).get("numberOfImages", 1) for _, _, r, _, _ in RESPONSE_APART)
    one_image = sum(r["modelId"] in ONE_IMAGE for r in REQUESTS_APART)
    assert (summary["images"], summary["video_seconds"], summary["rerank_queries"]) == (images + one_image, 0, 0)
    assert summary["unpriced_calls"] == sum(apart.values()) and summary["calls"] == len(RECORDS)
    unpriced = {row["model_id"]: row for row in doc["unpriced_models"]}
    assert set(unpriced) == set(apart)
    units = {REEL: "seconds of video", COHERE_RERANK: "rerank queries", AMAZON_RERANK: "rerank queries"}
    for model, row in unpriced.items():
        assert (row["calls"], row["input_tokens"]) == (apart[model], tokens[model]), model
        assert row["reason"] == ("request body over 100 KB, delivered apart under /data/, which reports do not "
                                 f"read: the {units.get(model, 'images')} billed are known only there"), model
    warnings = "\n".join(doc["warnings"])
    assert (f"unpriced (request body over 100 KB, delivered apart under /data/, which reports do not read: the "
            f"images billed are known only there): {CANVAS} in us-east-1: 2 calls, 30 input / 0 output tokens "
            "have no price") in warnings


def test_a_one_image_model_is_priced_without_its_request_body_and_other_image_models_need_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Body logging off (no request or response body in the record): a background removal is one image at its
    published price; a Nova Canvas call and an SDXL one, whose requests set the images' number and size, stay
    unpriced."""
    records, payloads = records_of([(REMOVE_BG, "InvokeModel", None, None, 0), (CANVAS, "InvokeModel", None, None, 5),
                                    (SDXL, "InvokeModel", None, None, 0)], first=48)
    doc = cli_json(capsys, write_logs(tmp_path, records, payloads), "--start-date", DAY, "--end-date", DAY)
    by_model = {row["base_model_id"]: row for row in doc["analyses"]["model"]}
    assert by_model[REMOVE_BG]["estimated_cost_usd"] == pytest.approx(published(REMOVE_BG, "image_any_standard"),
                                                                      rel=1e-12)
    assert (by_model[CANVAS]["unpriced_calls"], by_model[CANVAS]["estimated_cost_usd"]) == (1, None)
    assert sorted((row["model_id"], row["reason"]) for row in doc["unpriced_models"]) == [
        (CANVAS, "needs body logging"), (SDXL, "needs body logging")]
    assert doc["summary"]["images"] == 1


def test_what_a_report_says_its_images_are_read_from_names_the_one_image_models_calls(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Body logging off: the one image priced comes from no request body, so the cost note (JSON, terminal) and the
    terminal's count of images billed say a one-image model's call counts as its image, not that images are read
    from logged request bodies alone."""
    import bedrock_tracker_cli

    records, payloads = records_of([(REMOVE_BG, "InvokeModel", None, None, 0)], first=40)
    logs = write_logs(tmp_path, records, payloads)
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY)
    assert doc["summary"]["images"] == 1 and doc["unpriced_models"] == []
    read = "from logged request bodies, a call of a Stability AI one-image model as its one image"
    assert f"images given to an embeddings model, {read}) x " in doc["accuracy"]["cost"]
    assert bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", "--start-date", DAY,
                                     "--end-date", DAY, "--analysis", "summary"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert f"Billed besides tokens: 1 images made ({read})" in text
    assert f"model, {read}) x " in text


def test_a_price_file_s_rate_for_a_one_image_model_prices_its_calls_without_their_requests(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A negotiated rate for background removal's standard images only (the tier a Stability request, which names no
    quality or size, is priced at): its calls without their request, body logging off or the request apart, are
    one image each at that rate, as a call with its request logged is."""
    calls = [(REMOVE_BG, "InvokeModel", None, None, 0), (REMOVE_BG, "InvokeModel", {"image": b64_image(20, BIG)},
                                                             stability_made(SMALL), 0),
             (REMOVE_BG, "InvokeModel", {"image": b64_image(21, SMALL)}, stability_made(SMALL), 0)]
    records, payloads = records_of(calls, first=52)
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"prices": [{"model": REMOVE_BG, "unit": "image", "tier": "image_any_standard",
                                              "per_unit": 0.05}]}), encoding="utf-8")
    doc = cli_json(capsys, write_logs(tmp_path / "logs", records, payloads), "--start-date", DAY, "--end-date", DAY,
                   "--prices", str(prices))
    row = next(row for row in doc["analyses"]["model"] if row["base_model_id"] == REMOVE_BG)
    assert (row["calls"], row["unpriced_calls"]) == (3, 0)
    assert row["estimated_cost_usd"] == pytest.approx(3 * 0.05, rel=1e-12)


BILLED_IN = {REEL: "video_seconds", COHERE_RERANK: "rerank_queries", AMAZON_RERANK: "rerank_queries"}


def athena_facts(records: list[dict], payloads: dict[str, bytes], lines: Path):
    """The facts SQL's rows over the table Athena reads from the records' object and payload objects."""
    # Athena reads the payload objects too (a table location is read recursively): rows of NULLs the facts skip
    with lines.open("w") as out:
        for record in records:
            out.write(json.dumps(serde_row(record, DAY.replace("-", "/"), f"s3://{BUCKET}/{RECORD_KEY}")) + "\n")
        for key in payloads:
            out.write(json.dumps({"dt": DAY.replace("-", "/"), "$path": f"s3://{BUCKET}/{key}"}) + "\n")
    query = usage_facts_query(PERIOD, Filters(), ())
    return athena_shaped_table(lines).execute(to_duckdb(query.sql), query.params).df()


def facts_by_key(facts) -> dict[tuple, dict[str, int]]:
    """Fact rows summed by what pricing reads of them (model, request body, image size and quality): calls, tokens
    and the units the model is billed in (images unless ``BILLED_IN`` says otherwise)."""
    sums: dict[tuple, Counter] = defaultdict(Counter)
    for row in facts.to_dict("records"):
        key = (row["model_id"], row["request_body"], int(row["media_size"]), row["image_quality"])
        sums[key].update({name: int(row[name]) for name in ("calls", "errors", "input_tokens")})
        sums[key]["units"] += int(row[BILLED_IN.get(row["model_id"], "images")])
    return {key: dict(values) for key, values in sums.items()}


def test_the_local_engine_its_cache_and_athenas_table_give_the_same_facts(logs: Path, tmp_path: Path) -> None:
    raw = BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD).facts
    cached = BedrockAthenaTracker(LocalEngine(logs, cache=tmp_path / "parts")).analyze(PERIOD).facts
    athena = athena_facts(RECORDS, PAYLOADS, tmp_path / "rows.jsonl")
    assert athena["day"].notna().all() and int(athena["calls"].sum()) == len(RECORDS)
    want = facts_by_key(athena)
    # what the request asked for, and nothing for a call whose request is apart: the SQL's facts; a report's (priced)
    # facts count a one-image model's calls as its images
    units = Counter()
    for (_, request_body, _, _), sums in want.items():
        units[request_body] += sums["units"]
    images = sum(r.get("imageGenerationConfig", {}).get("numberOfImages", 1) for _, _, r, _, _ in RESPONSE_APART)
    assert units == {"logged": images, "offloaded": 0}
    for (model, request_body, _, _), sums in want.items():
        if model in ONE_IMAGE and request_body == "offloaded":
            sums["units"] = sums["calls"]
    assert facts_by_key(raw) == want and facts_by_key(cached) == want


# Failed calls (``errorCode``, no response body) beside calls that succeeded, in the same hour, by the same caller, to
# the same models. A failed call makes, and bills, no image, second of video, rerank query or media given, whatever
# became of its request body; a multimodal embeddings model's failed call bills its tokens as any failed call does.
TITAN_EMBED = "amazon.titan-embed-image-v1"
VARIATION = {"taskType": "IMAGE_VARIATION", "imageVariationParams": {"text": "in ink", "images": [b64_image(8, BIG)]},
             "imageGenerationConfig": {"numberOfImages": 4, "width": 2048, "height": 2048, "quality": "premium"}}
VIDEO = {"taskType": "TEXT_VIDEO", "textToVideoParams": {
    "text": "a kite", "images": [{"format": "png", "source": {"bytes": b64_image(9, BIG)}}]},
    "videoGenerationConfig": {"durationSeconds": 12, "fps": 24, "dimension": "1280x720"}}
RANK = {"query": "refunds", "documents": [f"page {i}: " + "text " * 30 for i in range(700)]}
EMBED = {"inputText": "a red kite", "inputImage": b64_image(10, BIG)}
LUMA = "luma.ray-v2:0"  # priced by resolution: its size is in the request too
ANIMATE = {"prompt": "the kite flies off", "duration": "5s", "resolution": "720p", "keyframes": {"frame0": {
    "type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64_image(11, BIG)}}}}
FAILED = [
    (CANVAS, "InvokeModel", VARIATION, None, 9, "ValidationException"),
    (REEL, "StartAsyncInvoke", VIDEO, None, 14, "ThrottlingException"),
    (COHERE_RERANK, "InvokeModel", RANK, None, 0, "ServiceUnavailableException"),
    (TITAN_EMBED, "InvokeModel", EMBED, None, 40, "ModelTimeoutException"),
    (LUMA, "StartAsyncInvoke", ANIMATE, None, 0, "ValidationException"),
    (CANVAS, "InvokeModel", None, None, 0, "ValidationException"),  # its request body not logged
    (TITAN_V2, "InvokeModel", {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a boat"},
                               "imageGenerationConfig": {"numberOfImages": 2}}, None, 0, "ValidationException"),
]
SUCCEEDED = [(CANVAS, "InvokeModel", VARIATION, canvas_made(4, SMALL), 9), (REEL, "StartAsyncInvoke", VIDEO,
             {"invocationArn": "arn:aws:bedrock:us-east-1:123456789012:async-invoke/0123456789ab"}, 14)]
FAILED_RECORDS, FAILED_PAYLOADS = records_of(FAILED + SUCCEEDED, first=40)


def published_tokens(model: str) -> float:
    """The input price per 1K tokens of ``model``'s token row (standard mode, every region) in the price book's CSV."""
    with PRICES.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if (row["model"], row["unit"], row["mode"], row["region"])
                == (model, "tokens", "standard", "*")]
    assert len(rows) == 1, model
    return float(rows[0]["input"])


def test_the_failed_records_are_shaped_as_each_case_says() -> None:
    shapes = [("errorCode" in r, "inputBodyS3Path" in r["input"], "inputBodyJson" in r["input"])
              for r in FAILED_RECORDS]
    failed = [(True, True, False)] * 5 + [(True, False, False), (True, False, True)]
    assert shapes == failed + [(False, True, False)] * len(SUCCEEDED)


def test_a_failed_call_is_priced_at_0_whatever_became_of_its_request_body(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs = write_logs(tmp_path, FAILED_RECORDS, FAILED_PAYLOADS)
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY)
    failed = [r for r in FAILED_RECORDS if "errorCode" in r]
    apart = Counter(r["modelId"] for r in FAILED_RECORDS if "errorCode" not in r)
    cost = dict.fromkeys((r["modelId"] for r in failed), 0.0)  # no image, second or query made, nothing given
    cost[TITAN_EMBED] = sum(r["input"]["inputTokenCount"] for r in failed if r["modelId"] == TITAN_EMBED) / 1000 \
        * published_tokens(TITAN_EMBED)
    by_model = {row["base_model_id"]: row for row in doc["analyses"]["model"]}
    assert set(by_model) == set(cost)
    for model, row in by_model.items():
        assert row["estimated_cost_usd"] == pytest.approx(cost[model], rel=1e-12, abs=0), model
        assert row["unpriced_calls"] == apart[model], model
        assert row["errors"] == sum(r["modelId"] == model for r in failed), model
    summary = doc["summary"]
    assert summary["estimated_cost_usd"] == pytest.approx(sum(cost.values()), rel=1e-12)
    assert (summary["images"], summary["video_seconds"], summary["rerank_queries"], summary["media_given"]) == (
        0, 0, 0, 0)
    assert summary["unpriced_calls"] == len(SUCCEEDED) and summary["errors"] == len(failed)
    # the calls that succeeded with their requests apart stay unpriced, their tokens alone (none of the failed ones')
    unpriced = {row["model_id"]: row for row in doc["unpriced_models"]}
    assert set(unpriced) == set(apart)
    for model, row in unpriced.items():
        tokens = sum(r["input"]["inputTokenCount"] for r in FAILED_RECORDS if "errorCode" not in r
                     and r["modelId"] == model)
        assert (row["calls"], row["input_tokens"]) == (apart[model], tokens), model
    assert not any("needs body logging" in warning for warning in doc["warnings"])


def test_failed_calls_are_facts_apart_from_the_calls_that_succeeded_on_athenas_table(tmp_path: Path) -> None:
    athena = athena_facts(FAILED_RECORDS, FAILED_PAYLOADS, tmp_path / "rows.jsonl")
    raw = BedrockAthenaTracker(LocalEngine(write_logs(tmp_path / "logs", FAILED_RECORDS, FAILED_PAYLOADS),
                                           cache=False)).analyze(PERIOD).facts
    want = facts_by_key(athena)
    assert facts_by_key(raw) == want
    sides = defaultdict(Counter)
    for (_, request_body, _, _), sums in want.items():
        sides[request_body].update({"calls": sums["calls"], "errors": sums["errors"], "units": sums["units"]})
    failed = sum("errorCode" in r for r in FAILED_RECORDS)
    assert dict(sides) == {"failed": {"calls": failed, "errors": failed, "units": 0},
                           "offloaded": {"calls": len(SUCCEEDED), "errors": 0, "units": 0}}
