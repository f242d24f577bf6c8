"""Names: the annotated corpus (:mod:`kg.names.corpus`) and the statistical tagger trained on it."""
