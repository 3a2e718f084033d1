"""The upgrade application's rules (app.services.releases.application): which sections are
empty, the guard of `upgrade_requested`, the announcement drafted from the release and window,
and the Word files built from them."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document

from app.extensions import db
from app.models import ReleaseWindow, UpgradeApplication
from app.services import verification
from app.services.errors import Conflict
from app.services.releases import application, upgrade_documents

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def release(make_user):
    manager = make_user("app_manager", "manager", "445200")
    return verification.create_release(manager, {"version": "V2027.01", "name": "1月迭代", "domains": ["execution"]})


def test_empty_sections_in_order_and_blank_counts_as_empty():
    assert application.empty_sections(None) == list(application.SECTIONS)
    row = UpgradeApplication(**{key: "已填写" for key in application.SECTIONS})
    assert application.empty_sections(row) == []
    row.risks, row.contacts = "  \n ", ""
    assert application.empty_sections(row) == ["risks", "contacts"]


def test_require_complete_names_the_empty_sections(release):
    with pytest.raises(Conflict) as caught:
        application.require_complete(release)
    assert list(caught.value.errors) == list(application.SECTIONS)
    db.session.add(UpgradeApplication(release_id=release.id, **{key: "x" for key in application.SECTIONS},
                                      ))
    db.session.flush()
    application.require_complete(release)  # nothing raised
    application.stored(release).tracking = ""
    with pytest.raises(Conflict) as caught:
        application.require_complete(release)
    assert list(caught.value.errors) == ["tracking"] and "tracking" in caught.value.message


def test_draft_without_and_with_window(release):
    title, body = application.draft(release)
    assert title == "关于V2027.01迭代版本升级的公告" and "升级窗口待定" in body and "执行域" in body
    assert body.startswith("各市、县（区）财政局，各预算单位：")
    db.session.add(ReleaseWindow(release_id=release.id, starts_at=datetime(2027, 1, 9, 14, 0),
                                 ends_at=datetime(2027, 1, 9, 22, 0)))  # UTC: 22:00–06:00 Beijing time
    db.session.flush()
    _title, body = application.draft(release)
    assert "2027年1月9日 22:00至2027年1月10日 06:00" in body


def test_application_word_file_has_sections_in_order(release):
    app = application.application_of(release)
    app.sections.update(scope="全省生产环境", contacts="张工 13800000000")
    doc = Document(io.BytesIO(upgrade_documents.application_docx(app).getvalue()))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "关于V2027.01迭代版本升级的申请"
    headings = [t for t in texts if t.startswith("（") and t[1] in "一二三四五六七"]
    assert headings == ["（一）升级范围", "（二）风险分析", "（三）验证通过和失败准则", "（四）升级方法", "（五）回退方案",
                        "（六）问题跟踪", "（七）联系人"]
    assert "全省生产环境" in texts and "张工 13800000000" in texts and texts.count("（未填写）") == 5
    assert doc.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)  # A4


def test_announcement_word_file(release):
    view = application.announcement_of(release)
    doc = Document(io.BytesIO(upgrade_documents.announcement_docx(view).getvalue()))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == view.title and texts[1] == "各市、县（区）财政局，各预算单位："
    assert "特此公告。" in texts and "“数字财政”省运营中心" in texts
