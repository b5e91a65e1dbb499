"""Reducible summaries of a set of values: what a partition of events hands to the reduce step.

:class:`Moments` (count, mean, sum of squared deviations per column) merges exactly across
partitions with the pairwise update of Chan, Golub & LeVeque (1979): for parts a and b,
n = n_a + n_b, delta = mean_b - mean_a, mean = mean_a + delta n_b / n and
M2 = M2_a + M2_b + delta^2 n_a n_b / n. A single part passes through unchanged, so one partition
gives bit for bit what numpy's ``mean`` and ``std(ddof=1)`` give on the same values.
:class:`Sums` (sum and count per bar) merges by addition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    """Per column: number of finite values ``n``, their ``mean`` and ``m2`` = sum of squared
    deviations from the mean. ``sd`` is the sample standard deviation (divisor n - 1)."""

    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def of_columns(cls, x: np.ndarray) -> "Moments":
        """Moments of each column of ``x`` (K, J) over its finite values (NaN = missing)."""
        x = np.asarray(x, dtype=float)
        J = x.shape[1]
        xt = x.T if x.flags.f_contiguous else np.ascontiguousarray(x.T)
        n = np.zeros(J, dtype=np.int64)
        mean = np.full(J, np.nan)
        m2 = np.full(J, np.nan)
        for j in range(J):  # one 1-D pass per column (as numpy's mean and std compute it)
            v = xt[j]
            v = v[np.isfinite(v)]
            n[j] = len(v)
            if len(v):
                mu = v.mean()
                d = v - mu
                mean[j], m2[j] = mu, np.sum(d * d)
        return cls(n, mean, m2)

    @classmethod
    def empty(cls, J: int) -> "Moments":
        return cls(np.zeros(J, dtype=np.int64), np.full(J, np.nan), np.full(J, np.nan))

    def merge(self, other: "Moments") -> "Moments":
        na, nb = self.n, other.n
        n = na + nb
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = other.mean - self.mean
            mean = self.mean + delta * (nb / np.maximum(n, 1))
            m2 = self.m2 + other.m2 + delta * delta * (na * nb / np.maximum(n, 1))
        mean = np.where(na == 0, other.mean, np.where(nb == 0, self.mean, mean))
        m2 = np.where(na == 0, other.m2, np.where(nb == 0, self.m2, m2))
        return Moments(n, mean, m2)

    @staticmethod
    def combine(parts: list["Moments"]) -> "Moments":
        out = parts[0]
        for p in parts[1:]:
            out = out.merge(p)
        return out

    def column(self, j: int) -> tuple[int, float, float]:
        return int(self.n[j]), float(self.mean[j]), float(self.m2[j])


@dataclass(frozen=True)
class Sums:
    """Per bar (or column): the sum of the finite values and how many there were."""

    s: np.ndarray
    n: np.ndarray

    @classmethod
    def zeros(cls, L: int) -> "Sums":
        return cls(np.zeros(L), np.zeros(L, dtype=np.int64))

    @classmethod
    def of_rows(cls, x: np.ndarray) -> "Sums":
        """Column sums and counts over the rows of ``x`` (K, L), NaN left out."""
        fin = np.isfinite(x)
        return cls(np.where(fin, x, 0.0).sum(axis=0), fin.sum(axis=0))

    def __add__(self, other: "Sums") -> "Sums":
        return Sums(self.s + other.s, self.n + other.n)

    @property
    def mean(self) -> np.ndarray:
        """Mean per bar (NaN where no value)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 0, self.s / np.maximum(self.n, 1), np.nan)
