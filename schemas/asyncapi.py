"""The AsyncAPI 3.0 document of every topic: inbound channels, domain events, dead letters."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from schemas import topics
from schemas.base import Event, Message
from schemas.catalog import INBOUND, PUBLISHED
from schemas.examples import EXAMPLES
from schemas.topics import Topic

KAFKA_BINDING = "0.5.0"
REF = "#/components/schemas/{model}"
Contract = type[Event] | type[Message]

CONSUMERS: dict[str, tuple[Topic, ...]] = {
    "intake": tuple(topics.CHANNEL_TOPICS.values()),
    "dispatch": (topics.INTAKE_EVENTS,),
    "closure": (topics.DISPATCH_EVENTS, topics.CALLBACKS_HOTLINE, topics.INTAKE_EVENTS),
    "analytics": (topics.INTAKE_EVENTS, topics.DISPATCH_EVENTS, topics.CLOSURE_EVENTS),
}
PRODUCERS: dict[str, Topic] = {
    "intake": topics.INTAKE_EVENTS,
    "dispatch": topics.DISPATCH_EVENTS,
    "closure": topics.CLOSURE_EVENTS,
}

CLOUDEVENT_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka protocol binding, binary mode, plus W3C trace context.",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "content-type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Event id (UUID v7). Deduplicate by it: delivery is at-least-once."},
        "ce_source": {"type": "string", "description": "The producing service, e.g. /city-cases/intake"},
        "ce_type": {"type": "string", "description": "Stable event type, e.g. intake.ReportReceived"},
        "ce_time": {"type": "string", "format": "date-time", "description": "When it happened (UTC)"},
        "ce_subject": {"type": "string", "format": "uuid", "description": "The case id, also the message key"},
        "ce_schemaversion": {"type": "string", "description": "Version of the data's schema, e.g. 2"},
        "ce_dataschema": {"type": "string", "description": "`$id` of the data's JSON Schema"},
        "ce_actor": {"type": "string", "description": "Who caused it: an operator, a system or a channel"},
        "ce_causationid": {"type": "string", "description": "Id of the event or message that caused this one"},
        "ce_recordedtime": {
            "type": "string",
            "format": "date-time",
            "description": "When the producing service recorded it: ce_time, or later for an imported history",
        },
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {"type": "string", "description": "W3C trace context"},
        "tracestate": {"type": "string"},
    },
}

DEAD_LETTER_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "The original message's headers, plus why and where it could not be handled.",
    "required": ["dlq_reason", "dlq_consumer", "dlq_topic", "dlq_partition", "dlq_offset"],
    "properties": {
        "dlq_reason": {"type": "string", "description": "Exception and message"},
        "dlq_rule": {"type": "string", "description": "The contract rule that failed, e.g. less_than_equal"},
        "dlq_path": {"type": "string", "description": "Where in the message it failed, e.g. /location/lat"},
        "dlq_consumer": {"type": "string", "description": "The consumer group that parked it"},
        "dlq_topic": {"type": "string"},
        "dlq_partition": {"type": "string"},
        "dlq_offset": {"type": "string"},
    },
}


def message_name(model: Contract) -> str:
    return f"{model.type}.v{model.schema_version}"


def channel_id(topic: Topic) -> str:
    return topic.name.replace(".", "-")


def _channel(topic: Topic, description: str, messages: list[str]) -> dict[str, Any]:
    return {
        "address": topic.name,
        "description": description,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": {"retention.ms": topic.retention_ms},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _event_message(model: type[Event], topic: Topic, source: str) -> dict[str, Any]:
    example = EXAMPLES[model]
    assert isinstance(example, Event)
    headers = {
        "ce_specversion": "1.0",
        "ce_id": "01935d5c-9a2c-7000-8000-00000000000a",
        "ce_source": f"/city-cases/{source}",
        "ce_type": model.type,
        "ce_time": "2026-11-24T09:30:05+00:00",
        "ce_subject": str(example.case_id),
        "ce_schemaversion": str(model.schema_version),
        "ce_dataschema": model.schema_id(),
        "ce_actor": "hotline:12345",
        "content-type": "application/json",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    }
    return {
        "name": model.type,
        "title": f"{model.type} v{model.schema_version}",
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEventHeaders"},
                {
                    "type": "object",
                    "properties": {
                        "ce_type": {"const": model.type},
                        "ce_schemaversion": {"const": str(model.schema_version)},
                    },
                },
            ]
        },
        "payload": {"$ref": REF.format(model=model.__name__)},
        "correlationId": {"description": "The case id", "location": "$message.header#/ce_subject"},
        "bindings": {"kafka": {"key": {"type": "string", "format": "uuid"}, "bindingVersion": KAFKA_BINDING}},
        "examples": [{"name": "example", "headers": headers, "payload": example.model_dump(mode="json")}],
        "x-topic": topic.name,
    }


def _inbound_message(model: type[Message]) -> dict[str, Any]:
    return {
        "name": model.type,
        "title": f"{model.type} v{model.schema_version}",
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "description": "CloudEvents headers are optional; without `ce_id` the record's topic/partition/offset "
        "identifies it for deduplication.",
        "contentType": "application/json",
        "payload": {"$ref": REF.format(model=model.__name__)},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "Any key; the source's work-order number is a good one"},
                "bindingVersion": KAFKA_BINDING,
            }
        },
        "examples": [{"name": "example", "payload": EXAMPLES[model].model_dump(mode="json")}],
    }


def _inbound_description(topic: Topic) -> str:
    if topic.name == topics.CALLBACKS_HOTLINE.name:
        return ("Call-back results (回访结果) from the 12345 hotline platform, one message per call-back, for "
                "Closure; a callback_id sent again changes nothing.")  # fmt: skip
    return f"Inbound reports of the {topic.name.split('.')[1]} channel."


def _dead_letter_message() -> dict[str, Any]:
    return {
        "name": "DeadLetter",
        "title": "A message that could never be handled",
        "summary": "The original bytes and key, unchanged, with the reason in the headers.",
        "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
        "payload": {"description": "The original message body, byte for byte (often, but not always, JSON)"},
    }


def _payload_schemas() -> dict[str, Any]:
    models: list[Contract] = [*INBOUND.values(), *(m for ms in PUBLISHED.values() for m in ms)]
    unique = list(dict.fromkeys(models))
    _, defs = models_json_schema([(model, "validation") for model in unique], ref_template=REF)
    return dict(sorted(defs["$defs"].items()))


def build() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, inbound in INBOUND.items():
        messages[message_name(inbound)] = _inbound_message(inbound)
        channels[channel_id(topic)] = _channel(topic, _inbound_description(topic), [message_name(inbound)])
    for service, topic in PRODUCERS.items():
        names = [message_name(model) for model in PUBLISHED[topic]]
        for model in PUBLISHED[topic]:
            messages[message_name(model)] = _event_message(model, topic, service)
        channels[channel_id(topic)] = _channel(
            topic, f"{service.title()}'s domain events, keyed by case id; ordered per case.", names
        )
        operations[f"{service}.publish"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id(topic)}"},
            "summary": f"{service} publishes its events through its outbox relay",
            "messages": [{"$ref": f"#/channels/{channel_id(topic)}/messages/{n}"} for n in names],
        }
    messages["DeadLetter"] = _dead_letter_message()
    for group, consumed in CONSUMERS.items():
        dlq = topics.dead_letter(group)
        channels[channel_id(dlq)] = _channel(dlq, f"Messages the {group} consumer could never handle.", ["DeadLetter"])
        operations[f"{group}.deadLetter"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id(dlq)}"},
            "messages": [{"$ref": f"#/channels/{channel_id(dlq)}/messages/DeadLetter"}],
        }
        for topic in consumed:
            channel = channels[channel_id(topic)]
            operations[f"{group}.consume.{channel_id(topic)}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id(topic)}"},
                "summary": f"consumer group `{group}`",
                "messages": [{"$ref": f"#/channels/{channel_id(topic)}/messages/{n}"} for n in channel["messages"]],
                "bindings": {
                    "kafka": {"groupId": {"type": "string", "enum": [group]}, "bindingVersion": KAFKA_BINDING}
                },
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "City cases (城管进社区) events",
            "version": "1.0.0",
            "description": "Every topic of the case-handling platform: inbound reports from the whistle, grid and "
            "12345 hotline channels, each service's domain events, and the dead-letter topics. Messages follow the "
            "CloudEvents 1.0 Kafka binding in binary mode. See docs/consumers.md.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "production": {
                "host": "city-cases-kafka-bootstrap:9092",
                "protocol": "kafka",
                "description": "The Strimzi bootstrap service in the deployment (deploy/kafka.yaml)",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {
                "CloudEventHeaders": CLOUDEVENT_HEADERS,
                "DeadLetterHeaders": DEAD_LETTER_HEADERS,
                **_payload_schemas(),
            },
            "messages": messages,
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": "SASL/SCRAM-SHA-512 as a KafkaUser whose ACLs allow only its own topics and groups "
                    "(deploy/kafka-users.yaml, ADR 0010); consumers of the domain topics use city-ops.",
                }
            },
        },
    }
