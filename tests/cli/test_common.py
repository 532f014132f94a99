import subprocess
import sys

import pytest
import typer

from tiktok_ads_mart.cli.common import fail, handle_errors
from tiktok_ads_mart.errors import ConfigError


def test_fail_prints_markup_like_text_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exc_info:
        fail("bad value '[/x]'", 2)
    assert exc_info.value.exit_code == 2
    assert "bad value '[/x]'" in capsys.readouterr().err


def test_library_errors_become_one_line_and_their_exit_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["tiktok-ads-mart"])
    app = typer.Typer()

    @app.command()
    def boom() -> None:
        raise ConfigError("start_date [/b] is after end_date")

    with pytest.raises(SystemExit) as exc_info:
        handle_errors(app)
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert "start_date [/b] is after end_date" in err
    assert "Traceback" not in err


def test_unknown_command_is_a_usage_error_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tiktok_ads_mart", "no-such-command"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
