"""The project's one small exception family.

Every error a user can cause (bad input file, bad rule file, unwritable output,
bad query) is a :class:`KgError`; the CLI prints its message on one line and
exits 1. Anything else is a bug and keeps its traceback.
"""


class KgError(Exception):
    """Base class: a problem with input, data files or output, not a bug."""


class InputError(KgError):
    """A report file that cannot be read (missing, empty, binary, undecodable)."""


class ResourceError(KgError):
    """A lexicon, rule, ontology or query file that is malformed."""


class OutputError(KgError):
    """An output path that cannot be written."""


class QueryError(KgError):
    """A SPARQL query that is malformed, refused, or exceeded a limit."""
