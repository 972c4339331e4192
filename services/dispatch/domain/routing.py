"""Which unit answers for a category: a first, simple rule (the Dispatch issue adds jurisdiction).

The trades follow the "2+1+1+1" community stations: municipal works (市政), landscaping
(园林), sanitation (环卫), with enforcement (执法) for street order and construction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """责任单位: the unit that must dispose of a case."""

    code: str
    name: str


MUNICIPAL = Unit("municipal-works", "市政设施管理处")
TRAFFIC = Unit("traffic-facilities", "交通设施管理处")
SANITATION = Unit("sanitation", "环境卫生管理处")
LANDSCAPING = Unit("landscaping", "园林绿化管理处")
ENFORCEMENT = Unit("enforcement-brigade", "城管执法大队")

BY_CLASS: dict[str, Unit] = {
    "01": MUNICIPAL,  # 市政公用设施
    "02": TRAFFIC,  # 交通设施
    "03": SANITATION,  # 市容环卫设施
    "04": LANDSCAPING,  # 园林绿化设施
    "06": SANITATION,  # 市容环境类
    "07": ENFORCEMENT,  # 宣传广告类
    "08": ENFORCEMENT,  # 施工管理类
    "09": ENFORCEMENT,  # 街面秩序类
}
RULE = "category-class"


def responsible_unit(category_code: str) -> Unit:
    """By the category's two-digit class; what no trade owns goes to the enforcement brigade."""
    return BY_CLASS.get(category_code[:2], ENFORCEMENT)
