"""HTTP plumbing: problem details, health and readiness, Prometheus metrics."""
