"""Marks data/ as the package eventstudy._embedded.data (see setup.py); holds no code."""
