"""Analytics: read models over every service's events (case trace, 问题溯源, 考核)."""
