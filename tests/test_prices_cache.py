"""The download cache: parquet per symbol, atomic writes, integrity checks, merging, location."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eventstudy.errors import CacheCorruptError, NotInSourceError
from eventstudy.paths import cache_dir, snapshot_dir
from eventstudy.prices import CacheSource, PriceCache, Snapshot
from eventstudy.prices.bars import bars_frame
from eventstudy.prices.cache import content_sha256, merge_bars
from eventstudy.study.spec import parse_study

ORCL = Snapshot(snapshot_dir("1d")).load("ORCL").bars


def cached(tmp_path, bars=ORCL, symbol="ORCL") -> PriceCache:
    cache = PriceCache(tmp_path / "c")
    cache.write(symbol, bars, meta={"source": "yfinance", "remote_symbol": symbol, "downloaded_at": "2025-04-01T10:00:00Z",
                                    "adjustment": "splits and dividends", "requested_start": "2024-01-01",
                                    "requested_end": "2025-03-31"})
    return cache


def test_round_trip_keeps_every_number_and_missing_cell(tmp_path):
    bars = ORCL.copy()
    bars.iloc[5, bars.columns.get_loc("volume")] = np.nan
    cache = cached(tmp_path, bars)
    back = cache.read("ORCL")
    pd.testing.assert_frame_equal(back.bars, bars, check_freq=False, check_index_type=False)
    assert np.isnan(back.bars["volume"].iloc[5])
    assert back.source.startswith(f"cache {cache.path_for('ORCL')}") and "downloaded 2025-04-01T10:00:00Z" in back.source
    assert "splits and dividends" in back.source and back.provenance["rows"] == len(bars)
    assert cache.path_for("ORCL").suffix == ".parquet"
    assert cache.symbols() == ["ORCL"]


def test_symbols_are_escaped_in_file_names(tmp_path):
    cache = cached(tmp_path, symbol="^GSPC")
    assert cache.path_for("^GSPC").name == "%5EGSPC.parquet" and cache.symbols() == ["^GSPC"]
    assert cache.read("^GSPC").symbol == "^GSPC"


def test_absent_symbol_is_not_an_error_worth_reporting(tmp_path):
    with pytest.raises(NotInSourceError):
        PriceCache(tmp_path).read("NOPE")


def test_truncated_file_is_detected(tmp_path):
    cache = cached(tmp_path)
    path = cache.path_for("ORCL")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CacheCorruptError, match="truncated or corrupt") as err:
        cache.read("ORCL")
    assert str(path) in str(err.value) and "eventstudy data fetch ORCL" in str(err.value)


def test_flipped_bytes_are_detected(tmp_path):
    cache = cached(tmp_path)
    path = cache.path_for("ORCL")
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    path.write_bytes(bytes(data))
    with pytest.raises(CacheCorruptError):
        cache.read("ORCL")


def test_content_that_does_not_match_its_checksum_is_refused(tmp_path):
    cache = cached(tmp_path)
    path = cache.path_for("ORCL")
    table = pq.read_table(path)
    close = table.column("close").to_numpy().copy()
    close[10] *= 1.01                                         # one number changed, record kept
    table = table.set_column(table.schema.get_field_index("close"), "close", pa.array(close))
    pq.write_table(table, path)
    with pytest.raises(CacheCorruptError, match="does not match its recorded sha256"):
        cache.read("ORCL")


def test_foreign_parquet_and_moved_files_are_refused(tmp_path):
    cache = cached(tmp_path)
    path = cache.path_for("ORCL")
    pq.write_table(pq.read_table(path).replace_schema_metadata({}), path)
    with pytest.raises(CacheCorruptError, match="no eventstudy record"):
        cache.read("ORCL")
    cache = cached(tmp_path)
    os.replace(cache.path_for("ORCL"), cache.path_for("MSFT"))
    with pytest.raises(CacheCorruptError, match="moved or renamed"):
        cache.read("MSFT")


def test_a_crash_while_writing_leaves_the_old_file(tmp_path, monkeypatch):
    cache = cached(tmp_path)
    before = cache.path_for("ORCL").read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        cache.write("ORCL", ORCL.iloc[:10])
    monkeypatch.undo()
    assert cache.path_for("ORCL").read_bytes() == before
    assert [p.name for p in cache.path_for("ORCL").parent.iterdir()] == ["ORCL.parquet"]  # no temporary left
    assert len(cache.read("ORCL").bars) == len(ORCL)


def test_content_hash_ignores_the_storage_but_not_the_numbers():
    same = ORCL.copy()
    same.index = same.index.as_unit("us")
    assert content_sha256(same) == content_sha256(ORCL)
    other = ORCL.copy()
    other.iloc[0, 3] += 1e-9
    assert content_sha256(other) != content_sha256(ORCL)


def _bars(dates, closes, **more):
    return bars_frame(pd.DatetimeIndex(pd.to_datetime(dates)), {"close": np.array(closes, float),
                                                               **{k: np.array(v, float) for k, v in more.items()}})


def test_merge_keeps_cached_rows_and_cells_the_download_lacks():
    old = _bars(["2025-01-02", "2025-01-03", "2025-01-06"], [10, 11, 12], volume=[5, 6, 7])
    new = _bars(["2025-01-03", "2025-01-06", "2025-01-07", "2025-01-08"], [11, 12, 13, np.nan],
                volume=[np.nan, 70, 8, 9])
    m = merge_bars(old, new)
    assert list(m.bars["close"]) == [10, 11, 12, 13]          # a row without a close is no data
    assert list(m.bars["volume"]) == [5, 6, 70, 8]             # empty cell keeps the cached value
    assert m.added == 1 and not m.replaced and m.conflict is None


def test_merge_refuses_a_partial_download_on_another_basis():
    old = _bars(["2025-01-02", "2025-01-03", "2025-01-06"], [10, 11, 12])
    partial = _bars(["2025-01-06", "2025-01-07"], [11.9, 13])
    m = merge_bars(old, partial)
    assert m.conflict and "adjustment basis changed" in m.conflict and m.bars is old
    whole = _bars(["2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"], [9.9, 10.9, 11.9, 13])
    m = merge_bars(old, whole)
    assert m.replaced and list(m.bars["close"]) == [9.9, 10.9, 11.9, 13]


def test_store_replaces_a_corrupt_file_and_says_so(tmp_path):
    cache = cached(tmp_path)
    cache.path_for("ORCL").write_bytes(b"garbage")
    out = cache.store("ORCL", ORCL.iloc[:20], frequency="1d", adjusted=True, requested=("2024-01-01", "2024-02-01"),
                      remote_symbol="ORCL", downloaded_at="now", adjustment="x")
    assert out.written and out.replaced_corrupt and "unreadable" in out.replaced_corrupt
    assert len(cache.read("ORCL").bars) == 20


def test_cache_location_follows_platform_env_and_study(tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_CACHE")
    assert cache_dir().name.lower() in ("eventstudy", "cache") and "eventstudy" in str(cache_dir()).lower()
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "env"))
    assert cache_dir() == tmp_path / "env" and PriceCache().root == tmp_path / "env"
    assert cache_dir(tmp_path / "x") == tmp_path / "x"
    study = tmp_path / "sub" / "s.toml"
    study.parent.mkdir()
    study.write_text('[event]\ndate = "2025-01-21"\n[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n'
                     '[data]\ncache = "../mycache"\nadjusted = false\n')
    spec = parse_study(study.read_text(), study)
    assert spec.data.cache == (tmp_path / "mycache").resolve() and spec.data.adjusted is False
    assert CacheSource(root=spec.data.cache).cache.root == (tmp_path / "mycache").resolve()


def test_cache_record_is_json_with_the_facts(tmp_path):
    cache = cached(tmp_path)
    meta = json.loads(pq.read_schema(cache.path_for("ORCL")).metadata[b"eventstudy"])
    assert meta["rows"] == len(ORCL) and meta["first"] == "2024-01-02" and meta["adjusted"] is True
    assert meta["sha256"] == content_sha256(ORCL) and meta["requested_end"] == "2025-03-31"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.sets(st.integers(0, 40), min_size=1), st.sets(st.integers(0, 40)), st.sets(st.integers(0, 40)))
def test_merge_never_loses_a_good_row(cached_days, new_days, empty_days):
    """On one adjustment basis, the merge holds every cached bar and every downloaded bar with a close."""
    base = pd.Timestamp("2025-01-01")
    price = lambda d: 100.0 + d  # noqa: E731  (the same prices in both: one basis)
    old = _bars([base + pd.Timedelta(days=d) for d in sorted(cached_days)], [price(d) for d in sorted(cached_days)])
    new_list = sorted(new_days)
    new = _bars([base + pd.Timedelta(days=d) for d in new_list],
                [np.nan if d in empty_days else price(d) for d in new_list])
    m = merge_bars(old, new)
    want = set(cached_days) | {d for d in new_days if d not in empty_days}
    assert m.conflict is None and set((m.bars.index - base).days) == want
    assert m.bars.index.is_monotonic_increasing and m.bars["close"].notna().all()
