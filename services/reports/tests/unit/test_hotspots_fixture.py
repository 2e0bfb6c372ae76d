"""The hot-issue fixture and its generator: 60 days of varied requests in a fictional city with a planted
burst (12 elevator failures in 魏家坡小区 in the last 3 days) and a spread issue (6 requests about shared
bikes in six places of A5区 and A3区, days 40-44). Text written for the project. Regenerate with
`python services/reports/tests/unit/test_hotspots_fixture.py`."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).parent.parent / "fixtures" / "hotspots_city.jsonl"
START = datetime(2019, 3, 1, 8, 0, 0)
DAYS = 60

PLACES = {
    "A3区": ["魏家坡小区", "桂花园小区", "翠湖花苑", "潇楚南路", "枫林新村"],
    "A5区": ["金色家园", "幸福里小区", "锦绣华庭", "人民东路", "东塘社区"],
    "A7县": ["阳光新村", "星沙镇板桥小区", "湘龙社区", "开元东路", "松雅湖花园"],
    "A2区": ["书院路", "南湖社区", "天心阁小区", "劳动西路", "白沙家园"],
}

# Each topic: title templates ({p} is the place), and body sentences to combine.
TOPICS = {
    "噪音": (["{p}夜间施工噪音扰民", "投诉{p}附近工地半夜施工", "{p}广场舞音响太吵"],
             ["每天晚上十一点以后还在施工，机器轰鸣。", "家里老人和小孩根本睡不着觉。", "打过环保热线，没有人来处理。",
              "音响声音开得很大，一直持续到晚上十点。", "希望城管部门依法查处夜间违规施工。"]),
    "漏水": (["{p}楼上漏水多次协商无果", "{p}顶楼屋面渗水", "{p}地下管道破裂漏水"],
             ["卫生间天花板一直往下滴水，墙面发霉。", "找物业协调了好几次，楼上住户不配合。", "下雨天屋顶渗水，家具都泡坏了。",
              "小区主管道破裂，路面积水成片。", "希望尽快安排维修，避免损失扩大。"]),
    "停车": (["{p}车辆乱停乱放堵塞消防通道", "{p}停车位不够", "{p}地下车库收费过高"],
             ["晚上车辆停满消防通道，救护车进不来。", "小区车位少，业主只能停在路边。", "车库月租涨到四百元，业主难以接受。",
              "物业不管理，外来车辆随意进出。", "请求交警部门加强巡查。"]),
    "垃圾": (["{p}垃圾清运不及时", "{p}垃圾站臭气熏天", "{p}建筑垃圾乱堆乱放"],
             ["垃圾桶满了好几天没人清运，苍蝇很多。", "夏天气味难闻，窗户都不敢开。", "装修垃圾堆在楼道口，影响通行。",
              "环卫工人很少来，清运车只来一次。", "请求环卫部门增加清运次数。"]),
    "路灯": (["{p}路灯不亮", "{p}路灯损坏多月无人修", "请求在{p}增设路灯"],
             ["晚上一片漆黑，居民出行很不安全。", "已经坏了两个多月，一直没有人来修。", "老人晚上散步摔倒过好几次。",
              "这段路没有照明，经常发生抢包事件。", "希望路灯管理部门尽快维修。"]),
    "物业费": (["{p}物业乱涨物业费", "{p}物业服务差还涨价", "质疑{p}物业收费标准"],
               ["物业费从一块二涨到一块八，没有召开业主大会。", "保洁和保安都不到位，服务质量很差。", "收费标准不公示，账目不透明。",
                "业委会和物业说法不一致。", "请求住建部门核查收费依据。"]),
    "油烟": (["{p}餐馆油烟扰民", "{p}烧烤摊油烟直排", "{p}临街门面油烟污染"],
             ["楼下餐馆油烟直接排到居民窗口。", "烧烤摊每天营业到凌晨，烟雾很大。", "没有安装油烟净化设备。",
              "家里衣服都不敢晾在外面。", "请求环保部门督促整改。"]),
    "宠物": (["{p}遛狗不牵绳", "{p}流浪狗伤人", "{p}犬只扰民"],
             ["很多业主遛狗不拴绳，小孩被吓哭。", "流浪狗成群，上周咬伤了一位老人。", "狗叫声整夜不停。",
              "草坪上到处是狗粪，没人清理。", "希望相关部门加强犬只管理。"]),
    "绿化": (["{p}绿化带被毁", "{p}树木遮挡采光", "{p}绿地被改成停车场"],
             ["小区绿化带被人挖掉种菜。", "楼前的大树长得太高，一楼常年见不到阳光。", "规划中的绿地被物业改成了收费停车场。",
              "多次反映给物业，一直没有答复。", "请求园林部门到现场查看。"]),
    "学位": (["{p}适龄儿童入学难", "咨询{p}学区划分", "{p}幼儿园收费过高"],
             ["小区业主的孩子被划到很远的学校。", "想咨询今年的学区划分政策。", "私立幼儿园每月收费三千多元。",
              "附近公办幼儿园学位不够。", "希望教育局合理安排学位。"]),
    "公交": (["{p}公交站太远", "请求在{p}增设公交站", "{p}公交车班次太少"],
             ["最近的公交站要走二十分钟。", "早高峰等车要半个小时。", "老人孩子出行很不方便。",
              "请求公交公司调整线路。", "希望能在小区门口设一个站点。"]),
    "电梯": (["{p}电梯老化", "{p}电梯年检过期", "咨询{p}老旧小区加装电梯政策"],
             ["电梯用了十几年，经常有异响。", "电梯里的年检合格证已经过期。", "想了解老旧小区加装电梯的补贴政策。",
              "物业说维修资金不够。", "希望质监部门检查一下。"]),
    "违建": (["{p}顶楼违章搭建", "举报{p}一楼私自扩建", "{p}违建侵占公共区域"],
             ["顶楼住户搭建了阳光房，存在安全隐患。", "一楼住户把花园围起来扩建成房间。", "公共楼道被堆放杂物并加装铁门。",
              "向城管举报后没有下文。", "请求执法部门依法拆除。"]),
    "供水": (["{p}停水不通知", "{p}自来水发黄", "{p}水压太低"],
             ["没有任何通知就停水一整天。", "早上放出来的自来水是黄色的。", "六楼以上水压不够，热水器打不着火。",
              "打供水公司电话一直占线。", "希望供水公司给个说法。"]),
    "社保": (["咨询{p}医保报销比例", "{p}社保卡办理咨询", "{p}退休人员养老金咨询"],
             ["想咨询在社区医院看病的报销比例。", "社保卡丢失后补办需要哪些材料。", "退休后养老金一直没有到账。",
              "社区工作人员说不清楚。", "请相关部门予以答复。"]),
    "快递": (["{p}快递柜收费", "{p}快递乱堆放", "{p}快递员态度差"],
             ["快递柜超过十二小时就收费。", "快递堆在小区门口，经常丢件。", "快递员不送货上门，直接放门卫。",
              "投诉到快递公司没有回应。", "希望邮政管理部门规范。"]),
}

BURST = [
    ("A3区魏家坡小区电梯又坏了", "魏家坡小区3栋的电梯今天早上又停运了，这个月已经是第三次故障，楼上老人下不了楼。"),
    ("魏家坡小区电梯故障困人", "昨晚八点魏家坡小区5栋电梯突然停在两层之间，困了一家三口四十分钟，物业维修人员迟迟不到。"),
    ("反映魏家坡小区电梯频繁故障", "A3区魏家坡小区的电梯最近频繁故障，按了楼层不动，门也关不上，请求质监部门检查。"),
    ("魏家坡小区电梯停运三天无人维修", "魏家坡小区2栋电梯停运三天了，物业说在等配件，住在十八楼的孕妇只能爬楼梯。"),
    ("投诉魏家坡小区物业不修电梯", "魏家坡小区电梯坏了一周，物业推说维保公司的责任，业主每天爬楼，请求相关部门督促维修。"),
    ("A3区魏家坡小区电梯安全隐患", "魏家坡小区电梯运行时剧烈抖动，还有异响，今天又出现故障停梯，担心发生坠梯事故。"),
    ("魏家坡小区电梯坏了老人下不了楼", "我家住魏家坡小区7栋十五楼，电梯故障后八十岁的母亲已经三天没有下楼，希望尽快修好。"),
    ("请求检修魏家坡小区电梯", "魏家坡小区的几部电梯同时出现故障，有的停运有的门关不严，请质监站派人来检修。"),
    ("魏家坡小区电梯维保不到位", "魏家坡小区的电梯维保记录造假，维保人员从不来检查，这几天电梯接连故障停运。"),
    ("魏家坡小区电梯故障频发", "这个星期魏家坡小区1栋电梯故障四次，今天上午又把业主困在里面，报警后消防才来救人。"),
    ("魏家坡小区业主被困电梯", "今天中午魏家坡小区6栋电梯突然下坠后停住，两名业主被困，电梯故障问题一直没人管。"),
    ("A3区魏家坡小区电梯急需大修", "魏家坡小区电梯已经用了十五年，最近天天故障，物业说要用维修基金大修，请求尽快启动。"),
]

SPREAD = [
    ("A5区金色家园门口共享单车乱停放", "A5区金色家园门口的共享单车乱停放，把人行道全部堵住了，行人只能走机动车道。"),
    ("幸福里小区周边共享单车堵塞人行道", "幸福里小区周边的人行道上堆满共享单车，推婴儿车根本过不去，请求清理共享单车。"),
    ("人民东路共享单车乱停乱放", "A5区人民东路公交站旁边共享单车乱停乱放，堵塞人行道，希望城管督促单车企业清理。"),
    ("锦绣华庭旁共享单车占道", "锦绣华庭旁边的人行道被共享单车占满，老人出门很不方便，请求规范共享单车停放。"),
    ("A3区桂花园小区门口共享单车成堆", "A3区桂花园小区门口的共享单车成堆乱放，堵住了人行道和盲道，请求清理共享单车。"),
    ("翠湖花苑外共享单车乱停", "翠湖花苑外面人行道上共享单车乱停乱放，晚上经常有人被绊倒，希望单车企业及时清理。"),
]


def _background(rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    topics = sorted(TOPICS)
    for day in range(DAYS):
        for _ in range(rng.randint(3, 7)):
            district = rng.choice(sorted(PLACES))
            place = rng.choice(PLACES[district])
            titles, sentences = TOPICS[rng.choice(topics)]
            where = f"{district}{place}" if rng.random() < 0.5 else place
            body = "".join(rng.sample(sentences, rng.randint(2, 4)))
            moment = START + timedelta(days=day, minutes=rng.randint(0, 14 * 60))
            rows.append({"title": rng.choice(titles).format(p=where), "body": f"我是{where}的居民。{body}", "time": moment})
    return rows


def build() -> list[dict[str, str]]:
    """All rows of the fixture, time-ordered, with ids bg-*, burst-* and spread-*."""
    rng = random.Random(20190430)
    rows: list[dict[str, Any]] = [dict(r, id=f"bg-{i:04d}") for i, r in enumerate(_background(rng), start=1)]
    burst_start = START + timedelta(days=DAYS - 3)
    for i, (title, body) in enumerate(BURST, start=1):
        moment = burst_start + timedelta(hours=6 * i, minutes=rng.randint(0, 59))
        rows.append({"id": f"burst-{i:02d}", "title": title, "body": body, "time": moment})
    for i, (title, body) in enumerate(SPREAD, start=1):
        moment = START + timedelta(days=40 + (i - 1) * 0.8, hours=2)
        rows.append({"id": f"spread-{i:02d}", "title": title, "body": body, "time": moment})
    rows.sort(key=lambda r: (r["time"], r["id"]))
    keys = ("id", "title", "body", "time")
    return [{k: r[k] if k != "time" else r[k].strftime("%Y-%m-%d %H:%M:%S") for k in keys} for r in rows]


def render() -> str:
    """The fixture file's text."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in build())


def test_the_committed_fixture_is_what_the_generator_writes() -> None:
    assert FIXTURE.read_text(encoding="utf-8") == render()


def test_the_fixture_holds_background_burst_and_spread_requests() -> None:
    ids = [r["id"] for r in build()]
    assert len(ids) == len(set(ids))
    assert sum(i.startswith("burst-") for i in ids) == len(BURST) == 12
    assert sum(i.startswith("spread-") for i in ids) == len(SPREAD) == 6
    assert sum(i.startswith("bg-") for i in ids) > 200


if __name__ == "__main__":
    FIXTURE.write_text(render(), encoding="utf-8")
