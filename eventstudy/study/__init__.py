"""What to study: the study file (TOML) and the specification it becomes (events, groups, windows,
model, data). See :mod:`eventstudy.study.spec` and :mod:`eventstudy.study.events_file`."""

from .spec import (CONVENTIONS, FREQUENCIES, SOURCES, DataSpec, EventRows, EventRowSpec, EventSpec, GroupSpec,
                   ModelSpec, StudySpec, Window, WindowSpec, load_study, parse_study, read_events_file)

__all__ = ["CONVENTIONS", "FREQUENCIES", "SOURCES", "DataSpec", "EventRows", "EventRowSpec", "EventSpec", "GroupSpec",
           "ModelSpec", "StudySpec", "Window", "WindowSpec", "load_study", "parse_study", "read_events_file"]
