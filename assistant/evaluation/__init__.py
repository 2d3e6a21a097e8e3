"""Evaluation of the fallback flow: datasets, recorded runs, metrics, calibration and knowledge probing.

Everything here uses only assistant's Protocols; `api.evaluate` wires in the real model and index.
"""
