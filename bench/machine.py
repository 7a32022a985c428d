"""The machine a benchmark ran on: CPU model and the BLAS library NumPy uses (for RESULTS.md)."""

from __future__ import annotations

import platform

import numpy


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(
            f"{p['internal_api']} {p.get('architecture', '')} x{p['num_threads']}"
            for p in threadpool_info()
            if p["user_api"] == "blas"
        )
    except ImportError:
        config = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{config['name']} {config.get('version', '')}"
