"""What the CPU can do, read once from /proc/cpuinfo: the one rule for bf16 on CPU, used by
training (autocast) and by the server's engine (dtype)."""

from __future__ import annotations


def cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return f.read()
    except OSError:
        return ""


def cpu_supports_bf16() -> bool:
    """bf16 is worth it on x86 with AVX512-BF16 or AMX (native bf16 dot products); without
    them (AVX2 only) torch emulates it and a training step is many times slower than fp32."""
    flags = cpu_flags()
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))
