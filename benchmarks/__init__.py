"""Benchmarks of tiktok-ads-mart against its emulator; `make bench` runs them all."""
