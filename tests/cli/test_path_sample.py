"""`flowrt serve --path-sample` (flowrt.cli.tracing): a wrong value is a usage error naming
what it takes, before anything starts."""

from __future__ import annotations

from click.testing import CliRunner

from flowrt.cli.commands import main


def test_a_wrong_path_sample_is_a_usage_error(tmp_path: object) -> None:
    result = CliRunner().invoke(main, ["serve", "--flows", str(tmp_path), "--path-sample",
                                       "often"])
    assert result.exit_code == 2
    assert "--path-sample" in result.output and "N/s" in result.output
