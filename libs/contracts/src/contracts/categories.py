"""The published category list: classes and sub-categories with stable codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """A sub-category with its class; codes are stable, names are shown to people."""

    code: str
    name: str
    class_code: str
    description: str = ""


CLASSES: dict[str, str] = {
    "dispute": "矛盾纠纷",
    "safety": "安全隐患",
    "livelihood": "民生咨询",
    "development": "发展诉求",
}

CATEGORIES: tuple[Category, ...] = (
    Category("leak", "漏水", "dispute", "楼上漏水、管道渗漏影响邻里"),
    Category("noise", "噪音", "dispute", "装修、广场舞、夜间施工等噪音扰民"),
    Category("fumes", "油烟", "dispute", "餐饮油烟、烧烤烟气扰民"),
    Category("neighbour", "邻里纠纷", "dispute", "宠物、公共空间占用等邻里矛盾"),
    Category("family", "家庭矛盾", "dispute", "家庭纠纷、赡养抚养问题"),
    Category("property_mgmt", "物业纠纷", "dispute", "物业服务、收费、业委会问题"),
    Category("fire", "消防", "safety", "消防通道堵塞、消防设施损坏、电动车楼道充电"),
    Category("elevator", "电梯", "safety", "电梯故障、困人、年检过期"),
    Category("building", "房屋设施", "safety", "外墙脱落、危房、井盖缺失"),
    Category("fraud", "电诈", "safety", "电信网络诈骗、可疑来电"),
    Category("gas_power", "水电燃气", "safety", "停水停电、燃气泄漏"),
    Category("sanitation", "环境卫生", "livelihood", "垃圾堆放、清运不及时、卫生死角"),
    Category("parking", "占道停车", "livelihood", "乱停车、占用消防通道停车、僵尸车"),
    Category("greening", "绿化市政", "livelihood", "绿化、路灯、道路破损"),
    Category("policy", "政策咨询", "livelihood", "政策、办事流程咨询"),
    Category("social_security", "社保医保", "livelihood", "社保、医保、养老、低保"),
    Category("elderly_care", "养老服务", "livelihood", "助餐、居家养老、适老化改造"),
    Category("business_policy", "惠企政策", "development", "企业扶持政策咨询"),
    Category("licence", "证照办理", "development", "营业执照、许可证办理"),
    Category("permit", "审批许可", "development", "施工、经营审批"),
)

BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}


def category(code: str) -> Category:
    """Return the sub-category with this code; KeyError when unknown."""
    return BY_CODE[code]
