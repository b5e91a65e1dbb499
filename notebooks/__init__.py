"""Marks notebooks/ as the package eventstudy._embedded.notebooks (see setup.py); holds no code."""
