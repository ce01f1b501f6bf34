"""PEFT LoRA training of a task adapter into a registry entry."""
