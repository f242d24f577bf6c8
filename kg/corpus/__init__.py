"""Building a corpus, report by report: the stages of ``kg build`` (kg/pipeline.py runs them).

1. ``report.py``: each report read, analysed and written out on its own (in a worker
   process), into the report cache (``cache.py``), leaving a small summary; its facts
   go to the ledger on disk (``ledger.py``);
2. ``links.py``: what ties reports together, from the ledger alone;
3. ``workstate.py``: the working store and search index take the named graphs that
   changed, by the manifest;
4. ``outputs.py``: the outputs, joined from the cache and the working store, published
   as one set by :func:`kg.output.publish`.

No stage holds more than one report's triples in Python objects, and the main process
keeps of each report only its summary (a few hundred bytes and its row of the index page).
"""
