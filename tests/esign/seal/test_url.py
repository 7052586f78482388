from __future__ import annotations

import pytest

from esign.seal import QrUrlError, parse_qr_url, qr_url
from tests.esign.seal.helpers import HOST, TOKEN


def test_round_trip() -> None:
    url = qr_url(HOST + "/", TOKEN, "123456")
    assert url == f"{HOST}/v/{TOKEN}#123456"
    assert parse_qr_url(url) == ("vanan.chilinh.haiduong.gov.vn", TOKEN, "123456")
    host, token, seal = parse_qr_url("http://127.0.0.1:8000/v/" + TOKEN + "#9")
    assert (host, token, seal) == ("127.0.0.1:8000", TOKEN, "9")


@pytest.mark.parametrize(
    "text",
    [
        f"{HOST}/v/{TOKEN}",  # no seal
        f"{HOST}/x/{TOKEN}#1",
        f"{HOST}/v/short#1",
        f"{HOST}/v/{TOKEN}?a=1#1",
        f"https://vanan.chilinh.haiduong.gov.vn@evil.example/v/{TOKEN}#1",
        f"ftp://vanan.gov.vn/v/{TOKEN}#1",
        "00020101021238570010A000000727",  # a VietQR payment code
        "",
    ],
)
def test_not_our_url(text: str) -> None:
    with pytest.raises(QrUrlError):
        parse_qr_url(text)


def test_building_refuses_bad_parts() -> None:
    for public_url, token, seal in (
        ("vanan.gov.vn", TOKEN, "1"),
        (HOST, "bad token!", "1"),
        (HOST, TOKEN, "1 2"),
    ):
        with pytest.raises(QrUrlError):
            qr_url(public_url, token, seal)
