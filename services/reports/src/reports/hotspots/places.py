"""Places named in a request: masked city/district codes (A市, A3区, K9县) and named local places."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reports.hotspots.text import segmenter, stop_words, tokenizer, word_tags

# Levels from coarse to fine; a message's place is its finest one.
CITY, DISTRICT, TOWN, ROAD, COMMUNITY, COMPOUND = range(1, 7)
LEVEL_NAMES = {CITY: "city", DISTRICT: "district", TOWN: "town", ROAD: "road",
               COMMUNITY: "community", COMPOUND: "compound"}

MASKED = re.compile(r"(?P<letter>[A-Z])(?P<digits>\d{0,2}) ?(?P<kind>[市区县])[市区县]?|西地省")
_SUFFIXES = (
    (COMPOUND, r"小区|花园|花苑|家园|公寓|新村|华府|华庭|豪庭|山庄|公馆|大厦|苑|湾(?![区里])"
               # Institutions residents name as the place of a problem (a school's canteen, a hospital's fees).
               r"|[小中]学(?!生)|学校|学院(?![路生])|大学(?![生路])|幼儿园|医院|卫生院|公园|广场(?!舞)"
               r"|农贸市场|菜市场|批发市场|工业园|产业园|物流园"),
    (COMMUNITY, r"社区|村(?![民委里子庄级镇])"),
    (ROAD, r"大道|路(?![口段灯面况线费基边过人上政])|街(?![道头坊])|巷"),
    (TOWN, r"街道(?![办])|镇(?![政府上里内区])|乡(?![镇村下亲里])"),
)
_SUFFIX = re.compile("|".join(f"(?P<L{level}>{pattern})" for level, pattern in _SUFFIXES))
# Organisations a request can be about without naming a place (58车贷, 发吉房地产公司, 广铁集团).
ORGANISATION = 7
COMMON_NAME_FREQ = 100
_ORG_SUFFIX = re.compile(r"车贷|网贷|集团|公司|驾校|银行|酒店|超市|物业(?!费|管理|服务|公司)")
_NAME_TAGS = frozenset({None, "n", "ns", "nr", "nz", "nt", "nrt", "nrfg", "ng", "j", "a", "b", "x", "an", "s"})
_GENERIC = frozenset(
    "小区 社区 街道 业主 居民 村民 政府 部门 老旧 安置 商业 步行 农村 村级 城市 城乡 高速 国道 省道 县道 "
    "乡道 铁路 线路 公交 水泥 周边 附近 对面 旁边 门口 所在 整个 商品 保障 住宅 宿舍 物业 开发商 新建 原 "
    "现 该 本 贫困 美丽 城中 城郊 马 公 新 老 大 小 东 西 南 北 中 一 二 三 年 月 日 号 个 "
    "民营 民办 公办 公立 私立 本地 当地 全市 全县 全区 全省 乡镇 各级 附属 重点 普通 高等 定点 学校 "
    "就读于 这是 位于 地处 坐落于 属于 来自 "
    # Request verbs jieba tags as nouns or adjectives (请求整治魅力之城小区 is about 魅力之城小区).
    "整治 规范 建议 落实 监管 规划 整改 督办 治理 "
    "家里 村里 城里 市里 县里 楼下 楼上 门前 屋里 山里 乡下 小孩 孩子 子女 各 热门 人员 单元".split()
)
_MAX_NAME = 8
# A name whose last character makes a common word with the suffix (年农 + 村) is a common word, not a place.
_COMMON_ENDINGS = frozenset("农村 乡村 山村 城乡 城镇 乡镇 村镇 马路 公路 道路 铁路 网路 线路 大街 老街 思路".split())
_DIRECTIONS = frozenset("东西南北中里")


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place found in a text, with its level and character span."""

    name: str
    level: int
    start: int
    end: int


