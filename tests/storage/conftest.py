"""An S3-speaking server (moto) on loopback for the media storage tests, and a bucket per test module."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

ACCESS = {
    "aws_access_key_id": "minbil-test",
    "aws_secret_access_key": "minbil-test-secret",
    "region_name": "eu-north-1",
}


class Bucket:
    """A bucket on the test server, read with boto3: an oracle independent of the client the app uses."""

    def __init__(self, endpoint: str, name: str, prefix: str = "media") -> None:
        self.endpoint, self.name, self.prefix = endpoint, name, prefix
        self.s3 = boto3.client("s3", endpoint_url=endpoint, **ACCESS)

    def settings(self) -> dict[str, Any]:
        """App settings that put the media into this bucket."""
        return {
            "media_store": f"s3://{self.name}/{self.prefix}",
            "s3_endpoint_url": self.endpoint,
            "s3_access_key_id": ACCESS["aws_access_key_id"],
            "s3_secret_access_key": ACCESS["aws_secret_access_key"],
            "s3_region": ACCESS["region_name"],
        }

    def keys(self, folder: str = "") -> set[str]:
        """Storage keys (without the prefix) of the objects under `folder`."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=f"{self.prefix}/{folder}")
        return {item["Key"].removeprefix(self.prefix + "/") for page in pages for item in page.get("Contents", [])}

    def head(self, key: str) -> dict[str, Any]:
        return self.s3.head_object(Bucket=self.name, Key=f"{self.prefix}/{key}")

    def body(self, key: str) -> bytes:
        data: bytes = self.s3.get_object(Bucket=self.name, Key=f"{self.prefix}/{key}")["Body"].read()
        return data


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    # TEST_MOTO_PORT pins the port (to keep within a range); 0 lets the system choose a free one
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(os.environ.get("TEST_MOTO_PORT", "0")), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def new_bucket(endpoint: str) -> Bucket:
    bucket = Bucket(endpoint, f"minbil-test-{uuid.uuid4().hex[:12]}")
    bucket.s3.create_bucket(Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": ACCESS["region_name"]})
    return bucket


@pytest.fixture
def bucket(s3_endpoint: str) -> Bucket:
    return new_bucket(s3_endpoint)
