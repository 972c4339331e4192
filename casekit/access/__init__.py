"""Who calls, and whether they may: verified identities (JWTs, API keys) and the authorisation table."""
