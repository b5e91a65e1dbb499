"""eventstudy: from a news article to a rigorous, reproducible event study.

The pipeline, in the order a study runs (one package per stage)::

    study/        the study file (TOML): events, groups, windows, model, data
    article/      read an article, extract its events, entities, claims and amounts
    reference/    reference data about securities: the gazetteer (names, tickers, calendars, Yahoo symbols)
    plan/         trading calendars and the day-0 rule
    prices/       bars files, the snapshot, the download cache, Yahoo, the user's prices, quality checks
    estimation/   returns on a calendar, the aligned panel, normal-return models, the engine (ARs, CARs)
    stats/        test statistics across events, regression diagnostics
    claims/       the claim check: the article's stated moves against the prices
    results/      the results object (summary, to_frame, tests, plot)
    plots/        figures
    report/       HTML report, output files, the analyst's notebook
    pipeline      run_study: assembles the stages
    cli           the `eventstudy` command
"""

__version__ = "0.1.0"

from .article import extract_events, read_article  # noqa: E402
from .errors import ArticleError, DataError, EventStudyError, OutputError, StudyFileError, WindowError  # noqa: E402
from .pipeline import run_study  # noqa: E402
from .results.results import EventStudyResults  # noqa: E402
from .study.spec import StudySpec, load_study, parse_study  # noqa: E402

__all__ = [
    "ArticleError", "DataError", "EventStudyError", "EventStudyResults", "OutputError", "StudyFileError", "StudySpec",
    "WindowError", "__version__", "extract_events", "load_study", "parse_study", "read_article", "run_study",
]
