"""Benchmarks: measured here, never in timed unit tests (docs/benchmarks.md)."""
