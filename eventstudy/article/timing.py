"""When in the day an event happened: a clock time with its time zone, or a trading-session word.

* Clock times need a preposition ("à 16h30", "vers 22 h", "at 4:30 p.m.", "shortly after 16:00") so
  that "24h" in "sur 24h" is not read as a time. The zone follows the time ("ET", "heure de
  New York", "Paris time") and is returned as an IANA name.
* Session words give :data:`.model.SESSION_TIMINGS`: "before_open" ("avant l'ouverture", "before
  the bell"), "during_session" ("en séance", "during trading"), "after_close" ("après la clôture",
  "after the close", "after hours").
"""

from __future__ import annotations

import datetime as dt
import re

_TIME = re.compile(
    r"(?<![\w])(?:à|at|vers|around|about|peu après|peu avant|shortly after|shortly before|dès|just after|"
    r"just before|juste après|juste avant)\s+"
    r"(?P<h>[01]?\d|2[0-3])(?:\s?h\s?(?P<m1>[0-5]\d)?|:(?P<m2>[0-5]\d)(?:\s*(?P<ap1>[ap])\.?\s?m\.?)?"
    r"|\s*(?P<ap2>[ap])\.?\s?m\.?)(?![\w])",
    re.I,
)

_ZONE_ABBR = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "GMT": "UTC", "UTC": "UTC", "CET": "Europe/Paris", "CEST": "Europe/Paris", "BST": "Europe/London",
    "JST": "Asia/Tokyo", "HKT": "Asia/Hong_Kong", "SGT": "Asia/Singapore",
}
_ZONE_CITY = {
    "new york": "America/New_York", "washington": "America/New_York", "l'est": "America/New_York",
    "eastern": "America/New_York", "pacific": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
    "paris": "Europe/Paris", "française": "Europe/Paris", "france": "Europe/Paris", "londres": "Europe/London",
    "london": "Europe/London", "tokyo": "Asia/Tokyo", "pékin": "Asia/Shanghai", "beijing": "Asia/Shanghai",
    "hong kong": "Asia/Hong_Kong",
}
_ZONE = re.compile(
    r"[\s,(]*(?:"
    r"(?P<abbr>ET|EST|EDT|CT|CST|CDT|PT|PST|PDT|GMT|UTC|CET|CEST|BST|JST|HKT|SGT)(?![\w])"
    r"|heure\s+(?:de\s+|d')?(?P<fr>new york|washington|l'est|paris|londres|tokyo|pékin|hong kong|française)"
    r"|(?P<en>new york|washington|eastern|pacific|paris|london|tokyo|beijing|hong kong)\s+time"
    r"|(?P<en2>eastern|pacific)(?![\w])"
    r")",
    re.I,
)

_SESSION = [
    ("before_open", re.compile(
        r"avant l'ouverture|en pré-?ouverture|before the (?:opening )?bell|before (?:the )?markets? open|"
        r"before the open(?:ing)?\b|ahead of the open(?:ing)?\b|pre-?market", re.I)),
    ("after_close", re.compile(
        r"après la (?:clôture|fermeture)|after the (?:closing )?bell|after (?:the )?markets? clos|"
        r"after the close\b|after-? ?hours|post-?market|hors séance", re.I)),
    ("during_session", re.compile(
        r"en (?:cours de )?séance|pendant la séance|during (?:the )?(?:trading )?session|during trading|intraday",
        re.I)),
]


def find_time(text: str) -> tuple[dt.time | None, str | None, str | None]:
    """The first clock time in ``text``, its IANA time zone (or None) and the span as written."""
    for m in _TIME.finditer(text):
        hour = int(m.group("h"))
        minute = int(m.group("m1") or m.group("m2") or 0)
        ampm = (m.group("ap1") or m.group("ap2") or "").lower()
        if ampm:
            if hour > 12 or hour == 0:
                continue
            hour = hour % 12 + (12 if ampm == "p" else 0)
        zone_match = _ZONE.match(text, m.end())
        zone = None
        if zone_match:
            if zone_match.group("abbr"):
                zone = _ZONE_ABBR[zone_match.group("abbr").upper()]
            else:
                city = (zone_match.group("fr") or zone_match.group("en") or zone_match.group("en2")).lower()
                zone = _ZONE_CITY.get(city)
        written = text[m.start():zone_match.end() if zone_match else m.end()].strip(" ,(")
        return dt.time(hour, minute), zone, written
    return None, None, None


def find_session_timing(text: str) -> str | None:
    """A trading-session word in ``text`` ("before_open", "during_session", "after_close"), or None."""
    for name, pattern in _SESSION:
        if pattern.search(text):
            return name
    return None
