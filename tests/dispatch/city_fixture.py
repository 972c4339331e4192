"""A small routing setup over the demo city's jurisdictions, written out as a city folder.

鼓楼区 320302 has every trade; 黄楼街道 320302001 has a street squad and office; 万通社区
320302001002 has a station with a municipal and a sanitation member. The other districts have
municipal works, sanitation, water, and one street's squad and office each (子房 320303002, 王陵
320311001), as the city check wants a unit of each rule's lead trade in every district; enforcement
cases elsewhere there, as in 彭城街道 320303001, are unroutable.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cityconfig import DEFAULT_CITY, City, load_city

STREET = "320302001"
COMMUNITY = "320302001002"
GRID = "320302001002001"
OTHER_COMMUNITY = "320302001003"
OTHER_DISTRICT_GRID = "320303001001001"

UNITS = """
trades:
  municipal: 市政
  water: 水务
  sanitation: 环卫
  enforcement: 城管执法
  street-office: 街道办事处
units:
  - {id: dt-320302-municipal, name: 鼓楼区市政设施管理处, trade: municipal, level: district, covers: ["320302"]}
  - {id: dt-320303-municipal, name: 云龙区市政设施管理处, trade: municipal, level: district, covers: ["320303"]}
  - {id: dt-320311-municipal, name: 泉山区市政设施管理处, trade: municipal, level: district, covers: ["320311"]}
  - {id: dt-all-sanitation, name: 环境卫生管理处, trade: sanitation, level: district,
     covers: ["320302", "320303", "320311"]}
  - {id: dt-320302-water, name: 鼓楼区水务局, trade: water, level: district, covers: ["320302"]}
  - {id: dt-320303-water, name: 云龙区水务局, trade: water, level: district, covers: ["320303"]}
  - {id: dt-320311-water, name: 泉山区水务局, trade: water, level: district, covers: ["320311"]}
  - {id: st-320302001-enforcement, name: 黄楼街道城管执法中队, trade: enforcement, level: street, covers: ["320302001"]}
  - {id: st-320302002-enforcement, name: 丰财街道城管执法中队, trade: enforcement, level: street, covers: ["320302002"]}
  - {id: st-320302001-office, name: 黄楼街道办事处, trade: street-office, level: street, covers: ["320302001"]}
  - {id: st-320303002-enforcement, name: 子房街道城管执法中队, trade: enforcement, level: street, covers: ["320303002"]}
  - {id: st-320303002-office, name: 子房街道办事处, trade: street-office, level: street, covers: ["320303002"]}
  - {id: st-320311001-enforcement, name: 王陵街道城管执法中队, trade: enforcement, level: street, covers: ["320311001"]}
  - {id: st-320311001-office, name: 王陵街道办事处, trade: street-office, level: street, covers: ["320311001"]}
  - {id: cm-320302001002-municipal, name: 万通社区工作站·市政, trade: municipal, level: community,
     covers: ["320302001002"]}
  - {id: cm-320302001002-sanitation, name: 万通社区工作站·环卫, trade: sanitation, level: community,
     covers: ["320302001002"]}
"""

ROUTING = """
defaults:
  urgent: {sign_for: 10 minutes, confirmation: 1 hours, disposal: 2 hours, verification: 1 hours}
  normal: {sign_for: 30 minutes, confirmation: 1 hours, disposal: 48 hours, verification: 1 hours}
  low: {sign_for: 2 hours, disposal: 10 hours}
rules:
  - id: municipal
    description: 市政公用设施
    categories: ["01"]
    lead: municipal
    level: community
  - id: water-covers
    description: 供水、污水井盖
    categories: ["01001", "01002"]
    lead: water
    assist: [municipal]
    level: district
  - id: sanitation
    description: 市容环境
    categories: ["03", "06"]
    lead: sanitation
    level: community
    limits:
      normal: {disposal: 4 hours}
  - id: illegal-construction
    description: 私搭乱建 (街乡镇直派)
    categories: ["06001"]
    lead: street-office
    assist: [enforcement]
    level: street
    direct_to_street: true
  - id: enforcement
    description: 街面秩序和其他
    categories: ["02", "04", "05", "07", "08", "09", "10"]
    lead: enforcement
    level: street
"""


def write_city(folder: Path, units: str = UNITS, routing: str = ROUTING) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("jurisdictions.geojson", "categories.tsv", "city.toml"):
        shutil.copy(DEFAULT_CITY / name, folder / name)
    (folder / "units.yaml").write_text(units, encoding="utf-8")
    (folder / "routing.yaml").write_text(routing, encoding="utf-8")
    return folder


def routing_city(folder: Path) -> City:
    return load_city(write_city(folder))
