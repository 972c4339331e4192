"""A request body read whole by a middleware, then handed to the app as if it came from the server."""

from __future__ import annotations

from starlette.types import Message, Receive


async def read_body(receive: Receive, limit: int | None = None) -> Message | None:
    """The whole body as one `http.request` message, the disconnect that came before its end, or
    None once it is larger than `limit` (the rest is never read: the server drains or closes)."""
    message = await receive()
    if message["type"] != "http.request":
        return message
    size = len(message.get("body", b""))
    if limit is not None and size > limit:
        return None
    if not message.get("more_body", False):
        return message  # the usual case: the body in one message, passed on as it came
    chunks = [message.get("body", b"")]
    while message.get("more_body", False):
        message = await receive()
        if message["type"] != "http.request":
            return message
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
    return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def replay(first: Message, receive: Receive) -> Receive:
    """The app's receive: the message read here, then the server's own (for the disconnect)."""
    pending: Message | None = first

    async def replayed() -> Message:
        nonlocal pending
        if pending is None:
            return await receive()
        message, pending = pending, None
        return message

    return replayed
