"""(being written)"""

__all__: list[str] = []


def matmul(*args, **kwargs):  # placeholder until ops/linalg.py is written
    raise NotImplementedError
