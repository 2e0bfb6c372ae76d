"""Duplicates merge into one case; low-confidence cases wait in triage; decisions are kept for retraining."""

from __future__ import annotations

from datetime import timedelta

import pytest

from router.domain.case import ActorInfo, InvalidTransition
from router.domain.duplicates import similarity
from router.handlers import triage
from router.handlers.intake import route_request

from ..conftest import NOW, published, request_submitted

LEAK = "5号楼2单元楼上卫生间漏水，我家天花板一直在滴水，麻烦尽快处理"


async def test_a_near_identical_report_in_the_same_compound_joins_the_case(ctx):
    first = await route_request(ctx, request_submitted(LEAK, request_id="r-1", building="5"))
    again = request_submitted("5号楼2单元楼上卫生间漏水，天花板一直滴水，请尽快处理！", request_id="r-2",
                              building="5", at=NOW + timedelta(hours=2))
    assert await route_request(ctx, again) is None
    await route_request(ctx, again)  # redelivered: still one reporter more, one event
    case = await ctx.repo.get(first)
    assert case.request_ids == ["r-1", "r-2"]
    assert (await ctx.repo.find_by_request("r-2")).case_id == first
    merged = [e for e in await published(ctx) if e.type == "case.merged.v1"]
    assert len(merged) == 1 and merged[0].data["request_id"] == "r-2" and merged[0].data["tracking_code"] == "WS-r-2"
    assert len(await ctx.repo.list_cases(limit=10)) == 1


@pytest.mark.parametrize(("text", "place", "hours"), [
    ("小区东门的垃圾桶三天没人清运了，味道很大", {"building": "5"}, 1),  # merely similar: another problem
    ("5号楼楼上漏水，天花板滴水", {"building": "7"}, 1),  # same problem, another building
    (LEAK, {"compound": "qc-jh-jh-ly"}, 1),  # another compound
    (LEAK, {"building": "5"}, 80),  # outside the 72 h window
])
async def test_merely_similar_or_distant_reports_open_their_own_case(ctx, text, place, hours):
    await route_request(ctx, request_submitted(LEAK, request_id="r-1", building="5"))
    kwargs = {"building": place.get("building"), "compound": place.get("compound", "qc-jh-jh-hy")}
    if kwargs["compound"] != "qc-jh-jh-hy":
        kwargs["community"] = "qc-jh-jh"
    second = await route_request(ctx, request_submitted(text, request_id="r-2", at=NOW + timedelta(hours=hours),
                                                        **kwargs))
    assert second is not None
    assert len(await ctx.repo.list_cases(limit=10)) == 2


async def test_only_the_buildings_own_open_cases_are_read_as_candidates(ctx):
    for n in range(30):
        await route_request(ctx, request_submitted(LEAK, request_id=f"r-other-{n}", building=str(100 + n)))
    read = []
    lookup = ctx.repo.open_in_compound

    async def spy(*args, **kwargs):
        read.append(found := await lookup(*args, **kwargs))
        return found

    ctx.repo.open_in_compound = spy
    first = await route_request(ctx, request_submitted(LEAK, request_id="r-1", building="5"))
    again = request_submitted("5号楼2单元楼上卫生间漏水，天花板一直滴水，请尽快处理！", request_id="r-2", building="5")
    assert first is not None and await route_request(ctx, again) is None
    assert [[c.case_id for c in found] for found in read] == [[], [first]]
    assert (await ctx.repo.get(first)).request_ids == ["r-1", "r-2"]


def test_similarity_is_high_for_rewordings_and_low_for_other_problems():
    assert similarity(LEAK, "5号楼2单元楼上卫生间漏水，天花板一直滴水，请尽快处理！") > 0.5
    assert similarity(LEAK, "5号楼门口垃圾没人清运") < 0.2


class FakeModel:
    """Stands in for router.classifier's TextClassifier: a fixed label and confidence."""

    def __init__(self, label: str, confidence: float) -> None:
        self.answer = (label, confidence)

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        return [self.answer for _ in texts]


UNCLEAR = "我们这栋楼的情况大家都知道，希望社区领导来看看"


async def test_a_confident_model_decides_what_rules_do_not(ctx):
    ctx.model = FakeModel("安全隐患/房屋设施", 0.91)
    case = await ctx.repo.get(await route_request(ctx, request_submitted(UNCLEAR)))
    assert (case.class_code, case.sub_category, case.classified_by, case.confidence) == \
        ("safety", "building", "model", 0.91)
    assert case.status == "whistled" and case.departments == ["fangguan"]


async def test_an_unsure_model_sends_the_case_to_triage_and_the_decision_routes_it(ctx):
    ctx.model = FakeModel("民生咨询/政策咨询", 0.31)
    case_id = await route_request(ctx, request_submitted(UNCLEAR))
    case = await ctx.repo.get(case_id)
    assert case.status == "triage" and case.needs_triage and case.suggestion["label"] == "民生咨询/政策咨询"
    assert case.units[0]["kind"] == "cadre"  # someone still owns it while it waits
    assert [c.case_id for c in await ctx.repo.list_cases(needs_triage=True)] == [case_id]
    routed = await triage.decide(ctx, case_id, class_code="safety", sub_category="building",
                                 actor=ActorInfo("staff", "op-1"), note="外墙空鼓")
    assert routed.status == "whistled" and not routed.needs_triage and routed.classified_by == "manual"
    decisions = await ctx.repo.triage_decisions()
    assert decisions[0].triage_decision["label"] == "安全隐患/房屋设施"
    assert decisions[0].triage_decision["suggestion"]["label"] == "民生咨询/政策咨询"
    types = [e.type for e in await published(ctx)]
    assert types == ["case.routed.v1", "case.routed.v1", "whistle.issued.v1"]


async def test_triage_rejects_unknown_codes_and_cases_not_waiting(ctx):
    case_id = await route_request(ctx, request_submitted(LEAK))
    with pytest.raises(ValueError, match="sub_category"):
        await triage.decide(ctx, case_id, class_code="safety", sub_category="leak", actor=ActorInfo("staff", "op"))
    with pytest.raises(ValueError, match="class_code"):
        await triage.decide(ctx, case_id, class_code="weather", sub_category=None, actor=ActorInfo("staff", "op"))
    with pytest.raises(InvalidTransition, match="not waiting"):
        await triage.decide(ctx, case_id, class_code="dispute", sub_category="leak", actor=ActorInfo("staff", "op"))


async def test_without_a_model_unclear_text_waits_for_triage(ctx):
    case = await ctx.repo.get(await route_request(ctx, request_submitted(UNCLEAR)))
    assert case.needs_triage and case.suggestion is None and case.sla_policy == "standard"


async def test_the_domain_model_picks_departments_when_no_department_handles_the_category(ctx):
    ctx.model = FakeModel("发展诉求", 0.8)  # class only: no sub-category, so no `handles` match
    ctx.domain_model = FakeModel("商贸旅游", 0.9)
    case = await ctx.repo.get(await route_request(ctx, request_submitted(UNCLEAR)))
    assert (case.class_code, case.sub_category, case.domain) == ("development", None, "商贸旅游")
    assert case.departments == ["shangwu"]
    whistle = next(e for e in await published(ctx) if e.type == "whistle.issued.v1")
    assert whistle.data["category"]["domain"] == "商贸旅游"
