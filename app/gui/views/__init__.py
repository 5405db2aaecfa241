"""The main window's views (editor, results, handout preview)."""
