"""Analytics' use cases: what each event changes in its read models (reactions keyed by event class)."""
