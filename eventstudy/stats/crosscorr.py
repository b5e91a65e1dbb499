"""The mean cross-correlation r-bar of Kolari & Pynnönen (2010), as sums a partition of events can hand on.

Kolari & Pynnönen (2010, RFS 23(11), sect. 2) correct the BMP t and Patell Z for events that share
a date with r-bar, the average correlation of the events' estimation-window abnormal returns over
all pairs i != j. Events on different day 0 (or calendars) are taken as uncorrelated (their pairs
count as 0), so only pairs inside a *cluster* (same day 0 on one calendar, hence the same
estimation bars) contribute.

Definition used (pooled over common bars, reducible). In cluster c, standardise each event's
residuals on its own available bars, z_it = (e_it - mean_i) / s_i with s_i^2 = sum_t (e_it - mean_i)^2 / n_i
(n_i bars, population divisor) and z_it = 0 on a missing bar. Then

    rho_c = sum_t [ (sum_i z_it)^2 - sum_i z_it^2 ] / sum_t n_t (n_t - 1)

with n_t the events that have bar t: the average of z_it z_jt over every pair and every bar both
have. With no missing bar (or when every event of the cluster misses the same bars)
sum_t z_it z_jt / L is exactly Pearson's correlation rho_ij and sum_t n_t (n_t - 1) = L N_c (N_c - 1),
so rho_c = mean_{i != j} rho_ij: the textbook pairwise average. With gaps each pair is weighted by
its number of common bars and each event is standardised on its own bars (the pairwise-complete
average, which re-standardises every pair on its common bars, is not a sum over events and cannot
be reduced across partitions; :func:`pairwise_mean_cross_correlation` keeps it as a reference).
Events with fewer than ``min_overlap`` bars or no variation are left out; with N events in all,
N_c in cluster c and N'_c of them used,

    r-bar = sum_c rho_c N'_c (N'_c - 1) / [ N (N - 1) - sum_c (N_c (N_c - 1) - N'_c (N'_c - 1)) ].

Every quantity above is a sum over events (per cluster: sum_i z_it, n_t, sum_i sum_t z_it^2,
N_c, N'_c), so partitions of the events reduce to the same r-bar; the only cost is one vector of
estimation bars per cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClusterSums:
    """Per cluster (key = (calendar, day 0 in ns)): sum of standardised residual vectors ``z_sum``
    (m, L), bars present ``z_cnt`` (m, L), ``z_sq`` = sum of z^2, events ``n_std`` (with a residual
    variance) and ``n_z`` (of them with enough bars to enter r-bar)."""

    keys: tuple
    z_sum: np.ndarray
    z_cnt: np.ndarray
    z_sq: np.ndarray
    n_std: np.ndarray
    n_z: np.ndarray

    @staticmethod
    def combine(parts: list["ClusterSums"], L: int) -> "ClusterSums":
        index: dict = {}
        for p in parts:
            for k in p.keys:
                index.setdefault(k, len(index))
        m = len(index)
        z_sum, z_cnt = np.zeros((m, L)), np.zeros((m, L), dtype=np.int64)
        z_sq, n_std, n_z = np.zeros(m), np.zeros(m, dtype=np.int64), np.zeros(m, dtype=np.int64)
        for p in parts:
            if not p.keys:
                continue
            at = np.array([index[k] for k in p.keys])
            z_sum[at] += p.z_sum
            z_cnt[at] += p.z_cnt
            z_sq[at] += p.z_sq
            n_std[at] += p.n_std
            n_z[at] += p.n_z
        return ClusterSums(tuple(index), z_sum, z_cnt, z_sq, n_std, n_z)


def standardise(resid: np.ndarray, min_overlap: int = 20, present: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z, n, used): residuals standardised on each event's own bars (0 where missing, and for
    events not used), each event's number of bars, and which events have at least
    ``min_overlap`` bars and some variation. sum_t z_it^2 = n_i for a used event."""
    present = np.isfinite(resid) if present is None else present
    n = present.sum(axis=1)
    z = np.where(present, resid, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = z.sum(axis=1) / n
        z -= mean[:, None]
        z[~present] = 0.0
        ss = np.einsum("ij,ij->i", z, z)
        used = (n >= min_overlap) & (ss > 0)
        scale = np.where(used, 1.0 / np.sqrt(ss / n), 0.0)
    z *= scale[:, None]
    return z, n, used


def cluster_sums(resid: np.ndarray, cluster: np.ndarray, keys: tuple, min_overlap: int = 20,
                 present: np.ndarray | None = None) -> ClusterSums:
    """The r-bar sums of events with residuals ``resid`` (K, L) and cluster codes ``cluster`` (K,)
    into ``keys`` (one key per code)."""
    m, L = len(keys), resid.shape[1]
    present = np.isfinite(resid) if present is None else present
    z, n, used = standardise(resid, min_overlap, present)
    n_std = np.bincount(cluster, minlength=m).astype(np.int64)
    n_z = np.bincount(cluster, weights=used, minlength=m).astype(np.int64)
    z_sq = np.bincount(cluster, weights=np.where(used, n, 0), minlength=m).astype(float)
    if len(cluster) and used.any():
        from scipy import sparse

        onehot = sparse.csr_matrix((np.ones(len(cluster)), (cluster, np.arange(len(cluster)))), shape=(m, len(cluster)))
        z_sum = np.asarray(onehot @ z)
        if (n == L).all():  # no missing bar: each cluster has its used events on every bar
            z_cnt = np.repeat(n_z[:, None], L, axis=1)
        else:
            z_cnt = np.rint(np.asarray(onehot @ (present & used[:, None]).astype(float))).astype(np.int64)
    else:
        z_sum, z_cnt = np.zeros((m, L)), np.zeros((m, L), dtype=np.int64)
    return ClusterSums(tuple(keys), z_sum, z_cnt, z_sq, n_std, n_z)


def rbar_from_sums(sums: ClusterSums) -> tuple[float, int]:
    """(r-bar, pairs used) from the cluster sums (see the module doc); NaN with fewer than 2 events."""
    N = int(sums.n_std.sum())
    if N < 2:
        return math.nan, 0
    total, excluded, pairs = 0.0, 0, 0
    for c in range(len(sums.keys)):
        nc, nz = int(sums.n_std[c]), int(sums.n_z[c])
        if nc < 2:
            continue
        denom = float(np.sum(sums.z_cnt[c] * (sums.z_cnt[c] - 1)))
        if nz >= 2 and denom > 0:
            a = sums.z_sum[c]
            total += (float(a @ a) - float(sums.z_sq[c])) / denom * (nz * (nz - 1))
            pairs += nz * (nz - 1) // 2
            excluded += nc * (nc - 1) - nz * (nz - 1)
        else:
            excluded += nc * (nc - 1)
    denom = N * (N - 1) - excluded
    return (total / denom if denom > 0 else math.nan), pairs


def mean_cross_correlation(resid: np.ndarray, cluster: np.ndarray, min_overlap: int = 20) -> tuple[float, int]:
    """r-bar of events with residuals ``resid`` (N, L) and cluster ids ``cluster`` (N,): the
    pooled definition of the module doc (pairwise-average equal when no bar is missing).
    Returns (r-bar, pairs used)."""
    cluster = np.asarray(cluster)
    keys, codes = np.unique(cluster, return_inverse=True)
    return rbar_from_sums(cluster_sums(np.asarray(resid, dtype=float), codes.astype(np.int64),
                                       tuple(keys.tolist()), min_overlap))


def pairwise_correlation(x: np.ndarray, min_overlap: int = 20) -> np.ndarray:
    """Pearson correlation of every pair of rows of ``x`` (n, L) over the bars both have
    (pairwise-complete, like pandas' ``DataFrame.corr``); NaN below ``min_overlap`` common bars.
    O(n^2 L): a reference for small n, not used by the battery."""
    v = np.isfinite(x).astype(float)
    x0 = np.where(v > 0, x, 0.0)
    n = v @ v.T                      # common bars of i and j
    s_i = x0 @ v.T                   # sum of x_i over bars common with j
    s_ii = (x0 * x0) @ v.T
    s_ij = x0 @ x0.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = n * s_ij - s_i * s_i.T
        var_i = n * s_ii - s_i * s_i
        corr = cov / np.sqrt(var_i * var_i.T)
    corr[n < min_overlap] = np.nan
    return corr


def pairwise_mean_cross_correlation(resid: np.ndarray, cluster: np.ndarray, min_overlap: int = 20
                                    ) -> tuple[float, int]:
    """The pairwise-complete r-bar (each pair correlated on its common bars, pairs below
    ``min_overlap`` common bars left out): the reference the pooled definition equals without gaps.
    Quadratic in the events of a cluster."""
    N = len(cluster)
    if N < 2:
        return math.nan, 0
    total, pairs_used, pairs_excluded = 0.0, 0, 0
    for c in np.unique(cluster):
        idx = np.flatnonzero(cluster == c)
        if len(idx) < 2:
            continue
        corr = pairwise_correlation(resid[idx], min_overlap)
        vals = corr[~np.eye(len(idx), dtype=bool)]
        ok = np.isfinite(vals)
        total += vals[ok].sum()
        pairs_used += int(ok.sum())
        pairs_excluded += int((~ok).sum())
    denom = N * (N - 1) - pairs_excluded
    return (total / denom if denom > 0 else math.nan), pairs_used // 2
