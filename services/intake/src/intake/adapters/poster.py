"""QR codes (segno) and the printable A4 poster (reportlab with a CJK font found at run time)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT_NAME = "WhistleCJK"


class FontMissing(RuntimeError):
    """No Chinese font is installed, so the poster cannot be drawn."""


def qr_svg(url: str) -> bytes:
    """The URL as an SVG QR code (error correction M)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, title="扫码上报诉求")
    return out.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    """The URL as a PNG QR code."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def find_cjk_font() -> Path:
    """A font with Chinese glyphs: known paths first, then fontconfig; FontMissing when none."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("fc-list"):
        # fc-list filters by coverage; fc-match would fall back to a Latin font (DejaVu) and draw empty boxes.
        listed = subprocess.run(["fc-list", "-f", "%{file}\n", ":lang=zh-cn"], capture_output=True, text=True,
                                timeout=5, check=False).stdout.split("\n")
        for found in sorted(f.strip() for f in listed if f.strip().endswith((".ttf", ".ttc"))):
            if Path(found).is_file():
                return Path(found)
    raise FontMissing("未找到中文字体：请安装 fonts-wqy-microhei（apt-get install -y fonts-wqy-microhei）")


def _register_font() -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(find_cjk_font()), subfontIndex=0))
    return FONT_NAME


def poster_pdf(*, compound_name: str, community_name: str, url: str, hours_line: str) -> bytes:
    """An A4 poster: title, compound, the QR code, the service-hours line and how it works."""
    font = _register_font()
    out = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{compound_name} 扫码上报诉求")
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 110, "有事您吹哨 · 扫码来报到")
    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, height - 160, f"{community_name} · {compound_name}")
    size = 330
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(url, scale=12))), (width - size) / 2, height - 190 - size,
                  width=size, height=size)
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 560, hours_line)
    pdf.setFont(font, 13)
    for i, line in enumerate(("微信或手机相机扫码，填写问题和位置即可提交；",
                              "提交后获得查询码，可随时查看办理进度，办结后请您评价。",
                              "紧急情况请拨打 110 / 119 / 120。")):
        pdf.drawCentredString(width / 2, height - 610 - i * 24, line)
    pdf.setFont(font, 9)
    pdf.drawCentredString(width / 2, 40, url)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
