"""Named sets of conventions. Every choice that changes a number is written down here.

``TEXTBOOK`` (the default) follows MacKinlay (1997), Campbell, Lo & MacKinlay (1997, ch. 4),
Boehmer, Musumeci & Poulsen (1991), Kolari & Pynnönen (2010), Corrado (1989), Corrado & Zivney
(1992) and Cowan (1992). ``ESTUDY2`` reproduces R's estudy2 v0.10 (see
:mod:`eventstudy.stats.estudy2` for its formulas); ``EVENTSTUDY_R`` the R EventStudy rewrite
(GitHub sipemu/eventstudy; :mod:`eventstudy.stats.eventstudy_r`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Conventions:
    name: str
    variance_divisor: str
    prediction_error: str
    missing_securities: str
    rank_window: str
    rank_scale: str
    sign_p_hat: str
    cross_correlation: str
    p_values: str
    distributions: str

    def as_rows(self) -> list[tuple[str, str]]:
        return [(f.name.replace("_", " "), getattr(self, f.name)) for f in fields(self) if f.name != "name"]


TEXTBOOK = Conventions(
    name="textbook",
    variance_divisor="sigma^2 = SSR / (n - p): n - 2 for the market model (MacKinlay 1997, eq. 4.12), n - 1 for "
                     "constant mean and market-adjusted",
    prediction_error="included in Var(AR) and Var(CAR), with the cross-day covariance of CARs "
                     "(MacKinlay 1997, eq. 4.14-4.15)",
    missing_securities="each day/window uses the events with a value (N_t); a CAR window with a missing bar is "
                       "missing for that event",
    rank_window="estimation + event bars, each event ranked over its own available bars",
    rank_scale="ranks / (M_i + 1) (Corrado & Zivney 1992)",
    sign_p_hat="mean over events of each one's estimation share of positive ARs (Cowan 1992)",
    cross_correlation="r\u0304 = mean correlation of estimation residuals among events sharing day 0 on one "
                      "calendar, other pairs 0 (Kolari & Pynnönen 2010); each event standardised on its own bars, "
                      "z_i z_j averaged over the bars a pair has (the pairwise mean when no bar is missing)",
    p_values="two-sided",
    distributions="t tests: Student t with the stated df; Patell, rank and sign Z: N(0,1); sign: exact binomial; "
                  "Wilcoxon: exact signed-rank for small N",
)

ESTUDY2 = Conventions(
    name="estudy2",
    variance_divisor="s_i = sd of estimation ARs, divisor L_i - 1",
    prediction_error="Patell/Boehmer/Lamb: C = sqrt(1 + 1/L + (Rm - mean Rm)^2 / SS_m), market moments over all "
                     "estimation bars",
    missing_securities="sums are mean of the available securities x N (estudy2's rowMeans * ncol)",
    rank_window="estimation + event bars",
    rank_scale="rank: raw ranks; modified_rank: ranks / (n_i + 1)",
    sign_p_hat="pooled over all estimation firm-days",
    cross_correlation="not modelled",
    p_values="two-sided (Wilcoxon marks: estudy2's asymmetric rule)",
    distributions="Brown-Warner: t(mean L - 1); t test, Boehmer: t(N_t - 1); others N(0,1)",
)

EVENTSTUDY_R = Conventions(
    name="eventstudy_r",
    variance_divisor="model sigma: SSR / (m - k) for OLS models (k parameters), sd with divisor m - 1 for "
                     "market-adjusted and constant mean; rolling window: the last 60 bars, divisor ws - 2",
    prediction_error="none in AR/CAR t (AR / sigma, CAR / (sqrt(l) sigma)) nor in BMP (SAR = AR / sigma); Patell "
                     "only: sigma sqrt(1 + x'(X'X)^-1 x), 1/m for market-adjusted",
    missing_securities="each day uses the events with a value; CAAR = cumulative sum of the daily AARs; a "
                       "cumulation stops at an event's first missing day",
    rank_window="estimation + event bars; T = number of bars, missing ones included",
    rank_scale="rank / (T + 1) - 1/2; S = sample sd (divisor n - 1) of the daily mean rank",
    sign_p_hat="sign test: 1/2 with the normal approximation; generalized sign: mean over events of each one's "
               "estimation share of positive ARs",
    cross_correlation="Kolari-Pynnönen r̄ = mean correlation of estimation SARs over all pairs of events, "
                      "aligned by relative day",
    p_values="two-sided",
    distributions="cross-sectional t, BMP, KP: t(N-1); Patell, sign, generalized sign, rank: N(0,1); "
                  "calendar-time t: t(estimation days - 1)",
)

BY_NAME = {c.name: c for c in (TEXTBOOK, ESTUDY2, EVENTSTUDY_R)}
