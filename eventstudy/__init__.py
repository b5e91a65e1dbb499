"""eventstudy: from a news article to a rigorous, reproducible event study.

The pipeline, one module per stage::

    article/      read an article, extract its events, entities, claims and amounts
    study         the study file (TOML): events, groups, windows, model, data
    prices/       bars files, the snapshot, the download cache, Yahoo, the user's prices, quality checks
    calendars     trading calendars and the day-0 rule
    returns       returns from prices on a calendar
    panel         securities and benchmarks aligned on a calendar, windows around day 0
    models        normal-return models fitted for many events at once
    engine        abnormal returns, CARs and their variances
    stats/        test statistics
    results       the results object (summary, to_frame, tests, plot)
    plots         figures
    report/       HTML report and output files
    pipeline      run_study: assembles the stages
    cli           the `eventstudy` command
"""

__version__ = "0.1.0"

from .article import extract_events, read_article  # noqa: E402
from .errors import ArticleError, DataError, EventStudyError, StudyFileError, WindowError  # noqa: E402
from .pipeline import run_study  # noqa: E402
from .results import EventStudyResults  # noqa: E402
from .study import StudySpec, load_study, parse_study  # noqa: E402

__all__ = [
    "ArticleError", "DataError", "EventStudyError", "EventStudyResults", "StudyFileError", "StudySpec",
    "WindowError", "__version__", "extract_events", "load_study", "parse_study", "read_article", "run_study",
]