def _name_before(text: str, start: int, floor: int, *, alphanumeric: bool = False) -> str:
    """The proper name just before a place suffix, trimmed of verbs, particles and generic words.

    With `alphanumeric`, letters and digits may be part of it (58车贷).
    """
    context = text[max(floor, start - _MAX_NAME - 2):start]
    tags, stops, size = word_tags(), stop_words(), 0
    parts: list[str] = []
    for token in reversed(list(segmenter()(context))):
        if not parts and token in _DIRECTIONS:
            parts.append(token)  # 人民东路, 幸福里: a direction right before the suffix is part of the name
            size += 1
            continue
        if token == "之" and parts:
            parts.append(token)  # 魅力之城: 之 joins a proper name
            size += 1
            continue
        if alphanumeric and not parts and re.fullmatch(r"[0-9A-Za-z]+", token):
            parts.append(token)
            size += len(token)
            continue
        if not re.fullmatch(r"[\u4e00-\u9fff]+", token) or token in _GENERIC or size + len(token) > _MAX_NAME:
            break
        # A verb is a name only right before a direction: 解放西路, 劳动东路.
        named = tags.get(token) in _NAME_TAGS or (len(parts) == 1 and parts[0] in _DIRECTIONS
                                                  and tags.get(token) in ("v", "vn") and token not in stops)
        if not named or (token in stops and tags.get(token) != "n"):
            break
        parts.append(token)
        size += len(token)
    if parts and parts[-1][0] in "期栋幢号" and not tokenizer().FREQ.get(parts[-1]):
        parts[-1] = parts[-1][1:]  # left by a number jieba split off: 6期兴龙 → 兴龙, 5栋楼 → 楼
    return "".join(reversed(parts)).lstrip("之")


def masked_places(text: str) -> list[PlaceMention]:
    """Masked administrative codes: `A市` is a city, `A3区`/`K9县`/`B9市` a district (county)."""
    found = []
    for m in MASKED.finditer(text):
        if m.group(0) == "西地省":
            continue
        if m.group("digits") or m.group("kind") != "市":
            name, level = f"{m.group('letter')}{m.group('digits')}{m.group('kind')}", DISTRICT
        else:
            name, level = f"{m.group('letter')}市", CITY
        found.append(PlaceMention(name, level, m.start(), m.end()))
    return found


def named_places(text: str) -> list[PlaceMention]:
    """Named towns, roads, communities and compounds (魏家坡小区, 潇楚南路, 泉塘街道)."""
    found: list[PlaceMention] = []
    floor = 0
    for m in _SUFFIX.finditer(text):
        name = _name_before(text, m.start(), floor)
        if len(name) >= 2 and name[-1] + m.group(0) not in _COMMON_ENDINGS:
            level = int((m.lastgroup or "L0")[1:])
            found.append(PlaceMention(name + m.group(0), level, m.start() - len(name), m.end()))
            floor = m.end()
        elif m.lastgroup in (f"L{ROAD}", f"L{TOWN}"):
            floor = m.end()  # a road without a name still ends the next name: 劳动东路魅力之城小区
    return found


def named_organisations(text: str) -> list[PlaceMention]:
    """Named companies, platforms, banks and the like (金盛车贷, 发吉房地产公司), at level ORGANISATION."""
    found = []
    for m in _ORG_SUFFIX.finditer(text):
        name = _name_before(text, m.start(), 0, alphanumeric=True)
        if len(name) >= 2 and not _common_word(name):
            found.append(PlaceMention(name + m.group(0), ORGANISATION, m.start() - len(name), m.end()))
    return found


def _common_word(name: str) -> bool:
    """A name that is one common dictionary word (物流公司, 房地产公司) names a kind, not an organisation."""
    return tokenizer().FREQ.get(name, 0) >= COMMON_NAME_FREQ


def city_of(district: str) -> str:
    """The city a masked district code belongs to (A3区 → A市)."""
    return f"{district[0]}市"
