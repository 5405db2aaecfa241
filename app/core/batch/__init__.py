"""Proactive screening of a file of households (``guichet screen``, docs/batch.md).

``input`` (reading the template, JSON lines, case folders), ``parquet`` (Parquet in and
out, pyarrow: server only), ``sources`` (which reader opens an input), ``chunks`` (the
chunks, their computation in a worker and the partial folder), ``dask`` (the same chunks
on a Dask cluster: server only), ``summary`` (the totals per benefit), ``xlsx`` (the
streaming XLSX writer), ``report`` (the PDF report), ``screen`` (the run, the output
files and the command line).

May import: every layer below (``base`` .. ``compute``); not ``handout`` nor ``store``.
"""
