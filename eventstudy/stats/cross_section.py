"""Cross-sectional regression of CARs on event characteristics, with robust standard errors.

    CAR_i = g_0 + g' z_i + u_i,   i = 1..N events           (e.g. MacKinlay 1997, section 7)

fitted by OLS (statsmodels) with one of:

* ``HC3``: MacKinnon & White (1985) heteroskedasticity-consistent covariance,
  (X'X)^-1 X' diag(u_i^2 / (1 - h_ii)^2) X (X'X)^-1; reference t(N - k). CARs are
  heteroskedastic by construction (securities differ in volatility), so plain OLS errors are
  not offered;
* ``cluster`` by ``date`` (events sharing day 0 on one calendar: the common-shock dependence
  of a clustered event date) or by ``firm`` (one security's repeated events): the CR1
  estimator, G / (G - 1) (N - 1) / (N - k) small-sample factor, reference t(G - 1)
  (statsmodels' ``cov_type="cluster"``);
* ``both``: two-way clustering by date and firm (Cameron, Gelbach & Miller 2011, JBES 29(2),
  eq. 2.9-2.11): V = V_date + V_firm - V_date&firm, each one-way CR1 matrix with its own
  small-sample factor; reference t(min(G_date, G_firm) - 1) (statsmodels'
  ``cov_cluster_2groups``). V can fail to be positive semi-definite in small samples; a
  negative variance is reported as NaN, never hidden.

Characteristics: numeric or boolean columns enter as they are; text columns become dummies
(first level dropped, named ``column[level]``). Events with a missing CAR or characteristic
are left out, and the result says how many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from .distributions import t_sf

from ..errors import DataError

COV_TYPES = ("HC3", "cluster")
CLUSTERS = ("date", "firm", "both")
COLUMNS = ["term", "coef", "se", "t", "p_value", "df", "n", "clusters", "cov_type", "r2", "note"]


def design(characteristics: pd.DataFrame) -> pd.DataFrame:
    """The regressors: numeric/bool columns as floats, text columns as dummies, plus a constant."""
    import statsmodels.api as sm  # imported when used: it takes seconds to import

    parts = []
    for c in characteristics.columns:
        s = characteristics[c]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            parts.append(s.astype(float).rename(c))
        else:
            d = pd.get_dummies(s.astype("string"), prefix=c, prefix_sep="[", drop_first=True, dtype=float)
            d.columns = [f"{x}]" for x in d.columns]
            d[s.isna().to_numpy()] = np.nan
            parts.append(d)
    X = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=characteristics.index)
    return sm.add_constant(X, has_constant="add")


def robust_ols(y: np.ndarray, X: np.ndarray, cov_type: str = "HC3", groups: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, str, float]:
    """OLS of ``y`` (n,) on ``X`` (n, k) with HC3 or cluster-robust errors (statsmodels).

    ``groups``: (n,) or (n, 2) integer cluster codes for ``cov_type = "cluster"`` (two columns:
    two-way). Returns (coef, se, t, p, df, clusters, r2); p two-sided from t(df), df = n - k for
    HC3 and min(G) - 1 for clusters; a negative variance (two-way, not PSD) gives se = NaN.
    """
    import statsmodels.api as sm  # imported when used: it takes seconds to import

    model = sm.OLS(y, X)
    if cov_type == "HC3":
        res = model.fit(cov_type="HC3", use_t=True)
        clusters, df = "", float(res.df_resid)
    else:
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        G = [len(np.unique(groups))] if groups.ndim == 1 else [len(np.unique(groups[:, j])) for j in range(2)]
        clusters, df = " x ".join(str(g) for g in G), float(min(G) - 1)
    var = np.diag(np.asarray(res.cov_params()))
    se = np.sqrt(np.where(var >= 0, var, np.nan))
    coef = np.asarray(res.params)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = coef / se
    p = 2.0 * t_sf(np.abs(t), df) if df > 0 else np.full(len(coef), np.nan)
    return coef, se, t, p, df, clusters, float(res.rsquared)


def car_regression(car: np.ndarray, characteristics: pd.DataFrame, *, cov_type: str = "HC3",
                   cluster: str | None = None, date: np.ndarray | None = None,
                   firm: np.ndarray | None = None) -> pd.DataFrame:
    """OLS of CARs on characteristics with HC3 or cluster-robust errors (module docstring).

    ``car`` (N,), ``characteristics`` N rows (same order); ``date``/``firm`` (N,) labels for
    clustering. Returns one row per term: coef, se, t, p_value (two-sided), df, n, clusters.
    """
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type {cov_type!r} is not one of {', '.join(COV_TYPES)}")
    car = np.asarray(car, float)
    if len(characteristics) != len(car):
        raise DataError(f"{len(characteristics)} rows of characteristics for {len(car)} CARs")
    X = design(characteristics.reset_index(drop=True))
    ok = np.isfinite(car) & np.isfinite(X.to_numpy(float)).all(axis=1)
    groups = None
    if cov_type == "cluster":
        if cluster not in CLUSTERS:
            raise ValueError(f"cluster {cluster!r} is not one of {', '.join(CLUSTERS)}")
        need = {"date": [date], "firm": [firm], "both": [date, firm]}[cluster]
        if any(g is None for g in need):
            raise ValueError(f"cluster = {cluster!r} needs the event {'dates and firms' if cluster == 'both' else cluster}")
        codes = [pd.factorize(pd.Series(np.asarray(g, object)))[0] for g in need]
        ok &= np.all([c >= 0 for c in codes], axis=0)
        groups = codes[0][ok] if len(codes) == 1 else np.column_stack([c[ok] for c in codes])
    n, k = int(ok.sum()), X.shape[1]
    dropped = len(car) - n
    note = f"{dropped} events left out (missing CAR or characteristic)" if dropped else ""
    if n <= k:
        raise DataError(f"the cross-sectional regression needs more events than its {k} coefficients; "
                        f"{n} events have a CAR and every characteristic")
    coef, se, t, p, df, n_clusters, r2 = robust_ols(car[ok], X[ok].to_numpy(float), cov_type, groups)
    if cov_type == "HC3":
        label = "HC3"
    else:
        label = f"cluster ({cluster})" if cluster != "both" else "two-way cluster (date, firm)"
    notes = [note] if note else []
    if np.isnan(se).any():
        notes.append("a negative two-way variance (not positive semi-definite in this sample): se shown as NaN")
    return pd.DataFrame({"term": list(X.columns), "coef": coef, "se": se, "t": t, "p_value": p, "df": df, "n": n,
                         "clusters": n_clusters, "cov_type": label, "r2": r2,
                         "note": "; ".join(notes)}, columns=COLUMNS)
