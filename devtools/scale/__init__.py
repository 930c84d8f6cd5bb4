"""Megacity-scale data for benchmarks: ``manage.py generate_scale_data --profile …``."""
