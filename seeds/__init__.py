"""Marks seeds/ as the package eventstudy._embedded.seeds (see setup.py); holds no code."""
