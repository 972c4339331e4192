"""A few demo reports in Xuzhou (徐州), the city of the first seed report."""

from __future__ import annotations

from typing import Any

# Points inside 鼓楼区, 云龙区 and 泉山区 (cities/xuzhou-demo/README.md); categories from its categories.tsv.
DEMO_REPORTS: list[dict[str, Any]] = [
    {
        "channel": "grid",
        "category_code": "01002",
        "description": "黄楼街道: 污水井盖破损, 行人有坠落风险",
        "location": {"lat": 34.2680, "lon": 117.1920},
        "external_id": "GRID-0001",
    },
    {
        "channel": "hotline",
        "category_code": "06010",
        "description": "12345 来电: 小区门口暴露垃圾多日未清运",
        "location": {"lat": 34.2561, "lon": 117.2290},
        "external_id": "12345-20261124-0001",
    },
    {
        "channel": "whistle",
        "category_code": "09001",
        "description": "社区吹哨: 菜场门口游商占道经营, 早高峰堵塞",
        "location": {"lat": 34.2300, "lon": 117.1650},
        "whistle": {"community_code": "320311008014", "summoned_departments": ["城管执法中队", "市场监管所"]},
        "external_id": "WHISTLE-0001",
    },
    {
        "channel": "grid",
        "category_code": "04002",
        "description": "行道树倒伏, 压住非机动车道",
        "location": {"lat": 34.2602, "lon": 117.2055},
        "external_id": "GRID-0002",
    },
    {
        "channel": "hotline",
        "category_code": "08001",
        "description": "12345 来电: 夜间施工噪声扰民",
        "location": {"lat": 34.2190, "lon": 117.1830},
        "external_id": "12345-20261124-0002",
    },
]
