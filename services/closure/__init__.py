"""Closure (处置 → 核查 → 结案): the lifecycle of a case after it is routed."""
