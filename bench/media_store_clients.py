"""S3 clients for the media storage, compared: N small PUT+GET round trips against moto's S3 server on loopback.

Measures obstore (the client `app.infra.s3storage` uses) and, when it is installed in the same environment,
aioboto3; prints the best of `--rounds` runs and each client's import time (measured in a fresh interpreter).

    python bench/media_store_clients.py --objects 200 --size 20000
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

ACCESS: dict[str, Any] = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}


async def with_obstore(endpoint: str, bucket: str, objects: int, data: bytes) -> float:
    import obstore
    from obstore.store import S3Store

    store = S3Store(
        bucket,
        config={
            "endpoint": endpoint,
            "access_key_id": ACCESS["aws_access_key_id"],
            "secret_access_key": ACCESS["aws_secret_access_key"],
            "region": ACCESS["region_name"],
        },
        client_options={"allow_http": True},
    )
    started = time.perf_counter()
    for i in range(objects):
        await obstore.put_async(store, f"o/{i}.jpg", data)
        assert bytes(await (await obstore.get_async(store, f"o/{i}.jpg")).bytes_async()) == data
    return time.perf_counter() - started


async def with_aioboto3(endpoint: str, bucket: str, objects: int, data: bytes) -> float:
    import aioboto3  # type: ignore[import-not-found]

    async with aioboto3.Session().client("s3", endpoint_url=endpoint, **ACCESS) as client:
        started = time.perf_counter()
        for i in range(objects):
            await client.put_object(Bucket=bucket, Key=f"a/{i}.jpg", Body=data)
            answer = await client.get_object(Bucket=bucket, Key=f"a/{i}.jpg")
            assert await answer["Body"].read() == data
        return time.perf_counter() - started


def import_ms(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=0, help="moto's port (0: any free one)")
    args = parser.parse_args()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        bucket = f"bench-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=endpoint, **ACCESS).create_bucket(Bucket=bucket)
        data = os.urandom(args.size)
        clients = [("obstore", with_obstore)]
        if importlib.util.find_spec("aioboto3") is not None:
            clients.append(("aioboto3", with_aioboto3))
        for name, run in clients:
            best = min(asyncio.run(run(endpoint, bucket, args.objects, data)) for _ in range(args.rounds))
            print(
                f"{name}: {args.objects} PUT+GET of {args.size} bytes in {best:.2f} s (best of {args.rounds}); "
                f"import {import_ms(name):.0f} ms"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
