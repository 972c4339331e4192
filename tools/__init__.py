"""Project tooling; only some of its folders (demo_city) are Python."""
