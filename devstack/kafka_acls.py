"""Grant the ACLs of schemas/kafka_users.py on the local broker, for a topic prefix.

Strimzi's User Operator does this in Kubernetes (deploy/kafka-users.yaml). aiokafka's admin
client has no ACL calls, but its protocol layer has the CreateAcls and DescribeAcls requests;
this sends them. Tests give every test its own prefix, so each test's topics and groups get
their own literal ACLs (`provision`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest_v1, DescribeAclsRequest
from aiokafka.protocol.api import Request

from casekit.kafka.admin import ensure_topics
from casekit.kafka.connection import KafkaConnection
from devstack.stack import Stack
from schemas.kafka_users import USERS, Acl, KafkaUser
from schemas.topics import ALL_TOPICS, Topic

# Kafka's wire codes (org.apache.kafka.common.resource / acl).
RESOURCE_TYPE = {"topic": 2, "group": 3}
PATTERN_TYPE = {"literal": 3, "prefix": 4}
OPERATION = {"Read": 3, "Write": 4}
ALLOW = 3
Creation = tuple[int, str, int, str, str, int, int]


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]  # aiokafka.protocol is untyped
    """Many ACLs in one request (aiokafka's own CreateAclsRequest carries one)."""

    API_KEY = 30

    def __init__(self, creations: list[Creation]) -> None:
        self.creations = creations

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self.creations)


def creation(principal: str, acl: Acl) -> Creation:
    return (
        RESOURCE_TYPE[acl.resource],
        acl.name,
        PATTERN_TYPE[acl.pattern],
        principal,
        "*",
        OPERATION[acl.operation],
        ALLOW,
    )


def creations(users: Iterable[KafkaUser], prefix: str) -> list[Creation]:
    return [creation(f"User:{user.name}", acl) for user in users for acl in user.acls(prefix)]


async def _describe(client: AIOKafkaClient, wanted: Creation) -> bool:
    """Whether the broker's authorizer has `wanted` (DescribeAcls answers from the broker's own copy)."""
    resource_type, name, pattern, principal, host, operation, permission = wanted
    request = DescribeAclsRequest(resource_type, name, pattern, principal, host, operation, permission)
    answer: dict[str, Any] = (await client.send(client.get_random_node(), request)).to_object()
    if answer["error_code"]:
        raise for_code(answer["error_code"])(answer["error_message"])
    return bool(answer["resources"])


async def grant(
    admin: KafkaConnection, users: Iterable[KafkaUser] = USERS, prefix: str = "", within: float = 30
) -> None:
    """Create the users' ACLs for `prefix`, and return once the broker enforces them."""
    wanted = creations(users, prefix)
    client = AIOKafkaClient(**admin.client_kwargs())
    await client.bootstrap()
    try:
        answer = (await client.send(client.get_random_node(), _CreateAcls(wanted))).to_object()
        for result in answer["creation_responses"]:
            if result["error_code"]:
                raise for_code(result["error_code"])(result["error_message"])
        # The controller has committed them; the broker applies the metadata log in order, so
        # once the last is visible all are.
        deadline = time.monotonic() + within
        while not await _describe(client, wanted[-1]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"ACLs for prefix {prefix!r} not visible after {within}s")
            await asyncio.sleep(0.05)
    finally:
        await client.close()


async def provision(stack: Stack, topics: Iterable[Topic] = ALL_TOPICS, prefix: str = "") -> None:
    """Topics and ACLs for `prefix`: what `make run`, each test and the bench need before a service starts."""
    await ensure_topics(stack.kafka_admin, topics, prefix)
    if stack.kafka is not None:  # our own broker; an outside cluster's ACLs are its operator's
        await grant(stack.kafka_admin, USERS, prefix)
