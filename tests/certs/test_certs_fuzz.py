"""Damaged OCSP and timestamp requests: an answer or MalformedRequestError, nothing else."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certs import PkiFolder
from certs.errors import MalformedRequestError
from tests.utils.certs_helpers import ocsp_request, timestamp_request

# A damaged copy of a real request: some bytes replaced, maybe cut short.
damage = st.tuples(
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    st.one_of(st.none(), st.integers(0, 10_000)),
)
fixture_ok = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def damaged(original: bytes, how: tuple[list[tuple[int, int]], int | None]) -> bytes:
    data = bytearray(original)
    for position, value in how[0]:
        data[position % len(data)] = value
    cut = how[1]
    return bytes(data if cut is None else data[: cut % len(data)])


@fixture_ok
@given(how=damage)
def test_damaged_ocsp_requests(shared_folder: PkiFolder, now: datetime, how: tuple) -> None:  # type: ignore[type-arg]
    data = damaged(ocsp_request(shared_folder, "seal"), how)
    try:
        answer = shared_folder.answer_ocsp(data, now=now)
    except MalformedRequestError:
        return
    assert answer[:1] == b"\x30"  # an OCSPResponse, whatever its status


@fixture_ok
@given(how=damage)
def test_damaged_timestamp_requests(shared_folder: PkiFolder, now: datetime, how: tuple) -> None:  # type: ignore[type-arg]
    data = damaged(timestamp_request(), how)
    try:
        answer = shared_folder.answer_timestamp(data, now=now)
    except MalformedRequestError:
        return
    assert answer[:1] == b"\x30"
