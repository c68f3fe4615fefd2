"""The console script: ``refopt list`` and ``refopt run``."""
from __future__ import annotations

import argparse
import ast
import shutil
import sys
import textwrap

# names a --hyper or --param value may call: the noise models and the step-size schedules
_CALLABLE_VALUES = {
    "finite_sum": ("refopt.problems.noise", "finite_sum"),
    "additive_gaussian": ("refopt.problems.noise", "additive_gaussian"),
    "affine_variance": ("refopt.problems.noise", "affine_variance"),
    "constant": ("refopt.algorithms.schedules", "constant"),
    "power": ("refopt.algorithms.schedules", "power"),
    "inverse_time": ("refopt.algorithms.schedules", "inverse_time"),
    "switching": ("refopt.algorithms.schedules", "switching"),
    "geometric": ("refopt.algorithms.schedules", "geometric"),
}


def parse_value(text):
    """A literal (number, string, tuple, None, inf) or a call of a noise model or schedule."""
    text = text.strip()
    if text in ("inf", "+inf", "-inf", "nan"):
        return float(text)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    if isinstance(tree, ast.Call):
        if not isinstance(tree.func, ast.Name) or tree.func.id not in _CALLABLE_VALUES:
            raise ValueError(f"cannot call {ast.unparse(tree.func)!r} in a value; "
                             f"callable: {', '.join(_CALLABLE_VALUES)}")
        import importlib

        module, attr = _CALLABLE_VALUES[tree.func.id]
        function = getattr(importlib.import_module(module), attr)
        args = [ast.literal_eval(a) for a in tree.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in tree.keywords}
        return function(*args, **kwargs)
    try:
        return ast.literal_eval(tree)
    except ValueError:
        return text


def parse_assignments(items, what):
    values = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{what} {item!r} must look like name=value")
        values[key.strip()] = parse_value(value)
    return values


def _width():
    """The terminal's width (60 to 120 columns); 120 when the output is piped."""
    if not sys.stdout.isatty():
        return 120
    return max(60, min(120, shutil.get_terminal_size((120, 24)).columns))


def cmd_list(args):
    from refopt import registry

    width = _width()
    kinds = ["algorithm", "problem", "claim"] if args.kind == "all" else [args.kind.rstrip("s")]
    for kind in kinds:
        entries = registry.entries(kind)
        print(f"{kind}s ({len(entries)})")
        name_width = max(len(e.name) for e in entries) + 2
        for e in entries:
            summary = textwrap.shorten(e.summary, width - name_width - 2, placeholder="...")
            print(f"  {e.name.ljust(name_width)}{summary}")
            print(" " * (name_width + 2) + textwrap.shorten(f"source: {e.source}", width - name_width - 2,
                                                            placeholder="..."))
        print()
    return 0


def cmd_run(args):
    from refopt import registry, runner

    hyper = parse_assignments(args.hyper, "--hyper")
    params = parse_assignments(args.param, "--param")
    problem = registry.problem(args.problem, **params)
    alg = registry.algorithm(args.algorithm, **hyper)
    trace = runner.run(alg, problem, args.steps, seed=args.seed, tol=args.tol, engine=args.engine)
    resolved = trace.provenance["algorithm"]["resolved"]
    print(f"problem:   {problem!r}")
    print(f"algorithm: {alg.name}(" + ", ".join(f"{k}={v}" for k, v in resolved.items()) + ")")
    print(f"seed:      {args.seed}")
    print(trace.table(rows=args.rows))
    if args.save:
        print(f"saved:     {trace.save(args.save)}")
    return 0


