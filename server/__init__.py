"""arserve: multi-adapter LoRA inference server for AR and order-to-cash teams."""
