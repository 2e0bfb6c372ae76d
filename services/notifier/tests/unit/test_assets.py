"""Asset registers: due dates, reminder instants and CSV import errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notifier.adapters.asset_csv import AssetCsvError, parse_assets
from notifier.domain.assets import Asset, reminder_timers

CSV = """asset_id,kind,title,community_id,building,last_done,interval_months,lead_days,unit_ids
EL-HY-1-1,elevator_inspection,金湖花园1号楼1单元电梯年检,qc-jh-jh,1,2024-04-30,,,u-g-jh-jh-hy-1
FE-HY-2,fire_equipment,金湖花园2号楼灭火器检查,qc-jh-jh,2,2024-12-31,6,7,u-g-jh-jh-hy-1;u-jh-jh-hy-pm
"""


def test_an_elevator_inspected_last_april_is_reminded_a_month_ahead_at_nine_and_again_on_the_day():
    [lift, extinguisher] = parse_assets(CSV)
    assert lift.due == date(2025, 4, 30) and lift.lead_days == 30 and lift.interval_months == 12
    ahead, again = reminder_timers(lift)
    assert ahead.due_at == datetime(2025, 3, 31, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    assert again.due_at == datetime(2025, 4, 30, 1, 0, tzinfo=UTC) == ahead.deadline_at
    assert extinguisher.due == date(2025, 6, 30) and extinguisher.unit_ids == ("u-g-jh-jh-hy-1", "u-jh-jh-hy-pm")


def test_month_ends_are_kept_in_shorter_months():
    asset = Asset("a", "drain_clearing", "雨季前疏通雨水管", "c", last_done=date(2024, 8, 31), interval_months=6)
    assert asset.due == date(2025, 2, 28)


@pytest.mark.parametrize(("text", "message"), [
    ("asset_id,kind,title\n", "missing column(s): community_id, last_done"),
    ("asset_id,kind,title,community_id,last_done\n", "no rows"),
    ("asset_id,kind,title,community_id,last_done\na,k,t,c,2024-13-01\n", "row 2: last_done"),
    ("asset_id,kind,title,community_id,last_done\na,k,,c,2024-01-01\n", "row 2: column title is empty"),
    ("asset_id,kind,title,community_id,last_done,lead_days\na,k,t,c,2024-01-01,-3\n", "row 2: lead_days"),
    ("asset_id,kind,title,community_id,last_done\na,k,t,c,2024-01-01\na,k,t,c,2024-01-01\n", "row 3: asset_id"),
])
def test_a_bad_register_is_refused_with_the_row_and_column(text, message):
    with pytest.raises(AssetCsvError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_assets(text)
