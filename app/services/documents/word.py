"""The official layout of Word documents (minutes, reports): A4 with the usual margins, a centred
方正小标宋 title, 黑体 headings, 仿宋 三号 body, grid tables in 小四, and "— 1 —" page numbers."""
from __future__ import annotations

import io

from app.utils import safe_text  # text stored before input was checked still renders

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
BODY_SIZE = 16  # 三号
TABLE_SIZE = 12  # 小四
TITLE_SIZE = 22  # 二号
TEXT_WIDTH_CM = 15.6  # A4 less the margins below


def cn_date(value) -> str:
    """2027年3月31日 (official documents do not zero-pad)."""
    return f"{value.year}年{value.month}月{value.day}日"


def finance_bureau(region) -> str:
    """The finance department of a region: 广东省财政厅, 揭阳市财政局, 榕城区财政局."""
    return f"{region.name}财政厅" if region.level == "province" else f"{region.name}财政局"


def new_document():
    """An empty A4 document with the official margins, body font and page numbers."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.styles["Normal"].font.name = BODY_FONT
    page_number_footer(section)
    return doc


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def font(run, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def para(doc, text: str = "", *, font_name=BODY_FONT, size=BODY_SIZE, bold=False, align=None, indent=True):
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(4)
    fmt.line_spacing = 1.4
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        font(paragraph.add_run(safe_text(text)), font_name, size, bold)
    return paragraph


def title(doc, text: str):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return para(doc, text, font_name=TITLE_FONT, size=TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False)


def heading(doc, text: str):
    return para(doc, text, font_name=HEADING_FONT, size=BODY_SIZE)


def labelled(doc, label: str, value: str):
    paragraph = para(doc)
    font(paragraph.add_run(label), BODY_FONT, BODY_SIZE, bold=True)
    font(paragraph.add_run(safe_text(value)), BODY_FONT, BODY_SIZE)
    return paragraph


def cell(cell_, text: str, bold: bool = False, size: float = TABLE_SIZE) -> None:
    cell_.text = ""
    paragraph = cell_.paragraphs[0]
    font(paragraph.add_run(safe_text(text)), BODY_FONT if not bold else HEADING_FONT, size, bold)


def table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float] | None = None,
          nowrap: tuple[int, ...] = ()):
    """A grid table of fixed column widths (even ones if not given); the `nowrap` columns keep
    their text on one line."""
    from docx.oxml import OxmlElement
    from docx.shared import Cm

    widths_cm = widths_cm or [TEXT_WIDTH_CM / len(header)] * len(header)
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.autofit = False
    for index, text in enumerate(header):
        cell(grid.rows[0].cells[index], text, bold=True)
    for row in rows:
        cells = grid.add_row().cells
        for index, text in enumerate(row):
            cell(cells[index], str(text))
    for index, width in enumerate(widths_cm):
        grid.columns[index].width = Cm(width)
    for row in grid.rows:
        for index, width in enumerate(widths_cm):
            cell_ = row.cells[index]
            cell_.width = Cm(width)
            if index in nowrap:
                cell_._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
    return grid


def page_number_footer(section) -> None:
    """"— 1 —" centred in the footer: a PAGE field Word fills in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(paragraph.add_run("— "), "宋体", 14)
    run = paragraph.add_run()
    font(run, "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)
    font(paragraph.add_run(" —"), "宋体", 14)
