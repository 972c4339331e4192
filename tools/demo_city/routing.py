"""The demo city's routing table (派遣规则), written to `routing.yaml`: illustrative, not Xuzhou's real rules.

Rules by class (大类) with exact-code overrides where another trade does the work; a code's own rule
beats its class's. Time limits follow DOMAIN.md "Time limits": sign-for (签收) urgent 10 minutes, normal
30; confirmation (核实) and verification (核查) 1 hour in the city; disposal (处置) per item (exposed
garbage 4 working hours, illegal construction 15 working days, a lost sewage manhole cover 2 hours,
street lamps 1 working day) and 3 working days for the rest, like a complaint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cityconfig.catalogue import Category

Limits = dict[str, dict[str, str]]
"""urgency → stage → '<n> <unit>'."""

DEFAULTS: Limits = {
    "urgent": {"sign_for": "10 minutes", "confirmation": "1 hours", "disposal": "4 hours", "verification": "1 hours"},
    "normal": {
        "sign_for": "30 minutes",
        "confirmation": "1 hours",
        "disposal": "3 working_days",
        "verification": "1 hours",
    },
    "low": {
        "sign_for": "30 minutes",
        "confirmation": "1 hours",
        "disposal": "5 working_days",
        "verification": "1 hours",
    },
}


@dataclass(frozen=True)
class DemoRule:
    id: str
    description: str
    codes: str
    """Category codes and classes, space-separated."""
    lead: str
    level: str
    assist: tuple[str, ...] = ()
    direct_to_street: bool = False
    limits: Limits = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        return self.codes.split()


def _every_urgency(stage: str, limit: str) -> Limits:
    return {urgency: {stage: limit} for urgency in DEFAULTS}


RULES: tuple[DemoRule, ...] = (
    # 01 市政公用设施
    DemoRule(
        "municipal-facilities",
        "市政公用设施: the community station's municipal member (市政)",
        "01",
        "municipal",
        "community",
    ),
    DemoRule(
        "manhole-covers",
        "井盖 of other owners (power, telecom, gas, …): the station's municipal member makes it safe, calls the owner",
        "01005 01006 01007 01008 01009 01010 01011 01012 01014 01015 01017 01020 01021 01022 01023 01026",
        "municipal",
        "community",
        limits={"urgent": {"disposal": "2 hours"}, "normal": {"disposal": "1 working_days"}},
    ),
    DemoRule(
        "water-supply-drainage",
        "供水, 排水 and 污水: the district water bureau (水务), municipal works assisting",
        "01001 01002 01003 01004 01018 01019 01024 01025 01056 01063 01068 01072 01073 03011 03012",
        "water",
        "district",
        assist=("municipal",),
        limits={"urgent": {"disposal": "2 hours"}},  # a lost sewage manhole cover: 2 hours (DOMAIN.md)
    ),
    DemoRule(
        "flood-and-waterways",
        "防汛 and 河道: the district water bureau, enforcement assisting against encroachment and dumping",
        "01067 01069 01070 01071 02029 02030 06023 06024 06025 06026 06030 06046",
        "water",
        "district",
        assist=("enforcement",),
    ),
    DemoRule(
        "street-lamps",
        "路灯 and 景观灯: the district's municipal lamp crew",
        "01037 01038 01039 01060",
        "municipal",
        "district",
        limits={"normal": {"disposal": "1 working_days"}, "low": {"disposal": "1 working_days"}},
    ),
    DemoRule(
        "utility-networks",
        "电力, 燃气, 供热, 通信 networks: district municipal works, which calls the operator",
        "01028 01030 01047 01048 01049 01057 01061 01062 01074 10002",
        "municipal",
        "district",
    ),
    # 02 交通设施
    DemoRule(
        "roads-and-bridges",
        "交通设施 (bridges, underpasses, parking, stops): district municipal works",
        "02",
        "municipal",
        "district",
    ),
    DemoRule(
        "traffic-control",
        "交通信号, 标志标线, 护栏: the district traffic police brigade (公安交管)",
        "02010 02011 02014 02015 02016 02017 02018 02019 02020 02022 02023 02033 02043 06016",
        "traffic-police",
        "district",
        limits={"urgent": {"disposal": "2 hours"}},
    ),
    # 03 市容环卫设施
    DemoRule(
        "sanitation-facilities",
        "市容环卫设施: the community station's sanitation member (环卫)",
        "03",
        "sanitation",
        "community",
    ),
    DemoRule(
        "monitoring-stations",
        "监测站 and 显示屏: district municipal works, which calls the operator",
        "03009 03010 03013",
        "municipal",
        "district",
    ),
    # 04 园林绿化设施
    DemoRule(
        "landscaping",
        "园林绿化: the community station's landscaping member (园林)",
        "04",
        "landscaping",
        "community",
    ),
    DemoRule(
        "heritage-trees",
        "古树名木: the district landscaping bureau's specialists",
        "04001",
        "landscaping",
        "district",
    ),
    # 05 其他管理部件
    DemoRule("other-components", "其他管理部件: district municipal works", "05", "municipal", "district"),
    # 06 市容环境类
    DemoRule(
        "city-appearance",
        "市容环境: the community station's sanitation member (环卫)",
        "06",
        "sanitation",
        "community",
    ),
    DemoRule(
        "exposed-garbage",
        "暴露垃圾, 渣土, 满溢: the station's sanitation member within 4 working hours",
        "06010 06011 06042",
        "sanitation",
        "community",
        limits={"normal": {"disposal": "4 working_hours"}, "low": {"disposal": "4 working_hours"}},
    ),
    DemoRule(
        "appearance-order",
        "市容秩序 (shopfronts, hangings, smoke, noise, barbecues, locks): the station's enforcement officers (执法)",
        "06002 06003 06004 06005 06006 06007 06008 06009 06019 06020 06027 06028 06029 06038 06039 06040 06043 06044",
        "enforcement",
        "community",
    ),
    DemoRule(
        "road-surface",
        "道路, 台阶, 盲道 damage: the station's municipal member",
        "06013 06048 06049 06050 06051 06052",
        "municipal",
        "community",
    ),
    DemoRule(
        "green-space",
        "绿地 and 公园: the station's landscaping member",
        "06017 06018 06021 06047",
        "landscaping",
        "community",
    ),
    DemoRule(
        "green-space-offences",
        "非法伐树, 占绿毁绿: the station's landscaping member, enforcement assisting",
        "06022 06045",
        "landscaping",
        "community",
        assist=("enforcement",),
    ),
    DemoRule(
        "abandoned-vehicles",
        "废弃车辆: the station's enforcement officers, the traffic police assisting",
        "06034",
        "enforcement",
        "community",
        assist=("traffic-police",),
    ),
    DemoRule(
        "illegal-construction",
        "违法建设 (私搭乱建, 无证建设): straight to the street office (街乡镇直派), the street squad assisting",
        "06001 08016",
        "street-office",
        "street",
        assist=("enforcement",),
        direct_to_street=True,
        limits=_every_urgency("disposal", "15 working_days"),
    ),
    # 07 宣传广告类
    DemoRule(
        "advertising",
        "宣传广告, 户外广告, 牌匾: the station's enforcement officers",
        "07 03006 03007 03008",
        "enforcement",
        "community",
    ),
    # 08 施工管理类
    DemoRule(
        "construction-sites",
        "施工管理: the street's enforcement squad (城管执法中队)",
        "08",
        "enforcement",
        "street",
    ),
    DemoRule(
        "road-digging",
        "掘路 and damaged site exits: the street squad, municipal works assisting",
        "08003 08009",
        "enforcement",
        "street",
        assist=("municipal",),
    ),
    # 09 街面秩序类
    DemoRule("street-order", "街面秩序: the station's enforcement officers", "09", "enforcement", "community"),
    DemoRule(
        "markets-and-food",
        "市场, 餐饮, 出版物, 屠宰, 加油站: the district market regulator (市场监管), enforcement assisting",
        "09002 09008 09013 09015 09020 05003",
        "market",
        "district",
        assist=("enforcement",),
    ),
    DemoRule(
        "traffic-order",
        "机动车乱停, 消防通道, 违规上路: the traffic police brigade, enforcement assisting",
        "09009 09012 09014 09018",
        "traffic-police",
        "district",
        assist=("enforcement",),
        limits={"urgent": {"disposal": "1 hours"}},  # a blocked fire lane cannot wait half a day
    ),
    DemoRule(
        "vagrancy", "流浪乞讨: the street office, which calls the relief station", "09003", "street-office", "street"
    ),
    # 10 其他事项类
    DemoRule(
        "snow-and-ice",
        "道路积雪、结冰 and other matters: the station's sanitation member, municipal works assisting",
        "10",
        "sanitation",
        "community",
        assist=("municipal",),
    ),
)
HEADER = """\
# 派遣规则 of the demo city. ILLUSTRATIVE: which trade takes which category is this project's plausible
# choice, and the time limits are DOMAIN.md's examples from real rules; not Xuzhou's real table.
# Generated by tools/demo_city/generate.py; do not edit by hand (see README.md, "Units and routing").
#
# A rule takes codes (5 digits) or classes (2 digits); a code's own rule beats its class's.
# lead 主办, assist 协办, level: the unit level the rule routes at; direct_to_street 街乡镇直派.
# Limits per urgency and stage (sign_for 签收, confirmation 核实, disposal 处置, verification 核查):
# '<n> minutes|hours|working_hours|working_days'; a rule's limits override the defaults stage by stage.
"""


def write_routing(path: Path, categories: Mapping[str, Category]) -> None:
    """The routing table with each code's name beside it, so a reader needs no catalogue at hand."""
    classes = {category.major_code: category.major_name for category in categories.values()}
    lines = [HEADER.rstrip("\n"), "", "defaults:"]
    lines += [f"  {urgency}: {_flow(stages)}" for urgency, stages in DEFAULTS.items()]
    lines += ["", "rules:"]
    for rule in RULES:
        lines += [f"  - id: {rule.id}", f"    description: {_quoted(rule.description)}", "    categories:"]
        for code in rule.categories:
            name = categories[code].name if len(code) == 5 else f"{classes[code]} (the rest of the class)"
            lines.append(f"      - {_quoted(code)}  # {name}")
        lines += [f"    lead: {rule.lead}", f"    level: {rule.level}"]
        if rule.assist:
            lines.append(f"    assist: [{', '.join(rule.assist)}]")
        if rule.direct_to_street:
            lines.append("    direct_to_street: true")
        if rule.limits:
            lines.append("    limits:")
            lines += [f"      {urgency}: {_flow(stages)}" for urgency, stages in rule.limits.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _flow(stages: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{stage}: {limit}" for stage, limit in stages.items()) + "}"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
