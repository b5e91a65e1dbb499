"""Wild bootstrap of the cross-sectional statistics (Rademacher and Mammen weights).

For values x_1..x_N across events (ARs or CARs for the cross-sectional t; standardised ARs or
CARs for the BMP t) and the statistic t = sqrt(N) mean(x) / sd(x), the wild bootstrap with
the null imposed (Wu 1986; Liu 1988; Davidson & Flachaire 2008, "The wild bootstrap, tamed at
last", J. Econometrics 146(1)) draws

    x*_i = w_i x_i,   w_i iid with E[w] = 0, E[w^2] = 1,

so each event keeps its own variance (heteroskedasticity across events is preserved) and the
mean is 0 as under H0. The weights:

* Rademacher: w = +1 or -1 with probability 1/2 each (E[w^3] = 0); the recommended choice
  (Davidson & Flachaire 2008), a sign-randomisation test: exact if the x_i are symmetric;
* Mammen (1993, Ann. Stat. 21(1), eq. 2.3): w = -(sqrt 5 - 1)/2 with probability
  (sqrt 5 + 1)/(2 sqrt 5), else (sqrt 5 + 1)/2 (E[w^3] = 1: keeps the skewness of x).

t*_b = sqrt(N) mean(x*) / sd(x*) on B draws (seeded); the two-sided p-value is the share of
|t*_b| >= |t| (symmetric test), floored at 1/B. Events are taken as independent: with a
common event date the x_i are cross-correlated and the bootstrap is as anti-conservative as
the t it bootstraps (use the dependence-robust tests).
"""

from __future__ import annotations

import math

import numpy as np

from .result import TestResult, nan_result

WEIGHTS = ("rademacher", "mammen")
MIN_N = 5
_S5 = math.sqrt(5.0)
MAMMEN_LOW, MAMMEN_HIGH = -(_S5 - 1) / 2, (_S5 + 1) / 2
MAMMEN_P_LOW = (_S5 + 1) / (2 * _S5)


def draw_weights(kind: str, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Wild-bootstrap weights of ``kind`` ("rademacher" or "mammen"), shape ``size``."""
    if kind == "rademacher":
        return rng.integers(0, 2, size=size).astype(float) * 2.0 - 1.0
    if kind == "mammen":
        return np.where(rng.random(size) < MAMMEN_P_LOW, MAMMEN_LOW, MAMMEN_HIGH)
    raise ValueError(f"wild-bootstrap weights {kind!r} are not one of {', '.join(WEIGHTS)}")


def _t(x: np.ndarray) -> np.ndarray:
    n = x.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return math.sqrt(n) * x.mean(axis=-1) / x.std(axis=-1, ddof=1)


def wild_bootstrap_t(x: np.ndarray, *, weights: str = "rademacher", n_boot: int = 1999,
                     seed: int = 20250121) -> TestResult:
    """Wild-bootstrap p-value of t = sqrt(N) mean / sd of ``x`` (see the module docstring).

    ``statistic`` is the t of the sample; ``distribution`` names the bootstrap. With
    Rademacher weights and N <= 10 the 2^N sign patterns are enumerated (exact p-value).
    """
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < MIN_N:
        return nan_result(n, f"wild bootstrap ({weights})", x.mean() if n else math.nan,
                          f"needs N >= {MIN_N}")
    t = float(_t(x))
    if not np.isfinite(t):
        return nan_result(n, f"wild bootstrap ({weights})", float(x.mean()), "no dispersion across events")
    if weights == "rademacher" and n <= 10:
        signs = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1) * 2.0 - 1.0
        tb = _t(signs * x)
        label = f"wild bootstrap (rademacher, all {2**n} sign patterns)"
    else:
        rng = np.random.default_rng(seed)
        chunk = max(1, min(n_boot, 2_000_000 // n))
        tb = np.concatenate([_t(draw_weights(weights, (min(chunk, n_boot - i), n), rng) * x)
                             for i in range(0, n_boot, chunk)])
        label = f"wild bootstrap ({weights}, {n_boot} draws, seed {seed})"
    tb = tb[np.isfinite(tb)]
    p = float(np.mean(np.abs(tb) >= abs(t) * (1 - 1e-12)))
    return TestResult(t, max(p, 1.0 / max(tb.size, 1)), n, label, float(x.mean()),
                      note="null imposed (x* = w x); events taken as independent")
