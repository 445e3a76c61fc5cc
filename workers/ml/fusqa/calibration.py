"""Temperature scaling (Guo et al. 2017, "On calibration of modern neural networks") for a
binary p(good): p = sigmoid(logit / T + b), with T (and optionally the bias b: Platt scaling)
fitted on held-out data by minimising the NLL. The bias matters when training balanced its batches
(half good, half poor): that shifts the network's prior, which a temperature alone cannot undo."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit


def _nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    # log(1 + e^z) - y z, written stably
    return float(np.mean(np.logaddexp(0.0, z) - labels * z))


def fit_temperature(logits, labels, *, with_bias: bool = False):
    """The T in [0.05, 20] that minimises the binary NLL of sigmoid(logits / T) on ``labels`` (0/1).
    with_bias: fit sigmoid(logits / T + b) instead and return (T, b)."""
    logits = np.asarray(logits, dtype=np.float64).ravel()
    labels = np.asarray(labels, dtype=np.float64).ravel()
    if logits.size == 0 or logits.size != labels.size:
        raise ValueError("fit_temperature needs equally many logits and labels, at least one")
    if with_bias:

        def loss(params):
            log_t, b = params
            z = logits / np.exp(np.clip(log_t, np.log(0.05), np.log(20.0))) + b
            return float(np.mean(np.logaddexp(0.0, z) - labels * z))

        result = minimize(loss, x0=np.array([0.0, 0.0]), method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-7})
        log_t, b = result.x
        return float(np.exp(np.clip(log_t, np.log(0.05), np.log(20.0)))), float(b)
    result = minimize_scalar(
        lambda log_t: _nll(logits, labels, float(np.exp(log_t))), bounds=(np.log(0.05), np.log(20.0)), method="bounded"
    )
    return float(np.exp(result.x))


def apply_temperature(logits, temperature: float, bias: float = 0.0) -> np.ndarray:
    return expit(np.asarray(logits, dtype=np.float64) / temperature + bias)


def expected_calibration_error(probabilities, labels, n_bins: int = 10) -> float:
    """ECE of p(good): equal-width bins over p; sum over bins of (bin share) x |mean p - rate of good|."""
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    y = np.asarray(labels, dtype=np.float64).ravel()
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            ece += in_bin.mean() * abs(p[in_bin].mean() - y[in_bin].mean())
    return float(ece)
