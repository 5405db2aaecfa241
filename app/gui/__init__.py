"""The agent's desktop app (PySide6): the only place in Guichet that imports Qt."""
