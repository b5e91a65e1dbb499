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

from .errors import ArticleError, DataError, EventStudyError, OutputError, StudyFileError, WindowError  # noqa: E402

#: Public names imported on first use (PEP 562), so ``import eventstudy`` and ``eventstudy --help``
#: do not load the article reader, the statistics and the figures until they are needed.
_LAZY = {"extract_events": ".article", "read_article": ".article", "run_study": ".pipeline",
         "EventStudyResults": ".results.results", "StudySpec": ".study.spec", "load_study": ".study.spec",
         "parse_study": ".study.spec"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ArticleError", "DataError", "EventStudyError", "EventStudyResults", "OutputError", "StudyFileError", "StudySpec",
    "WindowError", "__version__", "extract_events", "load_study", "parse_study", "read_article", "run_study",
]


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
