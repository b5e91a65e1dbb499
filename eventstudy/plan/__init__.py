"""The event plan: which (event, security) pairs a study runs, on which calendar, with which day 0 and
windows, and why a pair is dropped (calendars and the day-0 rule, the plan, the coverage checks)."""

from .calendars import CRYPTO_CALENDAR, Day0, EventTime, TradingCalendar, get_calendar

__all__ = ["CRYPTO_CALENDAR", "Day0", "EventTime", "TradingCalendar", "get_calendar"]
