"""The bottom layer: files and folders, texts, French formats, logs, CSV, PDF fonts.

* ``files``: private modes and atomic writes; ``paths``: where resources, rules and the
  user's data live; ``i18n``: the one translation mechanism (``t``); ``formats``: French
  amounts, dates, months; ``os_errors``: French reasons of OS errors; ``logs``: the local
  log file; ``csv_safe``: the one CSV writer; ``pdf_fonts``: the fonts of every PDF,
  registered in one place.

May import: nothing from ``app.core`` outside this package.
"""
