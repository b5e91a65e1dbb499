"""The claim check: the article's stated price moves against the measured ones."""

from .check import CLAIM_COLUMNS, VERDICTS, check_claim, check_claims, tolerance
from .study import check_article_claims
from .subjects import claim_subject, measurement_symbols

__all__ = ["CLAIM_COLUMNS", "VERDICTS", "check_article_claims", "check_claim", "check_claims", "claim_subject",
           "measurement_symbols", "tolerance"]
