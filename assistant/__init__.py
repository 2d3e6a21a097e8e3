"""The fallback flow and its judgements (agreement, support, refusal, abstention), the contracts it is
built from (protocols, answer record, thresholds, errors), the model backends (`assistant.backends`) and
the evaluation (`assistant.evaluation`)."""
