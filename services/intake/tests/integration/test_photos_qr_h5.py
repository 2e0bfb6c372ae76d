"""Photos checked by content, QR codes and the A4 poster, the H5 form behind a signed token."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from intake.adapters import poster
from intake.adapters.qrtoken import CompoundTokens
from intake.config import DEV_QR_KEYS

pytestmark = pytest.mark.rabbitmq
STAFF = {"Authorization": "Bearer dev-staff-token"}


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "media"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
async def test_jpeg_png_and_webp_are_accepted_by_content_whatever_their_name(app_client, fmt, media):
    client, _ = app_client
    res = await client.post("/v1/photos", files={"file": ("photo.txt", image_bytes(fmt), "text/plain")})
    assert res.status_code == 201, res.text
    assert res.json()["media_type"] == media


@pytest.mark.parametrize(("data", "status", "message"), [
    (b"GIF89a" + b"\x00" * 100, 415, "仅支持 JPEG、PNG 或 WebP 格式的照片"),
    (b"\xff\xd8\xff" + b"not really a jpeg" * 10, 415, "照片已损坏，无法识别"),
    (b"", 415, "照片为空"),
])
async def test_other_files_are_refused(app_client, data, status, message):
    client, _ = app_client
    res = await client.post("/v1/photos", files={"file": ("x.jpg", data, "image/jpeg")})
    assert res.status_code == status
    assert res.json()["detail"] == [{"field": "photos", "message": message}]


async def test_a_photo_over_the_size_limit_is_refused(app_with):
    async with app_with(max_photo_bytes=2000) as (client, _):
        big = image_bytes("PNG", size=(40, 40)) + b"\x00" * 3000  # trailing bytes after IEND
        assert len(big) > 2000
        res = await client.post("/v1/photos", files={"file": ("big.png", big, "image/png")})
        assert res.status_code == 413


async def test_photos_attach_to_a_request_and_are_shown_only_with_its_token(app_client, settings):
    client, app = app_client
    ids = [(await client.post("/v1/photos", files={"file": ("p.jpg", image_bytes("JPEG"), "image/jpeg")})).json()["id"]
           for _ in range(2)]
    created = (await client.post("/v1/requests", json={"compound_id": "qc-jh-jh-hy", "text": "井盖缺失很危险",
                                                       "photos": ids})).json()
    view = (await client.get(f"/v1/requests/{created['id']}", params={"token": created["access_token"]})).json()
    assert [u.rsplit("/", 1)[1] for u in view["photos"]] == ids
    url = f"/v1/requests/{created['id']}/photos/{ids[0]}"
    assert (await client.get(url)).status_code == 403
    ok = await client.get(url, params={"token": created["access_token"]})
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/jpeg"
    assert (await client.get(url, headers=STAFF)).status_code == 200
    assert list(settings.photo_dir().rglob("*.jpg"))
    res = await client.post("/v1/requests", json={"compound_id": "qc-jh-jh-hy", "text": "x",
                                                  "photos": ["0" * 32 + ".jpg"]})
    assert res.status_code == 422 and res.json()["detail"][0]["field"] == "photos"
    res = await client.post("/v1/requests", json={"compound_id": "qc-jh-jh-hy", "text": "x",
                                                  "photos": ["../../etc/passwd"]})
    assert res.status_code == 422


async def test_qr_codes_point_at_the_signed_form_url(app_client):
    client, _ = app_client
    info = (await client.get("/v1/compounds/qc-jh-jh-hy")).json()
    token = info["form_url"].rsplit("/", 1)[1]
    assert CompoundTokens(DEV_QR_KEYS).verify(token) == "qc-jh-jh-hy"
    svg = await client.get("/v1/compounds/qc-jh-jh-hy/qrcode.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    png = await client.get("/v1/compounds/qc-jh-jh-hy/qrcode.png")
    with Image.open(io.BytesIO(png.content)) as image:
        assert image.format == "PNG" and image.size[0] == image.size[1] > 200
    assert (await client.get("/v1/compounds/nope/qrcode.svg")).status_code == 404
    listing = (await client.get("/v1/compounds")).json()["compounds"]
    assert len(listing) == 9


async def test_the_poster_is_an_a4_pdf_with_an_embedded_chinese_font(app_client):
    client, _ = app_client
    try:
        poster.find_cjk_font()
    except poster.FontMissing:
        pytest.skip("no CJK font installed (apt-get install -y fonts-wqy-microhei)")
    res = await client.get("/v1/compounds/qc-jh-jh-hy/poster.pdf")
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    pdf = res.content
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf
    assert b"WenQuanYi" in pdf or b"CJK" in pdf or b"Droid" in pdf  # a subset of the CJK font is embedded
    assert b"/FontFile2" in pdf


async def test_without_a_chinese_font_the_poster_fails_with_a_clear_message(app_client, monkeypatch):
    client, _ = app_client
    monkeypatch.setattr(poster, "FONT_CANDIDATES", ())
    monkeypatch.setattr(poster.shutil, "which", lambda _: None)
    monkeypatch.setattr(poster.pdfmetrics, "getRegisteredFontNames", lambda: [])
    res = await client.get("/v1/compounds/qc-jh-jh-hy/poster.pdf")
    assert res.status_code == 503
    assert "fonts-wqy-microhei" in res.json()["detail"][0]["message"]


async def test_the_form_opens_for_a_valid_token_and_a_clear_chinese_page_otherwise(app_with):
    tokens = CompoundTokens(DEV_QR_KEYS)
    async with app_with(qr_revoked=tokens.sign("qc-wj-bh-yj")) as (client, _):
        form = await client.get(f"/h5/c/{tokens.sign('qc-jh-jh-hy')}")
        assert form.status_code == 200
        assert "金湖花园" in form.text and 'id="request-form"' in form.text
        forged = await client.get("/h5/c/" + tokens.sign("qc-jh-jh-hy")[:-3] + "xyz")
        assert forged.status_code == 403 and "二维码无效" in forged.text and "request-form" not in forged.text
        revoked = await client.get(f"/h5/c/{tokens.sign('qc-wj-bh-yj')}")
        assert revoked.status_code == 403 and "二维码已失效" in revoked.text
        for page in ("status.html", "track.html", "rate.html", "app.css", "app.js", "sw.js"):
            assert (await client.get(f"/h5/{page}")).status_code == 200
