"""Richard & Montanari (2014): tensor unfolding recovers the spike of a 3-tensor from n ~ d^(3/2) samples.

Class: spiked tensor PCA, T = theta*^(x)k + Z/sqrt(n) (n samples; lambda = sqrt(n) in the
lambda theta*^(x)k + W convention), k = 3, theta* uniform on the sphere.
Algorithm: the top left singular vector of the d x d^(k-1) unfolding of T, then tensor power iterations.
Guarantee: the unfolding is a rectangular spiked matrix whose spectral threshold is
lambda ~ (d d^(k-1))^(1/4), that is n ~ d^(k/2): d^(3/2) for k = 3, far below the d^(k-1) (up to polylog
factors, Wu & Zhou 2024) a random start needs. Only the order is checked, with the fitted slope.
Reference: E. Richard, A. Montanari, "A statistical model for tensor PCA", NeurIPS 2014 (the unfolding
analysis; theorem number not confirmed here).

Run ``python -m refopt.proofs.richard_montanari_2014`` to check these claims.
"""
import refopt
from refopt import problems
from refopt.claims import Claim, Source, Threshold, bisect_threshold

SOURCE = Source("E. Richard, A. Montanari", 2014, "A statistical model for tensor PCA",
                "NeurIPS 2014").at("unfolding theorem", confirmed=False)

K, ITERATIONS, RECOVERED = 3, 10, 0.5


def recovered(d, n, seeds):
    """Whether overlap^2 >= 1/2 after the unfolding start and ITERATIONS power steps, one instance per seed."""
    hits = []
    for seed in seeds:
        problem = problems.tensor_pca(d=d, k=K, n=n, seed=seed)
        trace = refopt.run(refopt.tensor_power_iteration(init_from="unfolding"), problem, ITERATIONS,
                           record=["dist"])
        hits.append(trace.dist[-1] <= 1 - RECOVERED)
    return hits


def unfolding_threshold(d, rng, engine):
    return bisect_threshold(lambda n, seeds: recovered(d, n, seeds), 0.05 * d ** (K / 2), 20 * d ** (K / 2), rng,
                            runs=40, bisections=6)


unfolding = Claim(
    id="richard_montanari_2014.unfolding_threshold",
    source=SOURCE,
    statement="Started from the unfolding's top singular vector, tensor power iteration recovers the spike of "
              "a 3-tensor (overlap^2 >= 1/2) once n ~ d^(3/2): the n at which half the runs succeed grows like "
              "d^(k/2).",
    kind="complexity", level="sampled", family="spiked tensor PCA, order 3",
    algorithm="tensor_power_iteration",
    check=Threshold(dims=(16, 32, 64, 128), threshold=unfolding_threshold, exponent=K / 2, slack=0.3,
                    tolerance="fitted slope within 0.3 of k/2 = 1.5; 40 runs per bisection point, 6 bisections"),
    slow=True,
)

CLAIMS = [unfolding]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
