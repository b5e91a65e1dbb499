"""Reference data about securities: the gazetteer of names, tickers, calendars and Yahoo symbols."""

from .gazetteer import Entity, Gazetteer, parse_gazetteer

__all__ = ["Entity", "Gazetteer", "parse_gazetteer"]
