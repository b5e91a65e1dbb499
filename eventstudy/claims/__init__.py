"""The claim check: the article's stated price moves against the measured ones."""

from .check import check_claim, check_claims, tolerance

__all__ = ["check_claim", "check_claims", "tolerance"]
