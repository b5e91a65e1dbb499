"""Checks that a study's inputs agree with each other, reported as warnings (pure functions).

* **Article dates.** When day 0 comes from the article, its event date must not lie after the
  article's publication date (the ``published:`` line, the page metadata or the study's
  ``published =``): an article cannot report as done what happens after it is published, so
  one of the two dates is wrong. The study keeps the body's date and says so, naming both and
  how to fix it. (News published late in the evening may date an event one day later in another
  time zone: one day of slack is allowed.)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..article.model import Extraction
    from ..plan.calendars import EventTime
    from .spec import StudySpec

#: Days an event date may follow the publication date (time zones around midnight).
PUBLICATION_SLACK_DAYS = 1


def article_date_findings(spec: "StudySpec", extraction: "Extraction | None",
                          event_time: "EventTime | None") -> list[dict]:
    """Warnings (ticker, check, message, action) when the article's dates contradict each other."""
    if extraction is None or event_time is None or not extraction.events:
        return []
    if spec.event is not None and spec.event.date is not None:
        return []  # day 0 comes from the study file, not from the article
    published, event = extraction.published, extraction.primary.date
    if published is None or event is None:
        return []
    if event <= published + dt.timedelta(days=PUBLICATION_SLACK_DAYS):
        return []
    said = extraction.primary.date_text or extraction.primary.timing or event.isoformat()
    where = "the study file's `published =`" if spec.published else "the article's publication date"
    return [{
        "ticker": "article", "check": "event date",
        "message": (f"the article dates the event {event:%Y-%m-%d} ({said!r}), after {where} {published:%Y-%m-%d}: "
                    "an article cannot report what happens after it is published, so one of the two dates is wrong"),
        "action": (f"day 0 taken from the article's text ({event:%Y-%m-%d}); check the article's `published:` line "
                   "(or `published =` in the study file), or give the date with [event] date"),
    }]
