import pytest

from tiktok_ads_mart.errors import (
    AuthExpired,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    TransientApiError,
    api_error,
)
from tiktok_ads_mart.secret import Secret


@pytest.mark.parametrize(
    ("code", "cls", "retryable"),
    [
        (40102, AuthExpired, False),
        (40104, AuthExpired, False),
        (40105, AuthExpired, False),
        (40106, AuthExpired, False),
        (40100, RateLimited, True),
        (40132, RateLimited, True),
        (61000, RateLimited, True),
        (50000, TransientApiError, True),
        (50002, TransientApiError, True),
        (51099, TransientApiError, True),
        (60001, TransientApiError, True),
        (40001, PermissionDenied, False),
        (40300, PermissionDenied, False),
        (40002, InvalidRequest, False),
        (40110, InvalidRequest, False),
    ],
)
def test_code_maps_to_class(code: int, cls: type, retryable: bool) -> None:
    err = api_error(code, "msg", "req-1")
    assert type(err) is cls
    assert err.retryable is retryable
    assert err.code == code and err.request_id == "req-1"
    assert "req-1" in str(err) and str(code) in str(err)


def test_secret_is_masked_everywhere() -> None:
    s = Secret("very-secret-value")
    assert "very-secret-value" not in repr(s)
    assert "very-secret-value" not in str(s)
    assert "very-secret-value" not in f"{s} {s!r}"
    assert s.reveal() == "very-secret-value"
    assert Secret(s) == s
