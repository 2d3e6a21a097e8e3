"""The HTTP API (FastAPI, OpenAI-compatible) and the `assistant` command line; wires assistant/ and index/."""
