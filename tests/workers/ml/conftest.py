import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Two shared CPU cores: the ML tests take one and keep timings steady."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
