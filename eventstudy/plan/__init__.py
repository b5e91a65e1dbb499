"""When each security's event happens: trading calendars and the day-0 rule."""

from .calendars import CRYPTO_CALENDAR, Day0, EventTime, TradingCalendar, get_calendar

__all__ = ["CRYPTO_CALENDAR", "Day0", "EventTime", "TradingCalendar", "get_calendar"]