def cmd_verify(args):
    import json
    from pathlib import Path

    from refopt import claims as claims_module
    from refopt import proofs

    matching = claims_module.select(proofs.all_claims(), args.k)
    chosen = [c for c in matching if args.slow or not c.slow]
    if not chosen:
        hint = " (only slow claims match: add --slow)" if matching else ""
        raise ValueError(f"no claim matches {args.k!r}{hint}; see `refopt list claims`")
    if args.plots:  # fail before the long part when matplotlib is missing
        from refopt import plots
        plots._pyplot()
        Path(args.plots).mkdir(parents=True, exist_ok=True)
    show_progress = sys.stderr.isatty() and not args.quiet

    def progress(i, n, claim):
        if show_progress:
            bar = "#" * (20 * i // n) + "." * (20 - 20 * i // n)
            sys.stderr.write(f"\r[{bar}] {i + 1}/{n} {claim.id[:60]:<60}")
            sys.stderr.flush()

    results = claims_module.verify(chosen, seed=args.seed, engine=args.engine, slow=True, progress=progress)
    if show_progress:
        sys.stderr.write("\r" + " " * 90 + "\r")
    print(claims_module.report(results, chosen, width=_width()))
    if args.json:
        by_id = {c.id: c for c in chosen}
        records = []
        for r in results:
            record = r.to_dict()
            record.pop("curve", None)
            claim = by_id[r.claim]
            record.update(source=claim.source.cite(), statement=claim.statement, kind=claim.kind,
                          level=claim.level, family=claim.family)
            records.append(record)
        Path(args.json).write_text(json.dumps({"seed": args.seed, "engine": args.engine, "results": records},
                                              indent=1, allow_nan=False))
    if args.plots:
        from refopt import plots
        for r, claim in zip(results, chosen):
            plots.plot_result(r, claim, Path(args.plots) / f"{claim.id}.png")
    return 0 if all(r.passed for r in results) else 1


def cmd_parity(args):
    import numpy as np

    from refopt import parity
    from refopt.parity import backends

    chosen = ["torch", "optax"] if args.backend == "all" else [args.backend]
    rows, missing = [], []
    for backend in chosen:
        if not backends.installed(backend):
            missing.append(backend)
            continue
        entries = backends.torch_candidates(args.device) if backend == "torch" else backends.optax_candidates()
        for label, candidate, family in entries:
            found = parity.identify(candidate, family, dtype=getattr(np, args.dtype))
            best = min((m[2].max_abs_error for m in found.matches), default=np.nan)
            if not found.ok:
                best = found.closest[2].max_abs_error
            rows.append((backend, label, found.variant if found.ok else "none: " + str(found).split("; ", 1)[1],
                         best, "ok" if found.ok else "NO MATCH"))
    if not rows:
        raise ValueError(f"no backend installed among {', '.join(chosen)}: pip install 'refopt[torch,jax]'")
    width = _width()
    text_width = max(30, width - 60)
    print(f"{'backend':<8}{'optimizer':<32}{'reference variant':<{text_width}}{'max error':>11}  verdict")
    for backend, label, variant, error, verdict in rows:
        print(f"{backend:<8}{label[:31]:<32}{textwrap.shorten(variant, text_width - 1, placeholder='...'):<{text_width}}"
              f"{error:>11.2e}  {verdict}")
    print(f"{args.dtype}, teacher-forced on refopt.parity.GradientProbe, 20 steps; "
          f"{sum(r[4] == 'ok' for r in rows)} of {len(rows)} identified")
    for backend in missing:
        print(f"{backend} is not installed: skipped")
    return 0 if all(r[4] == "ok" for r in rows) else 1


def build_parser():
    parser = argparse.ArgumentParser(
        prog="refopt", description="Reference optimization algorithms, analytic problems and convergence claims.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_list = sub.add_parser("list", help="list the registered algorithms and problems")
    p_list.add_argument("kind", nargs="?", default="all", choices=["all", "algorithms", "problems", "claims"])
    p_list.set_defaults(func=cmd_list)

    p_run = sub.add_parser("run", help="run an algorithm on a problem and print its trace",
                           epilog="example: refopt run nesterov quadratic --steps 200 --param dim=50 "
                                  "--param mu=1e-3 --hyper momentum=strongly_convex")
    p_run.add_argument("algorithm", help="registered algorithm name (see `refopt list`)")
    p_run.add_argument("problem", help="registered problem name (see `refopt list`)")
    p_run.add_argument("--steps", type=int, required=True, help="number of steps")
    p_run.add_argument("--hyper", action="append", metavar="NAME=VALUE", help="algorithm hyperparameter")
    p_run.add_argument("--param", action="append", metavar="NAME=VALUE", help="problem parameter")
    p_run.add_argument("--seed", type=int, default=0)
    p_run.add_argument("--tol", type=float, default=None, help="stop once f - f* (or ||grad||) <= TOL")
    p_run.add_argument("--engine", default="numpy", choices=["numpy", "numba", "auto"])
    p_run.add_argument("--rows", type=int, default=10, help="about how many steps the table shows")
    p_run.add_argument("--save", metavar="PATH", help="also save the trace (.json or .npz)")
    p_run.set_defaults(func=cmd_run)

    p_verify = sub.add_parser("verify", help="check the convergence claims of the literature",
                              description="Check every claim (or those matching -k) and print theory "
                                          "against measurement; exit status 1 if any claim does not hold.")
    p_verify.add_argument("-k", metavar="PATTERN", help="only claims whose id matches (glob, or substring)")
    p_verify.add_argument("--engine", default="numpy", choices=["numpy", "numba", "auto"],
                          help="numpy: the reference (default); auto: jitted kernels where they exist")
    p_verify.add_argument("--slow", action="store_true",
                          help="also check the slow claims (recovery thresholds over dimensions and seeds: "
                               "minutes each)")
    p_verify.add_argument("--seed", type=int, default=0, help="seeds every instance and run (default 0)")
    p_verify.add_argument("--json", metavar="FILE", help="write the results as JSON")
    p_verify.add_argument("--plots", metavar="DIR", help="write one PNG per claim: bound over measured curve")
    p_verify.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p_verify.set_defaults(func=cmd_verify)

    p_parity = sub.add_parser("parity", help="identify the installed backends' optimizers against the references",
                              description="Compare torch.optim and optax optimizers step by step with refopt's "
                                          "references and name the variant each implements; exit status 1 if "
                                          "one matches none.")
    p_parity.add_argument("--backend", default="all", choices=["torch", "optax", "all"])
    p_parity.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p_parity.add_argument("--device", default="cpu", help="torch device (cpu or cuda)")
    p_parity.set_defaults(func=cmd_parity)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, KeyError, ImportError) as error:
        print(f"refopt {args.command}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
