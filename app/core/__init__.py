"""Pure-Python core of Guichet. Nothing in this package may import Qt."""
