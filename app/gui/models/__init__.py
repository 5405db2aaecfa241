"""Qt models over core objects."""
