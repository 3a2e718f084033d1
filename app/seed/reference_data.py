"""Reference data: regions (GB/T 2260 codes) and the coded lists, loaded idempotently."""
from __future__ import annotations

from app.extensions import db
from app.services import reference

PROVINCE = ("440000", "广东省")

# Guangdong's 21 prefecture-level cities.
CITIES = [
    ("440100", "广州市"), ("440200", "韶关市"), ("440300", "深圳市"), ("440400", "珠海市"),
    ("440500", "汕头市"), ("440600", "佛山市"), ("440700", "江门市"), ("440800", "湛江市"),
    ("440900", "茂名市"), ("441200", "肇庆市"), ("441300", "惠州市"), ("441400", "梅州市"),
    ("441500", "汕尾市"), ("441600", "河源市"), ("441700", "阳江市"), ("441800", "清远市"),
    ("441900", "东莞市"), ("442000", "中山市"), ("445100", "潮州市"), ("445200", "揭阳市"),
    ("445300", "云浮市"),
]

# A few counties, districts and parks (parks have no official code: ours end in Y + number).
COUNTIES = [
    ("440103", "荔湾区", "440100", "county"),
    ("440104", "越秀区", "440100", "county"),
    ("440106", "天河区", "440100", "county"),
    ("441302", "惠城区", "441300", "county"),
    ("441322", "博罗县", "441300", "county"),
    ("445202", "榕城区", "445200", "county"),
    ("445203", "揭东区", "445200", "county"),
    ("445222", "揭西县", "445200", "county"),
    ("445224", "惠来县", "445200", "county"),
    ("445281", "普宁市", "445200", "county"),
    ("445200Y01", "揭阳产业转移工业园", "445200", "park"),
    ("441300Y01", "惠州大亚湾经济技术开发区", "441300", "park"),
]

LOOKUPS = {
    "domain": [
        ("budget", "预算域", "Budget"),
        ("execution", "执行域", "Execution"),
        ("accounting", "核算域", "Accounting"),
        ("business_platform", "业务中台", "Business platform"),
        ("tech_platform", "技术中台", "Technical platform"),
        ("portal", "统一门户", "Unified portal"),
        ("data_hub", "数据中枢", "Data hub"),
        ("master_data", "主数据管理", "Master data management"),
    ],
    "type": [
        ("functional", "功能性需求", "Functional"),
        ("optimization", "优化需求", "Optimisation"),
        ("defect", "缺陷", "Defect"),
        ("portal_integration", "门户集成", "Portal integration"),
        ("data_hub_interface", "数据中枢接口", "Data hub interface"),
        ("report", "报表需求", "Report"),
    ],
    "channel": [
        ("ops_platform", "智能运维平台", "Ops platform ticket"),
        ("phone", "电话", "Phone"),
        ("yuezhengyi", "粤政易", "Yuezhengyi"),
        ("onsite", "现场", "On site"),
        ("tapd", "TAPD", "TAPD"),
    ],
    "priority": [
        ("urgent", "紧急", "Urgent"),
        ("high", "高", "High"),
        ("medium", "中", "Medium"),
        ("low", "低", "Low"),
    ],
}


def load() -> dict[str, int]:
    """Create what is missing; existing rows (and admins' label edits) are left alone."""
    before_regions = len(reference.regions())
    if reference.region_by_code(PROVINCE[0]) is None:
        reference.upsert_region(*PROVINCE, parent_code=None)
    for code, name in CITIES:
        if reference.region_by_code(code) is None:
            reference.upsert_region(code, name, PROVINCE[0], "city")
    for code, name, parent, level in COUNTIES:
        if reference.region_by_code(code) is None:
            reference.upsert_region(code, name, parent, level)
    added_lookups = 0
    for kind, rows in LOOKUPS.items():
        for order, (code, label, label_en) in enumerate(rows):
            existing = {r.code for r in reference.lookups(kind, include_inactive=True)}
            if code not in existing:
                reference.upsert_lookup(kind, code, label, label_en, order)
                added_lookups += 1
    db.session.commit()
    return {"regions": len(reference.regions()) - before_regions, "lookups": added_lookups}
