"""Every figure against a small set of cases computed by hand (see docs/metrics.md)."""

from __future__ import annotations

from collections import Counter

from reports.domain.facts import apply_event
from reports.domain.figures import figures, percentile_from_bins
from reports.domain.rollups import NBINS, measures
from reports.handlers import to_event


def five_cases(story):
    a, b, c, d, e = (story(x) for x in "abcde")
    return [
        a.routed(0), a.scheduled(0, response_in=30, resolution_in=120), a.transition("accepted", 10),
        a.transition("resolved", 60), a.feedback(65, satisfied=True), a.transition("closed", 70),
        b.routed(0), b.scheduled(0, response_in=30, resolution_in=120), b.transition("accepted", 45),
        b.breached("resolution", 120), b.transition("resolved", 200), b.feedback(205, satisfied=False),
        b.transition("reopened", 210), b.merged(3, "r-b2"),
        c.routed(0), c.scheduled(0, response_in=30, resolution_in=120), c.breached("response", 30),
        d.routed(0), d.transition("accepted", 5),
        e.routed(0), e.transition("cancelled", 1),
    ]


def totals(envelopes):
    facts = {}
    for env in envelopes:
        case = env.data["case_id"]
        facts[case] = apply_event(facts.get(case), to_event(env)) or facts.get(case)
    return sum((measures(f) for f in facts.values()), Counter())


def test_rates_use_the_documented_denominators(story):
    f = figures(totals(five_cases(story)))
    assert (f["cases"], f["active"], f["cancelled"], f["backlog"], f["overdue"]) == (5, 4, 1, 3, 2)
    assert f["response_rate"] == 0.5  # a, d on time; b late; c unanswered past its deadline
    assert f["resolution_rate"] == 0.5  # a done; b open past its deadline; c, d not yet due
    assert f["sla_compliance"] == 0.5
    assert f["satisfaction_rate"] == 0.5
    assert f["completion_rate"] == 0.25
    assert f["reopen_rate"] == 0.5
    assert (f["requests"], f["repeat_requests"]) == (6, 1)


def test_times_are_mean_and_binned_quantiles(story):
    f = figures(totals(five_cases(story)))
    assert f["mean_response_s"] == (600 + 2700 + 300) / 3
    assert f["median_response_s"] == 600.0
    assert f["mean_resolution_s"] == 3600.0


def test_an_overdue_open_case_lowers_the_rates_instead_of_vanishing(story):
    s = story("late")
    on_time = five_cases(story)
    late = [s.routed(0), s.scheduled(0, response_in=30, resolution_in=120), s.breached("response", 30),
            s.breached("resolution", 120)]
    before, after = figures(totals(on_time)), figures(totals(on_time + late))
    assert after["response_rate"] < before["response_rate"]
    assert after["resolution_rate"] < before["resolution_rate"]
    assert after["overdue"] == before["overdue"] + 1


def test_empty_groups_have_no_rates():
    f = figures({})
    assert f["response_rate"] is None and f["median_response_s"] is None and f["cases"] == 0


def test_percentiles_interpolate_inside_a_bin():
    counts = [0] * NBINS
    counts[3] = 4  # four durations between 30 and 60 minutes
    assert percentile_from_bins(counts, 0.5) == 2700.0
