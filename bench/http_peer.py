"""The ceiling for our HTTP stack: a minimal FastAPI + asyncpg endpoint, served as Intake is.

    python -m bench.http_peer DATABASE_URL PORT

`POST /v1/reports` validates the body against the same `ReportSubmission` contract as Intake
and inserts one row (autocommit, one round trip); it answers 201 with the new id. uvicorn runs
it with the settings of `casekit.service.serve` (loop and http "auto": uvloop and httptools, no
access log, one worker) and a pool of the size Intake's settings give it. No tracing, metrics,
logging, idempotency, duplicates, case numbers or events: what those cost is what
`bench.intake` compares.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI, Request

from casekit.settings import ServiceSettings
from schemas.intake import ReportSubmission

TABLE = """CREATE TABLE IF NOT EXISTS peer_reports (
    id bigserial PRIMARY KEY, channel text NOT NULL, category_code text NOT NULL, description text NOT NULL,
    lat double precision, lon double precision, received_at timestamptz NOT NULL DEFAULT now())"""
INSERT = """INSERT INTO peer_reports (channel, category_code, description, lat, lon)
    VALUES ($1, $2, $3, $4, $5) RETURNING id"""
POOL_SIZE = ServiceSettings.model_fields["db_pool_size"].default


def build_app(database_url: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=POOL_SIZE)
        assert pool is not None
        await pool.execute(TABLE)
        app.state.pool = pool
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/v1/reports", status_code=201)
    async def post_report(body: ReportSubmission, request: Request) -> dict[str, Any]:
        pool: asyncpg.Pool = request.app.state.pool
        location = body.location
        new_id = await pool.fetchval(
            INSERT, body.channel, body.category_code, body.description, location.lat, location.lon
        )
        return {"id": new_id}

    return app


def main() -> None:
    database_url, port = sys.argv[1], int(sys.argv[2])
    config = uvicorn.Config(build_app(database_url), host="127.0.0.1", port=port, log_config=None, access_log=False)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
