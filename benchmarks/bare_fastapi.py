"""The HTTP benchmarks' baseline server: a bare FastAPI app served by uvicorn with the
settings ``yagona serve`` uses, one POST that parses a JSON body and answers 201.

    .venv/bin/python benchmarks/bare_fastapi.py --port 8001
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

import uvicorn
from fastapi import Body, FastAPI

app = FastAPI()


@app.post("/v1/applications", status_code=201)
def submit(body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    return {"id": str(uuid.uuid4()), "service_code": body.get("service_code"), "status": "ok"}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
