"""bench.routing_latency's figures: per load, the latencies and lag; the BENCHMARKS.md section."""

from __future__ import annotations

import json
import math
import os
import platform
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.eventstore import code_version, cpu_model, memory
from bench.routing_observe import OBSERVER_FETCH_WAIT_MS, Observer

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
START, END = "<!-- routing:start -->", "<!-- routing:end -->"
TARGET_P99_MS, LAG_P99_MS, NEVER_SECONDS = 100.0, 1000.0, 10.0
SEGMENTS = {
    "intake": "Intake: received_at → its relay published ReportReceived",
    "to_dispatch": "Kafka → Dispatch: published → routed_at (fetch, inbox, decision)",
    "dispatch": "Dispatch: routed_at → its relay published CaseRouted",
    "to_observer": "Kafka → observer: published → arrived",
}


def cuts(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 (nearest rank) and max, in ms."""
    ordered = sorted(values) or [math.nan]

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000, 1)

    return {"p50": rank(0.5), "p95": rank(0.95), "p99": rank(0.99), "max": rank(1.0)}


@dataclass
class Phase:
    rate: float
    seconds: float
    requests: int
    accepted: int
    errors: int
    linked: int
    """Reports linked to an open case (并单), which Dispatch does not route: 0 with distinct random points."""
    achieved: float
    """Reports accepted per second, from the first one due to the last answer."""
    http: dict[str, float]
    """due → accepted (Intake's answer, counted from when the request was due)."""
    routed: dict[str, float]
    """accepted → CaseRouted (or CaseUnroutable) arrived at the observer: the headline."""
    in_system: dict[str, float]
    """The events' own instants: routed_at − received_at."""
    segments: dict[str, dict[str, float]]
    never_routed: int
    unroutable: int
    backlog_max: int
    backlog_end: int
    """Cases accepted but not yet routed: the most at any instant, and when the load ended."""
    cores: dict[str, float] = field(default_factory=dict)
    drained: bool = True
    """Whether the backlog was gone within 60 s more (else no further load is started)."""

    def line(self) -> str:
        return (
            f"{self.rate:.0f}/s x {self.seconds:.0f}s: {self.accepted}/{self.requests} opened"
            f" ({self.achieved:.0f}/s),"
            f" http p99 {self.http['p99']} ms, routed p50/p95/p99/max {self.routed['p50']}/{self.routed['p95']}/"
            f"{self.routed['p99']}/{self.routed['max']} ms, in-system p99 {self.in_system['p99']} ms, never routed"
            f" {self.never_routed}, backlog max {self.backlog_max} end {self.backlog_end}, cores {self.cores}"
        )


def summarise(rate: float, seconds: float, answers: list[list[Any]], observer: Observer, cores: dict[str, float]) -> (
        Phase):  # fmt: skip
    ok = [(due, accepted, case) for due, accepted, _, case, merged in answers if case and not merged]
    linked = sum(bool(answer[4]) for answer in answers)
    routed = {case: observer.routed[case] for *_, case in ok if case in observer.routed}
    received = {case: observer.received.get(case) for case in routed}
    latencies = [routed[case].arrived - accepted for _, accepted, case in ok if case in routed]
    segments: dict[str, list[float]] = {key: [] for key in SEGMENTS}
    for case, out in routed.items():
        if (into := received[case]) is not None:
            segments["intake"].append(into.published - into.at)
            segments["to_dispatch"].append(out.at - into.published)
            segments["dispatch"].append(out.published - out.at)
            segments["to_observer"].append(out.arrived - out.published)
    accepted_at = sorted(accepted for _, accepted, _ in ok)
    arrived_at = sorted(seen.arrived for seen in routed.values())
    first, last = (answers[0][0], max(a[1] for a in answers)) if answers else (0.0, 1.0)
    backlog = [
        bisect_right(accepted_at, t) - bisect_right(arrived_at, t)
        for t in (first + i / 10 for i in range(int((last - first) * 10) + 1))
    ]
    return Phase(
        rate, seconds, len(answers), len(ok), sum(answer[2] not in (200, 201) for answer in answers), linked,
        round(len(ok) / max(last - first, 1e-9), 1),
        cuts([accepted - due for due, accepted, _ in ok]), cuts(latencies),
        cuts([out.at - into.at for case, out in routed.items() if (into := received[case])]),
        {key: cuts(values) for key, values in segments.items()},
        len(ok) - sum(latency <= NEVER_SECONDS for latency in latencies),
        sum(seen.type == "dispatch.CaseUnroutable" for seen in routed.values()),
        max(backlog, default=0), backlog[-1] if backlog else 0, cores,
    )  # fmt: skip


def judge(run: Phase) -> str | None:
    """Why lag was not bounded at this rate, or None if it was."""
    if run.errors:
        return f"Intake refused or dropped {run.errors} of {run.requests} reports"
    if run.http["p99"] > LAG_P99_MS:
        return f"Intake fell behind: its answers' p99 {run.http['p99']:,.0f} ms from when each report was due"
    if run.never_routed:
        return f"{run.never_routed} cases not routed within {NEVER_SECONDS:.0f} s"
    if run.routed["p99"] > LAG_P99_MS:
        return f"routing fell behind: p99 {run.routed['p99']:,.0f} ms, up to {run.backlog_max} cases waiting"
    return None


def busiest(run: Phase) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in sorted(run.cores.items(), key=lambda kv: -kv[1]))


def row(label: str, c: dict[str, float]) -> str:
    return f"| {label} | {c['p50']} | {c['p95']} | {c['p99']} | {c['max']} |"


def step_row(run: Phase) -> str:
    why = judge(run)
    return (
        f"| {run.rate:,.0f} | {run.achieved:,.0f} | {run.http['p99']:,} | {run.routed['p50']:,} | {run.routed['p99']:,}"
        f" | {run.backlog_max} / {run.backlog_end} | {run.never_routed} | {busiest(run)} | {why or 'bounded'} |"
    )


def section(runs: dict[str, Any], facts: list[tuple[str, str]], seconds: float) -> str:
    main, steps = runs["main"], runs["steps"]
    held = [run for run in (main, *steps) if judge(run) is None]
    best = max(held, key=lambda run: run.rate, default=None)
    failed = min((run for run in steps if judge(run)), key=lambda run: run.rate, default=None)
    verdict = "PASS" if main.routed["p99"] < TARGET_P99_MS and not main.never_routed else "MISS"
    lines = [START, "## Routing: reports from Intake's HTTP answer to Dispatch's decision on Kafka", ""]
    lines += [f"- {label}: {value}" for label, value in facts] + [f"- Duration: {seconds:.0f} s", ""]
    lines += [
        "### Method", "",
        "- Intake and Dispatch run as `make run` runs them: their own processes (one uvicorn worker each),",
        "  PostgreSQL roles and Kafka users, callers verified against an issuer's keys (a shift lead's JWT).",
        "  Closure and Analytics are not started. Fresh database and topics (a prefix of their own).",
        "- `bench.routing_load`, a process of its own, posts grid reports (no on-site confirmation, so",
        "  each is routed at once) at uniformly random points inside random unit grids of the demo city,",
        "  in all 250 categories, at a fixed rate, open loop, over 128 keep-alive connections.",
        "  Duplicate linking (并单) is given a 1 mm radius so that every report opens a case.",
        "- An observer reads `cases.intake.v1` and `cases.dispatch.v1` as `city-ops` (its own SCRAM user,",
        f"  read ACLs only; a fetch is answered as data arrives, or after {OBSERVER_FETCH_WAIT_MS} ms)."
        " **Routed latency** = when the case's",
        "  `dispatch.CaseRouted` (or `CaseUnroutable`) arrived − when its `201` came back; **in system** =",
        "  `routed_at` − `received_at` from the events; the segments split that with the records'",
        "  timestamps (when each relay's producer sent them, ms resolution). One machine, one clock.",
        f"- Warm-up 5 s at 100/s, then {main.rate:.0f}/s for {main.seconds:.0f} s; then steps of"
        f" {steps[0].seconds if steps else 0:.0f} s at rising rates",
        "  until lag is not bounded (an error, Intake's answers or routing with p99 over 1 s, or a case not",
        "  routed within 10 s of its answer), then once halfway back. Each load is followed by up to 10 s",
        "  for its cases to be routed, then up to 60 s more, uncounted, so the next starts with no backlog.",
        "  Cores: CPU seconds per second of each process during the load (machine: all of it, any process).",
        "", f"### At {main.rate:.0f} reports/s for {main.seconds:.0f} s", "",
        f"{main.accepted:,} of {main.requests:,} reports opened a case ({main.achieved:,.0f}/s), {main.errors} errors,"
        f" {main.linked} linked to another (并单);"
        f" never routed within 10 s: **{main.never_routed}**; unroutable (no unit takes the category"
        f" there): {main.unroutable:,}. Cores: {busiest(main)}.", "",
        "| ms | p50 | p95 | p99 | max |", "|---|---:|---:|---:|---:|",
        row("**accepted → routed** (observed)", main.routed),
        row("in system: routed_at − received_at", main.in_system),
        *(row(label, main.segments[key]) for key, label in SEGMENTS.items()),
        row("Intake's answer: due → 201", main.http),
        "", "### Highest sustained rate", "",
        "| reports/s asked | accepted/s | answer p99 ms | routed p50 ms | routed p99 ms | backlog max / at end"
        " | never routed | cores | lag |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|",
        step_row(main), *(step_row(run) for run in sorted(steps, key=lambda run: run.rate)), "",
        f"Highest rate with bounded lag: **{best.rate:,.0f} reports/s**." if best else "No rate held.",
        f" At {failed.rate:,.0f}/s: {judge(failed)}." if failed else "",
        "" if (steps or [main])[-1].drained else "The last backlog was not routed within 60 s more: no more steps.",
        "", "### Target", "", "| Target | Result | |", "|---|---:|---|",
        f"| p99 accepted → routed < {TARGET_P99_MS:.0f} ms at {main.rate:.0f}/s, none unrouted |"
        f" {main.routed['p99']} ms, {main.never_routed} | {verdict} |",
        END,
    ]  # fmt: skip
    return "\n".join(lines)


def facts(load: tuple[float, float]) -> list[tuple[str, str]]:
    kafka = next((p.name for p in (ROOT / "tools" / "kafka" / "libs").glob("kafka_2.13-*.jar")), "unknown")
    return [
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Code", code_version()),
        ("Machine", f"{len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {memory()} RAM"),
        ("Python", platform.python_version()),
        ("Kafka", f"{kafka.removeprefix('kafka_2.13-').removesuffix('.jar')}; aiokafka {version('aiokafka')}"),
        ("Load average (1 min) before and after", f"{load[0]:.2f}, {load[1]:.2f} (the bench's own processes count)"),
        ("Command", "`make bench` (`python -m bench.routing_latency`)"),
    ]


def write(runs: dict[str, Any], load: tuple[float, float], seconds: float, dry: bool = False) -> None:
    text = section(runs, facts(load), seconds)
    print(text)
    if dry:
        return
    report = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    if START in report and END in report:
        head, _, rest = report.partition(START)
        report = head + text + rest.partition(END)[2]
    else:
        report = report.rstrip() + "\n\n" + text + "\n"
    REPORT.write_text(report)
    main, steps = runs["main"], runs["steps"]
    held = [run.rate for run in (main, *steps) if judge(run) is None]
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if not str(r.get("name", "")).startswith("routing:")]
    results += [
        {"name": f"routing: p99 accepted → routed at {main.rate:.0f}/s", "value": main.routed["p99"], "unit": "ms",
         "compared_with": "target 100 ms", "ratio": round(main.routed["p99"] / TARGET_P99_MS, 3)},
        {"name": f"routing: p50 accepted → routed at {main.rate:.0f}/s", "value": main.routed["p50"], "unit": "ms",
         "compared_with": None, "ratio": None},
        {"name": f"routing: p95 accepted → routed at {main.rate:.0f}/s", "value": main.routed["p95"], "unit": "ms",
         "compared_with": None, "ratio": None},
        {"name": f"routing: never routed within 10 s at {main.rate:.0f}/s", "value": main.never_routed,
         "unit": "cases", "compared_with": None, "ratio": None},
        {"name": "routing: highest rate with bounded lag", "value": max(held, default=0.0), "unit": "reports/s",
         "compared_with": None, "ratio": None},
    ]  # fmt: skip
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
