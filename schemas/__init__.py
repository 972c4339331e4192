"""Event contracts: the pydantic models of every published event and inbound message.

The single source of truth for what crosses a service boundary (DESIGN.md, Contracts).
"""
