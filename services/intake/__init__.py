"""Intake (受理): reports from the whistle, grid and hotline channels become cases."""
