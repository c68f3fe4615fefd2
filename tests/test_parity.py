"""Parity: backends identified as the right reference variant; buggy optimizers flagged at the right step."""
import numpy as np
import pytest
from packaging.version import Version

import refopt
from refopt import cli, parity, problems
from refopt.algorithms.matrix import newton_schulz
from refopt.parity import backends

torch = pytest.importorskip("torch", reason="the torch extra is not installed (pip install 'refopt[torch]')")

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(),
                                                                  reason="no CUDA device on this machine"))]
DTYPES = [np.float64, np.float32]

# the variant axes each torch entry must be identified with (axes its hyperparameters leave undecided are absent)
TORCH_EXPECTED = {
    "SGD": {},
    "SGD(momentum, dampening)": {"buffer_init": "gradient", "lr_in_buffer": False},
    "SGD(nesterov, weight_decay)": {},
    "SGD(maximize)": {},
    "Adagrad": {"eps_placement": "outside"},
    "Adagrad(lr_decay, weight_decay)": {"eps_placement": "outside"},
    "RMSprop": {"eps_placement": "outside", "bias_correction": False},
    "RMSprop(centered, momentum)": {"eps_placement": "outside", "bias_correction": False},
    "Adam": {"eps_placement": "after_bc", "amsgrad": False},
    "Adam(amsgrad, weight_decay)": {"eps_placement": "after_bc", "amsgrad": "raw", "decoupled_weight_decay": False},
    "Adam(maximize)": {"eps_placement": "after_bc", "amsgrad": False},
    "AdamW": {"eps_placement": "after_bc", "amsgrad": False, "decoupled_weight_decay": True, "decay_scaling": "lr"},
    "AdamW(amsgrad)": {"amsgrad": "raw", "decoupled_weight_decay": True, "decay_scaling": "lr"},
    "Adamax": {"eps_in_max": True},
    "NAdam": {"momentum_schedule": "dozat"},
    "NAdam(decoupled_weight_decay)": {"momentum_schedule": "dozat", "decoupled_weight_decay": True},
    "RAdam": {"threshold": 5.0, "eps_placement": "before_bc", "degenerate": "sgd"},
    "RAdam(decoupled_weight_decay)": {"threshold": 5.0, "eps_placement": "before_bc",
                                      "decoupled_weight_decay": True},
    "Muon": {"momentum_form": "ema", "shape_scaling": "rows_over_cols", "orthogonalizer": "newton_schulz"},
}

OPTAX_EXPECTED = {
    "sgd(nesterov)": {},
    "adagrad": {"eps_placement": "inside"},  # in float32 eps = 1e-7 is below what the accumulator resolves
    "rmsprop": {"eps_placement": "inside", "bias_correction": False},
    "rmsprop(centered, momentum)": {"eps_placement": "inside", "bias_correction": False},
    "adam": {"eps_placement": "after_bc", "amsgrad": False},
    "adam(eps_root)": {"eps_placement": "after_bc", "amsgrad": False},
    "adamw": {"decoupled_weight_decay": True, "decay_scaling": "lr", "amsgrad": False},
    "amsgrad": {"eps_placement": "after_bc", "amsgrad": "bias_corrected"},
    "adamax": {"eps_in_max": True},
    "nadam": {"momentum_schedule": "constant"},
    "radam": {"threshold": 5.0, "eps_placement": "after_bc", "degenerate": "sgd"},
    "lion": {"mode": "hard"},
    "sign_sgd": {},
    "signum": {},
    "contrib.muon": {"momentum_form": "bias_corrected", "shape_scaling": "cols_over_rows",
                     "orthogonalizer": "newton_schulz"},
}
FLOAT32_UNRESOLVED = {("adagrad", "eps_placement")}
OPTAX_RECENT = {"contrib.muon": "0.2.5"}
"""Entries newer than the oldest optax the jax extra allows, with the release that added them (read from the
published wheels): skipped only under an older optax; every other entry, and these from that release on, must
be there."""


def assert_identified(found, expected, dtype):
    assert found.ok, str(found)
    for axis, value in expected.items():
        if (found.candidate.removeprefix("optax."), axis) in FLOAT32_UNRESOLVED and dtype == np.float32:
            continue
        values = {repr(m[0].get(axis)) for m in found.matches}
        assert values == {repr(value)}, f"{found.candidate}: {axis} identified as {values}, expected {value!r}"


def test_every_torch_entry_has_an_expectation():
    assert [label for label, _, _ in backends.TORCH] == list(TORCH_EXPECTED)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("label", list(TORCH_EXPECTED))
