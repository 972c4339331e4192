"""Callbacks moved onto casekit's durable jobs (sql/004_callbacks_on_jobs.sql): what was owed or
delivered before keeps its history, and new status changes are owed as jobs."""

from __future__ import annotations

import shutil
from pathlib import Path
from uuid import uuid4

from casekit.db import create_pool, migrate
from services.intake.adapters import callbacks_store
from services.intake.main import SQL


async def test_deliveries_recorded_before_the_move_to_jobs_keep_their_attempts(database: str, tmp_path: Path) -> None:
    # The schema as it was before sql/004 (same migration names, so 004 is all that is left).
    before = tmp_path / "adapters" / "sql"
    before.mkdir(parents=True)
    for path in sorted(SQL.glob("00[123]_*.sql")):
        shutil.copy(path, before / path.name)
    await migrate(database, "intake", [before])
    subscription, case = uuid4(), uuid4()
    pool = await create_pool(database, "intake")
    try:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO callback_subscriptions (id, channel, url, secret) VALUES ($1, 'grid', 'http://x/', 's')",
                subscription,
            )
            await conn.execute(
                """INSERT INTO reports (case_id, case_number, channel, category_code, description,
                    needs_confirmation, received_at, status, updated_at)
                VALUES ($1, 'GR-1', 'grid', '01002', 'd', false, now(), 'received', now())""",
                case,
            )
            await conn.execute("INSERT INTO status_changes (case_id, status) VALUES ($1, 'received')", case)
            await conn.execute("INSERT INTO status_changes (case_id, status) VALUES ($1, 'dispatched')", case)
            first, second = [row[0] for row in await conn.fetch("SELECT id FROM callback_deliveries ORDER BY id")]
            await conn.execute(
                """INSERT INTO callback_attempts (delivery_id, attempted_at, duration_ms, http_status, error)
                VALUES ($1, now(), 12, 500, NULL), ($1, now(), 7, 204, NULL), ($2, now(), 5000, NULL, 'timeout')""",
                first, second,
            )  # fmt: skip
            await conn.execute("UPDATE callback_deliveries SET state = 'delivered', attempts = 2 WHERE id = $1", first)
            await conn.execute("UPDATE callback_deliveries SET attempts = 1 WHERE id = $1", second)

        assert await migrate(database, "intake", [SQL]) == [
            "adapters/004_callbacks_on_jobs.sql",
            "adapters/005_submissions_and_public_status.sql",
            "adapters/006_callback_owners.sql",
            "adapters/007_contact_reads.sql",
            "adapters/008_patrols.sql",
        ]
        async with pool.acquire() as conn:
            moved = await callbacks_store.deliveries(conn, case_id=case, state=None, subscription_id=None, limit=10)
            await conn.execute("INSERT INTO status_changes (case_id, status) VALUES ($1, 'closed')", case)
            owed = await callbacks_store.deliveries(conn, case_id=case, state="pending", subscription_id=None, limit=10)
    finally:
        await pool.close()

    assert [(d.status, d.state, d.subscription_id) for d in moved] == [
        ("dispatched", "pending", subscription),
        ("received", "delivered", subscription),
    ]
    assert [(a.http_status, a.error, a.duration_ms) for a in moved[1].attempts] == [(500, None, 12), (204, None, 7)]
    assert [(a.http_status, a.error) for a in moved[0].attempts] == [(None, "timeout")]
    assert [d.status for d in owed] == ["closed", "dispatched"]  # the trigger now owes jobs
