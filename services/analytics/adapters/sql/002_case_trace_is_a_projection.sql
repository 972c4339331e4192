-- The case trace is now a projection (ADR 0009): a view on its live generation, created at start
-- by casekit.projection. The table of 001 goes; a rebuild from offset 0 refills the trace.
DROP TABLE IF EXISTS case_trace;
