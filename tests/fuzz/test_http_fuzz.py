"""Every HTTP operation of every service, fuzzed from its own OpenAPI document (schemathesis).

Each service runs for real (fresh database, private topics) inside schemathesis' ASGI client,
which starts its lifespan once on the event loop that also serves every request, so the
asyncpg pool and the consumers live on one loop. Cases are generated from `app.openapi()`,
valid and invalid (schemathesis' positive and negative modes), and sent as an admin, as a
low-privilege grid member and with no credentials at all. Whatever the input: no 5xx, the
answer matches its documented schema and content type.

`make test` runs few examples per operation (FUZZ_EXAMPLES, default below); `make fuzz` many.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from devstack.stack import Stack
from schemas.access import ADMIN, GRID_MEMBER
from tests.conftest import bearer
from tests.fuzz.apps import BUILDERS, SERVICES, environment
from tests.fuzz.figures import FIGURES

# schemathesis' own strategies draw from `random` (its issue, not ours); the warning says nothing here.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a shared 2-core machine: time is not what is tested
    database=None,  # no .hypothesis/ directory in the work tree; every run starts fresh
    suppress_health_check=list(HealthCheck),
    # Shrinking a failure can take minutes; a bounded run reports the failing case as found.
    phases=[Phase.explicit, Phase.generate] if EXAMPLES <= 20 else list(Phase),
)


@pytest.fixture(params=SERVICES)
def service_schema(request: pytest.FixtureRequest, stack: Stack) -> Iterator[BaseSchema]:
    service: str = request.param
    app = BUILDERS[service](environment(stack, service))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app: app.openapi() as served
    FIGURES.operations[service] = sum(1 for _ in schema.get_all_operations())
    try:
        yield schema
    finally:
        # schemathesis' pytest plugin ends ASGI lifespans after each test too; an app's lifespan runs
        # once (its metrics register once), so each service is one test and starts once.
        asgi.shutdown_lifespans()


def identities() -> dict[str, dict[str, str]]:
    """Who sends: an admin (reaches every handler), a grid member (mostly refused), nobody at all."""
    return {ADMIN: bearer(ADMIN), GRID_MEMBER: bearer(GRID_MEMBER, areas=["320311008007"]), "anonymous": {}}


def fuzzer(cases: st.SearchStrategy[schemathesis.Case[Any]], headers: dict[str, str]) -> Callable[[], None]:
    @FUZZ
    @given(cases)
    def fuzz(case: schemathesis.Case[Any]) -> None:
        response = case.call(headers=headers)
        FIGURES.count(case.operation.label, response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    return fuzz


def test_no_input_makes_a_service_fail_or_break_its_contract(
    service_schema: BaseSchema, subtests: pytest.Subtests
) -> None:
    """Each operation, for each identity, in its own subtest: valid and invalid cases alike."""
    for result in service_schema.get_all_operations():
        if isinstance(result, Err):  # a document schemathesis cannot read is a failure too
            raise result.err()
        operation = result.ok()
        cases = st.one_of([operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)])
        for identity, headers in identities().items():
            fuzz = fuzzer(cases, headers)
            started = time.monotonic()
            with subtests.test(operation=operation.label, identity=identity):
                fuzz()
            spent = FIGURES.seconds.get(operation.label, 0.0) + time.monotonic() - started
            FIGURES.seconds[operation.label] = spent
