"""What every numba kernel module shares."""
import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def norm(v):
    """sqrt(v . v), numpy.linalg.norm's formula: both engines overflow at the same step."""
    return np.sqrt(np.dot(v, v))
