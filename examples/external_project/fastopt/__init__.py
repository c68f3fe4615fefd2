"""Hand-written optimizers on NumPy arrays, each an init(params) -> state and an
update(params, grad, state) -> (params, state) pair."""
import numpy as np


class SGD:
    """SGD with momentum, dampening, Nesterov momentum and L2 weight decay (torch.optim.SGD's conventions)."""

    def __init__(self, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.nesterov, self.weight_decay = nesterov, weight_decay

    def init(self, params):
        return None   # the momentum buffer, created at the first step

    def update(self, params, grad, buffer):
        grad = grad + self.weight_decay * params
        if self.momentum:
            buffer = grad if buffer is None else self.momentum * buffer + (1 - self.dampening) * grad
            grad = grad + self.momentum * buffer if self.nesterov else buffer
        return params - self.lr * grad, buffer


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1) with eps added after the bias-corrected square root."""

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.lr, self.betas, self.eps = lr, betas, eps

    def init(self, params):
        return np.zeros_like(params), np.zeros_like(params), 0

    def update(self, params, grad, state):
        m, v, t = state
        b1, b2 = self.betas
        t += 1
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return params - self.lr * m_hat / (np.sqrt(v_hat) + self.eps), (m, v, t)
