-- Issue 14: patrols (巡查). The read model of each patrol, written with its events in one
-- transaction (application/patrols.py), and what a grid report says of the patrol it was filed
-- during: the patrol, the finding's outcome, and who filed it (for the officer's work log).

CREATE TABLE patrols (
    patrol_id       uuid PRIMARY KEY,
    officer         text NOT NULL,
    team            text[] NOT NULL DEFAULT '{}',
    unit_code       text NOT NULL,
    brigade_code    text,
    assigned_grids  text[] NOT NULL DEFAULT '{}',
    patrol_day      boolean NOT NULL DEFAULT false,
    status          text NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    points          integer NOT NULL DEFAULT 0,
    seconds         double precision NOT NULL DEFAULT 0,
    metres          double precision NOT NULL DEFAULT 0,
    visits          jsonb NOT NULL DEFAULT '[]',
    days            date[] NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL
);
CREATE INDEX patrols_by_officer ON patrols (officer, started_at);
CREATE INDEX patrols_by_day ON patrols USING gin (days);

ALTER TABLE reports ADD COLUMN patrol_id uuid, ADD COLUMN finding text, ADD COLUMN reported_by text;
CREATE INDEX reports_findings ON reports (reported_by, received_at) WHERE finding IS NOT NULL;

-- 巡查督导: each watched grid's last patrol visit, beside its one pending check on the durable
-- jobs (queue intake-grid-watch, application/watches.py). `every` is the required interval.
CREATE TABLE grid_watches (
    grid_code          text PRIMARY KEY,
    every              interval NOT NULL,
    watched_since      timestamptz NOT NULL,
    last_patrolled_at  timestamptz
);
