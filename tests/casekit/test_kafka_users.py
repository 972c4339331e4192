"""The Kafka ACL table (schemas/kafka_users.py) says what the services really do, no more.

Offline: each service's subscriptions are built as it builds them at start, and compared with
its user's ACLs; a new subscription without an ACL (or an ACL nothing uses) fails here.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from casekit.kafka.connection import KafkaConnection
from casekit.kafka.consumer import Subscription
from casekit.service import ServiceSpec
from casekit.settings import ServiceSettings
from cityconfig.city import load_city
from devstack.stack import Stack
from schemas.kafka_users import BY_NAME, CHANNEL_SYSTEMS, CITY_OPS, SERVICES, USERS, Acl
from schemas.topics import (
    ALL_TOPICS,
    CALLBACKS_HOTLINE,
    CHANNEL_TOPICS,
    CONSUMER_GROUPS,
    DOMAIN_TOPICS,
    HOTLINE_OUTBOUND,
)
from services.analytics.main import spec_for as analytics_spec
from services.analytics.settings import AnalyticsSettings
from services.closure.main import spec_for as closure_spec
from services.closure.settings import ClosureSettings
from services.dispatch.main import spec_for as dispatch_spec
from services.dispatch.settings import DispatchSettings
from services.intake.main import spec_for
from services.intake.settings import IntakeSettings
from tests.conftest import TEST_PII_KEY

ENV = {"DATABASE_URL": "postgresql://nowhere/none", "KAFKA_BOOTSTRAP_SERVERS": "nowhere:9092"}
PREFIX = "t0."


def built(name: str) -> tuple[ServiceSpec[Any], Sequence[Subscription]]:
    """The service's spec and the subscriptions it starts consumers for, under PREFIX."""
    settings: ServiceSettings
    spec: ServiceSpec[Any]
    if name == "dispatch":
        dispatch = DispatchSettings(**ENV, KAFKA_TOPIC_PREFIX=PREFIX)  # type: ignore[arg-type]
        settings, spec = dispatch, dispatch_spec(dispatch, load_city(dispatch.city_config))
    elif name == "closure":
        closure = ClosureSettings(**ENV, KAFKA_TOPIC_PREFIX=PREFIX)  # type: ignore[arg-type]
        settings, spec = closure, closure_spec(closure, load_city(closure.city_config))
    elif name == "intake":
        intake = IntakeSettings(**ENV, KAFKA_TOPIC_PREFIX=PREFIX, INTAKE_PII_KEY=TEST_PII_KEY)  # type: ignore[arg-type]
        settings, spec = intake, spec_for(intake, load_city(intake.city_config))
    else:
        analytics = AnalyticsSettings(**ENV, KAFKA_TOPIC_PREFIX=PREFIX)  # type: ignore[arg-type]
        settings, spec = analytics, analytics_spec(analytics, load_city(analytics.city_config))
    runtime: Any = SimpleNamespace(name=name, settings=settings)  # what subscription() reads
    context: Any = None  # handlers only close over it
    return spec, spec.subscriptions(runtime, context)


@pytest.mark.parametrize("service", CONSUMER_GROUPS)
def test_a_service_may_read_exactly_what_it_subscribes_to(service: str) -> None:
    _, subscriptions = built(service)
    reads = {acl.name for acl in BY_NAME[service].acls(PREFIX) if acl.operation == "Read"}
    subscribed = {topic for sub in subscriptions for topic in sub.topics} | {sub.group for sub in subscriptions}
    assert reads == subscribed


@pytest.mark.parametrize("service", CONSUMER_GROUPS)
def test_a_service_may_write_exactly_its_domain_topic_and_its_dead_letters(service: str) -> None:
    spec, subscriptions = built(service)
    writes = {acl.name for acl in BY_NAME[service].acls(PREFIX) if acl.operation == "Write"}
    produced = {PREFIX + topic for topic in (spec.domain_topic, *spec.produces) if topic}
    assert writes == produced | {sub.dead_letter_topic for sub in subscriptions}


