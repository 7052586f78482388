"""One signature report type: the API's and the upload's models are derived from
``esign.signing.report`` in one place, field by field, with clean schema names."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

import pytest
from pydantic import BaseModel

from esign.http.reports import SignatureReportPublic, VerificationReportPublic, public_model
from esign.signing.report import SignatureReport, VerificationReport

from .conftest import Api
from .test_results_api import MARITAL, _dossier
from .test_results_api import officials as officials  # the fixture


def _schema(api: Api) -> dict[str, Any]:
    schema: dict[str, Any] = api.client.get("/openapi.json").json()
    return schema


def _ref_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[-1]} if "$ref" in value else set()
        return found.union(*(_ref_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_ref_names(v) for v in value))
    return set()


def test_schema_names_carry_no_module_path(api: Api) -> None:
    names = set(_schema(api)["components"]["schemas"])
    assert "SignatureReportPublic" in names and "SignatureSlotPublic" in names
    assert [n for n in names if "__" in n or "." in n] == []


@pytest.mark.parametrize(
    ("model", "source"),
    [(SignatureReportPublic, SignatureReport), (VerificationReportPublic, VerificationReport)],
)
def test_models_have_the_dataclass_fields(model: type[BaseModel], source: type) -> None:
    assert list(model.model_fields) == [f.name for f in dataclasses.fields(source)]


def test_both_endpoints_answer_the_one_report(api: Api) -> None:
    paths = _schema(api)["paths"]
    upload = paths["/api/v1/verify"]["post"]["responses"]["200"]
    result = paths["/api/v1/results/{result_id}/verification"]["get"]["responses"]["200"]
    schemas = _schema(api)["components"]["schemas"]
    for response, top in ((upload, "VerificationPublic"), (result, "VerificationReportPublic")):
        assert _ref_names(response) == {top}
        assert "SignatureReportPublic" in _ref_names(schemas[top])


class Colour(enum.StrEnum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class _Inner:
    name: str
    colour: Colour
    at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class _Outer:
    items: tuple[_Inner, ...]
    added_later: int = 7
    maybe: _Inner | None = None
    tags: tuple[str, ...] = ()


def test_a_new_field_follows_without_an_edit() -> None:
    """Another dataclass shape, to show the derivation is generic: defaults, nested dataclasses
    in tuples and optionals, enums, datetimes."""
    inner = public_model(_Inner, name="InnerPublic")
    outer = public_model(_Outer, name="OuterPublic", derived={_Inner: inner})
    value = _Outer(items=(_Inner("a", Colour.RED),), maybe=_Inner("b", Colour.RED))
    dumped = outer.model_validate(value).model_dump(mode="json")
    assert dumped == {
        "items": [{"name": "a", "colour": "red", "at": None}],
        "added_later": 7,
        "maybe": {"name": "b", "colour": "red", "at": None},
        "tags": [],
    }
    assert outer.model_json_schema()["title"] == "OuterPublic"
    assert outer.model_validate(_Outer(items=())).model_dump()["maybe"] is None


def test_a_result_reports_its_signatures_as_signed_so_far(api: Api, officials: str) -> None:
    clerk, officer = api.login("clerk"), api.login("tuphap")
    r = clerk.post("/api/v1/results", json={"dossier_id": _dossier(api), "data": MARITAL})
    assert r.status_code == 201, r.text
    result_id = r.json()["id"]
    url = f"/api/v1/results/{result_id}/verification"

    before = clerk.get(url)
    assert before.status_code == 200, before.text
    assert before.json()["signatures"] == []  # prepared fields, nothing signed yet
    signed = officer.post(
        "/api/v1/results/sign", json={"result_ids": [result_id], "secret": officials}
    )
    assert signed.json()["data"][0]["ok"] is True, signed.text

    report = officer.get(url).json()
    assert (
        report["sha256"]
        == officer.get(f"/api/v1/results/{result_id}/pdf").headers["X-Content-SHA256"]
    )
    assert report["matches_record"] is True
    (signature,) = report["signatures"]
    assert signature["signer_name"] == "Nguyễn Thị Hương"
    assert signature["intact"] is True and signature["trusted"] is True
    assert set(signature) == {f.name for f in dataclasses.fields(SignatureReport)}
    assert api.login("admin").get(url).status_code == 200
    assert clerk.get("/api/v1/results/999999/verification").status_code == 404
