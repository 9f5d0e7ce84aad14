"""Benchmarks, run by ``make bench``. Timings are reported here and never decide a test."""