def test_each_channel_system_may_write_its_own_channel_topic_and_nothing_else() -> None:
    for channel, system in CHANNEL_SYSTEMS.items():
        writes = [Acl("topic", CHANNEL_TOPICS[channel].name, "literal", "Write")]
        reads: list[Acl] = []
        if channel == "hotline":
            # It also sends its call-back results (回访) to Closure, only it may, and it may read
            # our messages to it in groups of its own.
            writes.append(Acl("topic", CALLBACKS_HOTLINE.name, "literal", "Write"))
            reads = [Acl("topic", HOTLINE_OUTBOUND.name, "literal", "Read"), Acl("group", "hotline", "prefix", "Read")]
        assert sorted(BY_NAME[system].acls()) == sorted([*reads, *writes])


def test_only_the_hotline_writes_and_only_closure_reads_the_call_back_topic() -> None:
    assert {user.name for user in USERS if CALLBACKS_HOTLINE in user.writes} == {"hotline"}
    assert {user.name for user in USERS if CALLBACKS_HOTLINE in user.reads} == {"closure"}


def test_no_one_but_intake_reads_a_channel_topic_and_no_service_writes_one() -> None:
    channel_topics = {topic.name for topic in CHANNEL_TOPICS.values()}
    readers = {user.name for user in USERS for topic in user.reads if topic.name in channel_topics}
    service_writes = {topic.name for user in SERVICES for topic in user.writes}
    assert readers == {"intake"}
    assert channel_topics.isdisjoint(service_writes)


def test_city_ops_only_reads_the_domain_topics_in_groups_of_its_own() -> None:
    assert CITY_OPS.acls(PREFIX) == [
        *(Acl("topic", PREFIX + topic.name, "literal", "Read") for topic in DOMAIN_TOPICS),
        Acl("group", f"{PREFIX}city-ops", "prefix", "Read"),
    ]


def test_every_topic_of_the_acl_table_is_a_declared_topic() -> None:
    declared = {topic.name for topic in ALL_TOPICS}
    assert {topic.name for user in USERS for topic in (*user.reads, *user.writes)} <= declared


def test_a_plaintext_connection_carries_no_credentials() -> None:
    assert KafkaConnection("k:9092").client_kwargs() == {
        "bootstrap_servers": "k:9092",
        "security_protocol": "PLAINTEXT",
    }


def test_a_sasl_connection_carries_its_user_and_hides_the_password_from_repr() -> None:
    kafka = KafkaConnection("k:9092", "SASL_SSL", "SCRAM-SHA-256", "intake", SecretStr("s3cret"))
    assert kafka.client_kwargs() == {
        "bootstrap_servers": "k:9092",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "intake",
        "sasl_plain_password": "s3cret",
    }
    assert "s3cret" not in repr(kafka)
    assert kafka.environment()["KAFKA_PASSWORD"] == "s3cret"


def test_sasl_without_a_password_is_refused_before_any_connection() -> None:
    with pytest.raises(ValueError, match="KAFKA_PASSWORD"):
        KafkaConnection("k:9092", "SASL_PLAINTEXT", username="intake").client_kwargs()


def test_service_settings_read_the_kafka_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        **ENV,
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_USERNAME": "dispatch",
        "KAFKA_PASSWORD": "pw",
    }.items():
        monkeypatch.setenv(name, value)
    settings = DispatchSettings()
    assert settings.kafka == KafkaConnection(
        "nowhere:9092", "SASL_PLAINTEXT", "SCRAM-SHA-512", "dispatch", SecretStr("pw")
    )
    assert "pw" not in repr(settings)


def test_an_outside_cluster_is_reached_with_the_kafka_settings_of_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """KAFKA_BOOTSTRAP_SERVERS given: devstack starts no broker and connects as the environment says."""
    for name, value in {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_USERNAME": "ops", "KAFKA_PASSWORD": "x"}.items():
        monkeypatch.setenv(name, value)
    outside = Stack(database_url="postgresql://db/cases", bootstrap_servers="kafka-0:9092")
    expected = KafkaConnection("kafka-0:9092", "SASL_SSL", "SCRAM-SHA-512", "ops", SecretStr("x"))
    assert outside.kafka_admin == expected
    assert outside.kafka_user("intake") == expected
