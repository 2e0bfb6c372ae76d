"""Keyword rules: the first classifier, deciding the sub-category when the text names it plainly."""

from __future__ import annotations

from contracts.categories import BY_CODE

# Sub-category code → words that name it. Longer, more specific words weigh more (see `score`).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "leak": ("漏水", "渗水", "渗漏", "水管爆", "爆管", "滴水", "往下滴", "天花板湿", "墙面发霉", "防水"),
    "noise": ("噪音", "吵", "扰民", "广场舞", "装修声", "电钻", "半夜施工", "夜间施工", "喇叭", "跺脚"),
    "fumes": ("油烟", "烧烤", "烟熏", "排烟", "呛人", "炒菜味"),
    "neighbour": ("邻居", "邻里", "狗", "宠物", "遛狗", "堆放杂物", "占用公共", "楼道堆物", "种菜"),
    "family": ("家暴", "家庭矛盾", "夫妻", "赡养", "抚养", "离婚", "儿女不管", "婆媳"),
    "property_mgmt": ("物业费", "物业不管", "物业服务", "业委会", "物业公司", "维修基金", "保安"),
    "fire": ("消防", "灭火器", "消防栓", "着火", "起火", "火灾", "电动车充电", "飞线充电", "楼道充电", "烟雾报警"),
    "elevator": ("电梯", "困人", "关在电梯", "年检"),
    "building": ("外墙", "墙皮脱落", "脱落", "危房", "裂缝", "井盖", "坍塌", "空鼓", "掉下来"),
    "fraud": ("诈骗", "电诈", "骗子", "可疑电话", "冒充", "刷单", "转账", "投资理财群"),
    "gas_power": ("停电", "停水", "燃气", "煤气", "天然气", "漏气", "跳闸", "电线老化", "电表", "水压"),
    "sanitation": ("垃圾", "清运", "卫生", "臭", "老鼠", "蟑螂", "污水", "化粪池", "堵塞", "下水道"),
    "parking": ("停车", "占道", "车位", "僵尸车", "乱停", "挡住", "堵车"),
    "greening": ("路灯", "绿化", "树枝", "修剪", "道路破损", "坑洼", "草坪", "树木"),
    "policy": ("政策", "咨询", "怎么办理", "流程", "需要什么材料", "居住证", "户口", "入学"),
    "social_security": ("社保", "医保", "养老金", "低保", "退休", "报销", "参保", "残疾补贴"),
    "elderly_care": ("老人", "助餐", "养老服务", "适老化", "独居", "居家养老", "老年食堂", "扶手"),
    "business_policy": ("企业", "补贴申请", "扶持", "惠企", "小微", "贷款贴息", "创业"),
    "licence": ("营业执照", "许可证", "执照", "办证", "食品经营许可"),
    "permit": ("审批", "施工许可", "开工", "报建", "占道经营许可"),
}

def score(text: str, words: tuple[str, ...]) -> tuple[int, list[str]]:
    """Sum of the lengths of the words found in the text (longer words are more specific)."""
    found = [w for w in words if w in text]
    return sum(len(w) for w in found), found


def match_keywords(text: str, class_code: str | None = None) -> tuple[str, list[str]] | None:
    """The best sub-category for the text (optionally within one class) and the words that decided it."""
    best: tuple[int, str, list[str]] | None = None
    for code, words in KEYWORDS.items():
        if class_code and BY_CODE[code].class_code != class_code:
            continue
        points, found = score(text, words)
        if points and (best is None or points > best[0]):
            best = (points, code, found)
    return (best[1], best[2]) if best else None
