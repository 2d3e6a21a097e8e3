"""Errors of the index package.

IndexingError
├── SourceNotFound      the source path does not exist
├── EmptyCorpus         no readable document, or no text, in the source
├── IndexNotFound       no index has been built in the index directory
├── EmbedderMismatch    the index was built with another embedder than the one configured
├── BuildLocked         another build holds the lock
├── CorruptIndex        the files on disk do not agree with the manifest
├── IndexWriteFailed    a new version could not be written (disk full...); the previous one serves
├── UnknownEmbedder     the embedder name is neither known nor a model directory
└── InvalidOptions      chunking or index options that cannot work together
"""


class IndexingError(Exception):
    """Base of every error raised by `index`."""


class SourceNotFound(IndexingError):
    pass


class EmptyCorpus(IndexingError):
    pass


class IndexNotFound(IndexingError):
    pass


class EmbedderMismatch(IndexingError):
    pass


class BuildLocked(IndexingError):
    pass


class CorruptIndex(IndexingError):
    pass


class IndexWriteFailed(IndexingError):
    """Writing a new version failed (e.g. the disk is full); its scratch folder is removed."""


class UnknownEmbedder(IndexingError):
    """The embedder name is neither a known model nor a sentence-transformers directory."""


class InvalidOptions(IndexingError):
    """Chunking or index options that cannot work together (e.g. overlap >= chunk size)."""
