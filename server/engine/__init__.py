"""Engine protocol and its vLLM implementation."""
