"""Amazon Q Developer prompt logs on a moto S3 server on loopback: our analyzer against the seeds' sequential sample."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import boto3
from baselines import SEED_Q_SAMPLE

from bedrock_usage.logs.period import resolve_period
from bedrock_usage.qdev import layout
from bedrock_usage.qdev.analysis import Options, Source
from bedrock_usage.qdev.analysis import analyze as analyze_qdev
from bedrock_usage.qdev.prompt_logs import BadLogFile, parse_log_file
from bedrock_usage.qdev.sources import S3Store
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from bedrock_usage.qdev.tokens import count_tokens, load_encoding

BUCKET = "bench-qdev-prompt-logs"
FIRST, LAST = date(2025, 11, 1), date(2025, 11, 30)
USERS = 75  # about 5,000 prompt-log files over the 30 days


@dataclass(frozen=True)
class QdevFigures:
    files_in_range: int
    ours_files: int
    ours_seconds: float
    ours_requests: int
    seed_files: int
    seed_seconds: float

    @property
    def ours_rate(self) -> float:
        return self.ours_files / self.ours_seconds

    @property
    def seed_rate(self) -> float:
        return self.seed_files / self.seed_seconds


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 for the duration, reached through AWS_ENDPOINT_URL; stopped afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION", "AWS_PROFILE")}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        os.environ.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                          AWS_DEFAULT_REGION="us-east-1")
        os.environ.pop("AWS_PROFILE", None)
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        proc.terminate()
        proc.wait(timeout=10)


def seeds_sequential_sample(client, keys: list[str], period) -> int:
    """The seeds' way: at most 500 files, one get_object after another, tokens counted per record."""
    encoding = load_encoding()
    chosen = random.Random(0).sample(keys, min(SEED_Q_SAMPLE, len(keys)))
    requests = 0
    for key in chosen:
        data = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        try:
            parsed, _ = parse_log_file(data)
        except BadLogFile:
            continue
        for req in parsed:
            if period.utc_start <= req.timestamp < period.utc_end:
                requests += 1
                for text in (*req.input_texts, *req.output_texts):
                    count_tokens(encoding, text)
    return len(chosen)


def run_qdev_bench(log=print, users: int = USERS) -> QdevFigures:
    """Write the corpus of ``users`` to a fresh moto bucket, then time both readers over the same 30 days."""
    with moto_server():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        log(f"  writing the Amazon Q corpus ({users} users, {FIRST} .. {LAST}) to moto ...")
        write_qdev_corpus(f"s3://{BUCKET}", start=FIRST, end=LAST, users=users, activity=False,
                          regions=("us-east-1", "eu-central-1"), s3_client=client)
        keys = [item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
                for item in page.get("Contents", ())
                if (key := layout.parse_key(item["Key"])) is not None and not key.is_activity_report]
        period = resolve_period(start=FIRST.isoformat(), end=LAST.isoformat())
        load_encoding()
        started = time.perf_counter()
        report = analyze_qdev(Source(S3Store(client, BUCKET)), period, options=Options())
        ours = time.perf_counter() - started
        started = time.perf_counter()
        seed_files = seeds_sequential_sample(client, keys, period)
        seed = time.perf_counter() - started
    return QdevFigures(len(keys), report.files.read, ours, report.summary.requests, seed_files, seed)
