"""Who may do what on Kafka (Kafka 访问控制): one SCRAM user per service and channel system, and its ACLs.

The one table both the local broker (devstack/kafka_acls.py) and Strimzi's `KafkaUser`
resources (deploy/kafka-users.yaml, checked by tests/deploy) are made from (ADR 0010). Each
user may read what it consumes, write what it produces (and its own dead-letter topic) and
use its own consumer groups; the broker refuses everything else
(`allow.everyone.if.no.acl.found=false`). Names are bare here: `acls(prefix)` prepends
`KAFKA_TOPIC_PREFIX`, as the services do to every topic and group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from schemas.topics import (
    CALLBACKS_HOTLINE,
    CHANNEL_TOPICS,
    CLOSURE_EVENTS,
    DISPATCH_EVENTS,
    DOMAIN_TOPICS,
    HOTLINE_OUTBOUND,
    INTAKE_EVENTS,
    Topic,
    dead_letter,
)

ADMIN = "admin"
"""The super user: creates topics and ACLs (devstack, tests, tools); no service runs as it."""


class Acl(NamedTuple):
    """One allow rule: `operation` on a topic or group named `name` (literal) or starting with it (prefix)."""

    resource: Literal["topic", "group"]
    name: str
    pattern: Literal["literal", "prefix"]
    operation: Literal["Read", "Write"]
    """READ and WRITE imply DESCRIBE; a consumer group needs READ to join and commit."""


@dataclass(frozen=True)
class KafkaUser:
    """A principal `User:<name>` and what it may touch."""

    name: str
    reads: tuple[Topic, ...] = ()
    writes: tuple[Topic, ...] = ()
    groups: tuple[str, ...] = ()
    group_prefixes: tuple[str, ...] = ()
    """For outside consumers who name their own groups (`city-ops.<anything>`)."""

    def acls(self, prefix: str = "") -> list[Acl]:
        return [
            *(Acl("topic", prefix + topic.name, "literal", "Read") for topic in self.reads),
            *(Acl("topic", prefix + topic.name, "literal", "Write") for topic in self.writes),
            *(Acl("group", prefix + group, "literal", "Read") for group in self.groups),
            *(Acl("group", prefix + group, "prefix", "Read") for group in self.group_prefixes),
        ]


def service_user(
    name: str, reads: tuple[Topic, ...], produces: Topic | None, also_writes: tuple[Topic, ...] = ()
) -> KafkaUser:
    """A service: its consumer group is its name (CONSUMER_GROUPS), its dead letters dlq.<group>."""
    writes = (produces,) if produces else ()
    return KafkaUser(name, reads=reads, writes=(*writes, *also_writes, dead_letter(name)), groups=(name,))


SERVICES = (
    service_user(
        "intake", (*CHANNEL_TOPICS.values(), DISPATCH_EVENTS, CLOSURE_EVENTS), INTAKE_EVENTS, (HOTLINE_OUTBOUND,)
    ),
    service_user("dispatch", (INTAKE_EVENTS, CLOSURE_EVENTS), DISPATCH_EVENTS),
    service_user("closure", (DISPATCH_EVENTS, CALLBACKS_HOTLINE, INTAKE_EVENTS), CLOSURE_EVENTS),
    service_user("analytics", DOMAIN_TOPICS, None),
)

CHANNEL_SYSTEMS = {"hotline": "hotline", "grid": "grid-app", "whistle": "whistle-app"}
"""Channel -> the system that posts on it: 12345 热线 hotline, the grid members' app (网格通), the whistle app."""

CHANNEL_USERS = tuple(
    KafkaUser(CHANNEL_SYSTEMS[channel], writes=(topic,))
    if channel != "hotline"
    else KafkaUser("hotline", reads=(HOTLINE_OUTBOUND,), writes=(topic, CALLBACKS_HOTLINE), group_prefixes=("hotline",))
    for channel, topic in CHANNEL_TOPICS.items()
)
"""The hotline also sends its call-back results (回访) to Closure, and may read our messages to it
(`hotline.outbound.v1`) in groups named hotline*."""

CITY_OPS = KafkaUser("city-ops", reads=DOMAIN_TOPICS, group_prefixes=("city-ops",))
"""城市运管服平台, the city operations platform: reads the domain topics, writes nothing."""

USERS: tuple[KafkaUser, ...] = (*SERVICES, *CHANNEL_USERS, CITY_OPS)
BY_NAME = {user.name: user for user in USERS}
