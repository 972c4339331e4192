"""Analytics' read models: one module per table, owning all of its SQL and returning typed rows."""
