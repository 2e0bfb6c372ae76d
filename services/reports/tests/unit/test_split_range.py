"""Date ranges split into whole months (month rollup rows) and ragged edges (day rows)."""

from reports.queries import split_range


def test_an_open_range_reads_month_rows_only():
    assert split_range(None, None) == [("month", None, None)]


def test_ragged_edges_are_read_from_day_rows():
    assert sorted(split_range("2026-01-15", "2026-04-10")) == [
        ("day", "2026-01-15", "2026-01-31"), ("day", "2026-04-01", "2026-04-10"), ("month", "2026-02", "2026-03")]


def test_whole_months_need_no_day_rows():
    assert split_range("2026-02-01", "2026-03-31") == [("month", "2026-02", "2026-03")]


def test_a_range_inside_one_month_is_read_by_day():
    assert split_range("2026-02-03", "2026-02-20") == [("day", "2026-02-03", "2026-02-20")]
    assert split_range("2026-02-03", "2026-03-02") == [("day", "2026-02-03", "2026-03-02")]


def test_half_open_ranges():
    assert sorted(split_range("2026-02-03", None)) == [("day", "2026-02-03", "2026-02-28"), ("month", "2026-03", None)]
    assert sorted(split_range(None, "2026-02-03")) == [("day", "2026-02-01", "2026-02-03"), ("month", None, "2026-01")]
