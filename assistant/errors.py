"""Errors of the assistant package.

AssistantError
├── ModelLoadError      the model files are missing, corrupt (sha256) or cannot be loaded
├── GenerationError     the backend failed while generating
│   └── BackendUnavailable   a remote model server is down, drops connections, or is overloaded
│       └── BackendTimeout   it did not answer within the timeout
└── ThresholdError      a threshold value or profile name is invalid
"""


class AssistantError(Exception):
    """Base of every error raised by `assistant`."""


class ModelLoadError(AssistantError):
    pass


class GenerationError(AssistantError):
    pass


class BackendUnavailable(GenerationError):
    pass


class BackendTimeout(BackendUnavailable):
    """The remote model server did not finish answering within the configured timeout."""


class ThresholdError(AssistantError):
    pass
