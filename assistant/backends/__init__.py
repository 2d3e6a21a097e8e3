"""The model backends: each adapter turns one library (transformers, llama.cpp, an OpenAI-compatible
server) into a `Generator`, with the scripted fake beside them. They import `assistant.protocols` and
`assistant.errors` only, never the flow."""
