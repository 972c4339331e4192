"""Read models, one module per table family: each owns all of its SQL and returns typed rows."""
