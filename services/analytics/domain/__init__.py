"""Analytics' pure rules: the facts folded from events, and the assessment's figures (考核)."""
