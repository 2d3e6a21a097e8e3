"""Evaluation of the fallback flow: datasets, recorded runs, scores, calibration and knowledge probing.

Everything here uses only assistant's Protocols; the CLI (api/cli/_eval.py) passes in the real model and
the evaluation index that api.wiring builds from settings.
"""
