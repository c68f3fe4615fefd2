"""The console script, called as a user would."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refopt import cli, registry


def run_cli(*args):
    return subprocess.run(["refopt", *args], capture_output=True, text=True)


def test_console_script_is_installed():
    assert shutil.which("refopt"), "the refopt console script is not on PATH"
    result = run_cli("--help")
    assert result.returncode == 0 and "list" in result.stdout and "run" in result.stdout


def test_list_shows_every_registered_name_with_its_source(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for entry in registry.entries():
        assert re.search(rf"^  {entry.name}\s", out, re.MULTILINE), entry.name
    assert out.count("source: ") == len(registry.entries())
    assert max(len(line) for line in out.splitlines()) <= 120


def test_list_one_kind(capsys):
    assert cli.main(["list", "problems"]) == 0
    out = capsys.readouterr().out
    assert "quadratic" in out and "gradient_descent" not in out


def test_run_prints_a_trace_table(capsys, tmp_path):
    path = tmp_path / "t.json"
    code = cli.main(["run", "nesterov", "quadratic", "--steps", "100", "--param", "dim=20",
                     "--param", "mu=1e-3", "--hyper", "momentum=strongly_convex", "--save", str(path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "nesterov(lr=1.0, momentum=strongly_convex)" in out
    rows = [line.split() for line in out.splitlines() if re.match(r"^\s+\d+\s", line)]
    assert rows[0][0] == "0" and rows[-1][0] == "100"
    assert "status: max_steps" in out
    assert json.loads(path.read_text())["provenance"]["problem"]["params"]["dim"] == 20


def test_run_parses_noise_models_and_schedules(capsys):
    code = cli.main(["run", "sgd", "least_squares", "--steps", "20",
                     "--param", "noise=finite_sum(4, 'reshuffle')", "--hyper", "lr=inverse_time(1.0, 10.0)"])
    out = capsys.readouterr().out
    assert code == 0
    assert "finite_sum(batch_size=4, sampling='reshuffle')" in out
    assert "inverse_time(beta=1.0, gamma=10.0)" in out


@pytest.mark.parametrize("args, message", [
    (["run", "adamm", "quadratic", "--steps", "3"], "unknown algorithm 'adamm'"),
    (["run", "gradient_descent", "quadratic", "--steps", "3", "--hyper", "lr=-1"], "lr must be > 0.0"),
    (["run", "gradient_descent", "quadratic", "--steps", "3", "--hyper", "lr"], "name=value"),
    (["run", "gradient_descent", "quadratic", "--steps", "3", "--param", "dim=os.system('x')"], "cannot call"),
    (["run", "gradient_descent", "rosenbrock", "--steps", "3"], "needs the problem's L"),
])
def test_errors_are_one_line_and_exit_2(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_parse_value():
    assert cli.parse_value("0.5") == 0.5
    assert cli.parse_value("inf") == float("inf")
    assert cli.parse_value("None") is None
    assert cli.parse_value("armijo") == "armijo"
    assert cli.parse_value("(0.9, 0.999)") == (0.9, 0.999)


def test_readme_commands_are_the_ones_ci_runs():
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    for marker, expected in (("main-command", "refopt verify"), ("test-command", "pytest")):
        block = readme.split(f"<!-- {marker} -->", 1)[1].split("```", 2)[1]
        assert "pip install" in block and expected in block, marker
    assert "test-command" in (root / ".ci" / "run").read_text()


def test_verify_prints_the_table_and_writes_json(capsys, tmp_path):
    path = tmp_path / "results.json"
    assert cli.main(["verify", "-k", "drori", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["claim", "source", "theory", "measured", "verdict"]
    assert "drori_teboulle_2014.gd_bound_attained" in out and "2 of 2 claims hold" in out
    records = json.loads(path.read_text())["results"]
    assert [r["verdict"] for r in records] == ["pass", "pass"]
    assert "Thm 3.1 (number unconfirmed)" in records[0]["source"]


def test_verify_exits_1_when_a_claim_fails(capsys, monkeypatch):
    from refopt import proofs
    from refopt.proofs import drori_teboulle_2014 as module

    wrong = module.gd_bound_attained.with_check(bound=lambda k, p, x0: p.L * p.distance(x0) ** 2 / (4 * k + 4))
    monkeypatch.setattr(proofs, "all_claims", lambda: [wrong])
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "0 of 1 claims hold" in out and "bound violated" in out


def test_verify_unknown_pattern():
    result = run_cli("verify", "-k", "no_such_claim")
    assert result.returncode == 2 and "no claim matches" in result.stderr


def test_verify_names_the_slow_flag():
    result = run_cli("verify", "-k", "online_sgd_threshold")
    assert result.returncode == 2 and "add --slow" in result.stderr


def test_verify_plots(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    assert cli.main(["verify", "-k", "polyak_1964", "--plots", str(tmp_path)]) == 0
    pngs = sorted(p.name for p in tmp_path.iterdir())
    assert pngs == ["polyak_1964.measured_rate.png", "polyak_1964.optimal_rate.png"]
    assert all((tmp_path / name).stat().st_size > 5000 for name in pngs)
