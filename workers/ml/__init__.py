"""The ML core: phantoms, networks, training, inference, CRL and GA. Never imports Django or qa."""
