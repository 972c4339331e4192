"""Builds the demo city folder `cities/xuzhou-demo` from the reference data in tools/demo_city/source."""
