"""(being written)"""

__all__: list[str] = []


def pad(*args, **kwargs):  # placeholder until ops/shape.py is written
    raise NotImplementedError
