"""The convergence claims of the literature, one module per source."""