def test_torch_optimizers_are_identified(label, dtype, device):
    entry = {e[0]: e for e in backends.TORCH}[label]
    candidate = parity.from_torch(getattr(torch.optim, entry[1]), device=device, **entry[2])
    assert_identified(parity.identify(candidate, dtype=dtype), TORCH_EXPECTED[label], dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("label", list(OPTAX_EXPECTED))
def test_optax_transforms_are_identified(label, dtype):
    pytest.importorskip("optax", reason="the jax extra is not installed (pip install 'refopt[jax]')")
    import optax
    builder = {entry[0]: entry[1] for entry in backends.OPTAX}[label]
    if label in OPTAX_RECENT and Version(optax.__version__) < Version(OPTAX_RECENT[label]):
        pytest.skip(f"optax {optax.__version__} predates optax.{builder} (added in {OPTAX_RECENT[label]})")
    entries = {label: (candidate, family) for label, candidate, family in backends.optax_candidates()}
    assert label in entries, f"optax.{builder} is missing from optax {optax.__version__}"
    candidate, family = entries[label]
    assert_identified(parity.identify(candidate, family, dtype=dtype), OPTAX_EXPECTED[label], dtype)


# -- buggy optimizers: each is a plausible implementation mistake --------------------------------------
def adam_like(*, eps_inside=False, bias_correction=True, step_offset=0, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

    def update(params, grad, state):
        t = state["t"] + 1
        m = b1 * state["m"] + (1 - b1) * grad
        v = b2 * state["v"] + (1 - b2) * grad * grad
        tb = t + step_offset
        m_hat = m / (1 - b1**tb) if bias_correction else m
        v_hat = v / (1 - b2**tb) if bias_correction else v
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return params - lr * m_hat / denominator, {"m": m, "v": v, "t": t}
    return init, update


def coupled_adamw(lr=1e-3, wd=1e-2):
    init, update = adam_like(lr=lr)
    return init, lambda params, grad, state: update(params, grad + wd * params, state)


def momentum_twice(lr=0.01, mu=0.9):
    def update(params, grad, state):
        b = grad if state is None else mu * state + grad
        return params - lr * (b + mu * b), b      # the momentum term added a second time
    return (lambda params: None), update


def muon_cubic():
    def update(params, grad, state):
        B = 0.95 * state + 0.05 * grad
        M = 0.05 * grad + 0.95 * B
        O = newton_schulz(M, (1.5, -0.5, 0.0), 5, 1e-7, "plus")
        return params - 0.02 * np.sqrt(max(1, params.shape[0] / params.shape[1])) * O, B
    return np.zeros_like, update


def radam_early(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """RAdam that rectifies one step early (rho_t >= threshold - 1)."""
    reference = refopt.radam(threshold=4.0)
    return (lambda params: reference.init(params)), reference.update


def lazy_adam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """Adam whose moments (and step) skip the entries where the gradient is zero, as sparse variants do."""
    def update(params, grad, state):
        t = state["t"] + 1
        live = grad != 0
        m = np.where(live, b1 * state["m"] + (1 - b1) * grad, state["m"])
        v = np.where(live, b2 * state["v"] + (1 - b2) * grad * grad, state["v"])
        step = lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        return params - np.where(live, step, 0.0), {"m": m, "v": v, "t": t}
    return adam_like()[0], update


def clipped_adam(limit=1e3):
    init, update = adam_like()
    return init, lambda params, grad, state: update(params, np.clip(grad, -limit, limit), state)


def sign_of_zero_is_one(lr=1e-2):
    return (lambda params: None), lambda params, grad, state: (params - lr * np.where(grad >= 0, 1.0, -1.0), state)


def probe_gradients(shape, steps=10):
    """The gradients parity.check feeds a candidate: recorded by one that computes the reference's update."""
    seen, reference = [], refopt.sgd(lr=0.01)

    def update(params, grad, state):
        seen.append(np.array(grad))
        return reference.update(params, grad, state)
    parity.check(reference, parity.from_callable(lambda p: reference.init(p, None), update), parity.GradientProbe(shape),
                 steps)
    return np.array(seen)


def first_step(shape, when):
    """The first step (from 1) at which when(gradients so far) holds for some entry."""
    grads = probe_gradients(shape)
    return next(t for t in range(1, len(grads) + 1) if np.any(when(grads[:t])))


def zero_after_nonzero(grads):
    return (grads[-1] == 0) & np.any(grads[:-1] != 0, axis=0)


BUGS = {
    "eps inside the square root": (refopt.adam(), adam_like(eps_inside=True), (12,), 1),
    "missing bias correction": (refopt.adam(), adam_like(bias_correction=False), (12,), 1),
    "off-by-one step counter": (refopt.adam(), adam_like(step_offset=1), (12,), 1),
    "coupled instead of decoupled decay": (refopt.adamw(), coupled_adamw(), (12,), 1),
    "momentum applied twice": (refopt.sgd(lr=0.01, momentum=0.9), momentum_twice(), (12,), 1),
    "wrong Newton-Schulz coefficients": (refopt.muon(normalization="plus"), muon_cubic(), (6, 3), 1),
    "rectification one step early": (refopt.radam(threshold=5.0), radam_early(), (12,), 5),
    "lazy moments at zero gradients": (refopt.adam(), lazy_adam(), (12,), lambda: first_step((12,), zero_after_nonzero)),
    "gradient clipped at 1e3": (refopt.adam(), clipped_adam(), (12,),
                                lambda: first_step((12,), lambda g: np.abs(g[-1]) > 1e3)),
    "sign(0) taken as +1": (refopt.sign_sgd(lr=1e-2), sign_of_zero_is_one(), (12,),
                            lambda: first_step((12,), lambda g: g[-1] == 0)),
}


@pytest.mark.parametrize("bug", list(BUGS))
def test_buggy_optimizers_are_flagged_at_the_first_bad_step(bug):
    reference, (init, update), shape, step = BUGS[bug]
    step = step() if callable(step) else step
    candidate = parity.from_callable(init, update, name=bug)
    report = parity.check(reference, candidate, parity.GradientProbe(shape), 10)
    assert not report.ok and report.first_bad_step == step
    assert f"at step {step}" in report.explanation and "entry" in report.explanation
    free = parity.check(reference, candidate, parity.GradientProbe(shape), 10, mode="free_running")
    assert not free.ok


def test_no_false_alarm_for_the_reference_itself_in_both_dtypes():
    for alg in (refopt.adam(), refopt.rmsprop(centered=True, momentum=0.9), refopt.nadam(), refopt.lion(),
                refopt.adagrad(lr_decay=0.1), refopt.muon()):
        probe = parity.GradientProbe((6, 3) if alg.name == "muon" else (12,))
        same = parity.check(alg, parity.from_reference(alg), probe, 30)
        assert same.ok and same.max_abs_error == 0.0
        # the reference's own update run on float32 arrays is a float32 implementation of it
        single = parity.from_callable(lambda p, alg=alg: alg.init(p), alg.update, name=f"float32 {alg.name}")
        assert parity.check(alg, single, probe, 30, dtype=np.float32).ok, alg.name


def test_free_running_on_a_problem():
    problem = problems.quadratic(dim=10, mu=0.01, seed=1)
    candidate = parity.from_torch(torch.optim.Adam, lr=0.05)
    report = parity.check(refopt.adam(lr=0.05), candidate, problem, 200, mode="free_running")
    assert report.ok, str(report)
    assert report.tolerances[-1] > report.tolerances[0]  # the path-length term grows
    stochastic = problems.least_squares(n=30, d=5, noise=problems.finite_sum(2))
    report = parity.check(refopt.sgd(lr=0.01, momentum=0.9), parity.from_torch(torch.optim.SGD, lr=0.01,
                          momentum=0.9), stochastic, 100, mode="free_running", seed=3)
    assert report.ok, str(report)


def test_torch_muon_is_judged_at_bfloat16_precision():
    candidate = parity.from_torch(torch.optim.Muon)
    reference = refopt.muon(lr=1e-3, weight_decay=0.1, normalization="max")
    probe = parity.GradientProbe((6, 3))
    report = parity.check(reference, candidate, probe, 20)
    assert report.ok and "bfloat16" in report.explanation
    assert candidate.internal_dtype == "bfloat16"
    # judged as if it computed in float64, its bfloat16 Newton-Schulz would be called a mismatch
    candidate.internal_dtype = None
    assert not parity.check(reference, candidate, probe, 20).ok


def test_report_contents():
    candidate = parity.from_torch(torch.optim.Adam)
    report = parity.check(refopt.adam(), candidate, parity.GradientProbe(), 15)
    assert report.ok and bool(report)
    assert report.abs_errors.shape == (15,) and report.tolerances.shape == (15,)
    assert np.all(report.abs_errors <= report.tolerances)
    assert "agree over 15 steps" in str(report) and report.first_bad_step is None
    custom = parity.check(refopt.adam(), candidate, parity.GradientProbe(), 15, rtol=0.0, atol=0.0)
    assert not custom.ok or custom.max_abs_error == 0.0


def test_identify_reports_the_closest_variant_when_none_matches():
    init, update = adam_like(eps_inside=True, eps=1e-3)
    found = parity.identify(parity.from_callable(init, update, name="odd adam", hyper={"lr": 1e-3}), "adam")
    assert not found.ok
    assert "matches no adam variant; the closest" in str(found) and "at step" in str(found)


def test_bad_input():
    with pytest.raises(ValueError, match="mode"):
        parity.check(refopt.adam(), refopt.adam(), parity.GradientProbe(), 3, mode="free")
    with pytest.raises(ValueError, match="dtype"):
        parity.check(refopt.adam(), refopt.adam(), parity.GradientProbe(), 3, dtype=np.float16)
    with pytest.raises(TypeError, match="two callables"):
        parity.from_callable(None, None)
    with pytest.raises(TypeError, match="not a gradient map"):
        parity.from_reference(refopt.gradient_descent(line_search="armijo"))
    with pytest.raises(ValueError, match="family"):
        parity.identify(parity.from_callable(*adam_like()), None)
    with pytest.raises(ValueError, match="device"):
        parity.from_torch(torch.optim.Adam, device="tpu")


def test_refopt_parity_command(capsys):
    assert cli.main(["parity", "--backend", "torch"]) == 0
    out = capsys.readouterr().out
    assert out.count("torch ") >= len(backends.TORCH) and "NO MATCH" not in out
    assert f"{len(backends.TORCH)} of {len(backends.TORCH)} identified" in out
